"""Invitation, attendance sheet and minutes as PDF on the office letterhead."""

import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from bapas.models import AccessLog
from meetings.models import ActionItem, Attendance, Decision, MeetingClient, MeetingKind
from tests.factories import ClientFactory, PartnerFactory

PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(
    PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed: cannot read PDF text"
)


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    return subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def planned(meeting, office, users):
    """The meeting with three organisations invited, as the kasubsi plans it."""
    # Short names: long generated ones wrap inside table cells and break text matching.
    for key, name in (("pk", "Agus Prasetyo"), ("partner", "Rahmat Hidayat")):
        users[key].full_name = name
        users[key].save()
    meeting.number = "W15.PAS.PAS.15-UM.01.01-0921"
    meeting.save()
    meeting.partners.add(
        PartnerFactory(name="Pokmas Lipas Kemandirian", offices=[office]),
        PartnerFactory(name="Dukcapil Kabupaten Jember", offices=[office]),
    )
    return meeting


@needs_pdftotext
def test_invitation_holds_letterhead_number_agenda_invitees_and_signer(
    login, users, office, planned, tmp_path
):
    response = login(users["supervisor"]).get(
        reverse("meetings:print_invitation", args=[planned.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    text = squash(pdf_text(response.content, tmp_path))
    assert "BAPAS KELAS II JEMBER" in text
    assert "W15.PAS.PAS.15-UM.01.01-0921" in text
    assert "Program pelatihan kerja klien" in text and "Dukungan psikososial" in text
    for name in ("Dinas Sosial Kabupaten Jember", "Pokmas Lipas Kemandirian",
                 "Dukcapil Kabupaten Jember", users["pk"].full_name):
        assert name in text
    assert office.head_nip in text
    assert "Aula Bapas" in text
    log = AccessLog.objects.get(action="print")
    assert log.user == users["supervisor"] and log.object_id == str(planned.pk)


@needs_pdftotext
def test_attendance_sheet_has_a_row_per_invitee_and_empty_rows(login, users, planned, tmp_path):
    response = login(users["operator"]).get(
        reverse("meetings:print_attendance", args=[planned.pk]) + "?blank=5")
    text = pdf_text(response.content, tmp_path)
    assert users["pk"].full_name in text and users["partner"].full_name in text
    # An organisation invited without a named person gets its own row to sign.
    assert "Pokmas Lipas Kemandirian" in text
    rows = 2 + 2 + 5  # two invitees, two organisations without staff, five empty rows
    # Row numbers in the signature column are "N." not followed by a digit, so a
    # meeting time such as "10.19 WIB" is not mistaken for a row.
    numbers = {int(n) for n in re.findall(r"(?<![\d.])(\d{1,2})\.(?!\d)", text)}
    assert max(numbers) == rows and set(range(1, rows + 1)) <= numbers
    assert AccessLog.objects.filter(action="print", user=users["operator"]).exists()


@needs_pdftotext
def test_minutes_hold_discussion_decisions_follow_up_and_attendees(
    login, users, past_meeting, partner, tmp_path
):
    past_meeting.minutes = "Pokmas Lipas menjadi jembatan antara klien dan masyarakat."
    past_meeting.chair = users["head"]
    past_meeting.minutes_taker = users["supervisor"]
    past_meeting.save()
    Decision.objects.create(meeting=past_meeting, position=1, text="Jadwal pelatihan disusun")
    ActionItem.objects.create(meeting=past_meeting, description="Menyusun jadwal",
                              owner_partner=partner, due_date=past_meeting.day,
                              created_by=users["supervisor"])
    Attendance.objects.create(meeting=past_meeting, name="Sri Wahyuni",
                              organisation="Dinas Sosial", recorded_by=users["supervisor"])
    response = login(users["supervisor"]).get(
        reverse("meetings:print_minutes", args=[past_meeting.pk]))
    text = squash(pdf_text(response.content, tmp_path))
    assert "jembatan antara klien" in text
    assert "Jadwal pelatihan disusun" in text
    assert "Menyusun jadwal" in text and partner.name in text
    assert "Sri Wahyuni" in text
    assert users["head"].full_name in text
    assert "RAHASIA" not in text


@needs_pdftotext
def test_minutes_with_clients_are_marked_confidential_and_hide_them_from_partners(
    login, users, office, past_meeting, tmp_path
):
    past_meeting.kind = MeetingKind.CASE_CONFERENCE
    past_meeting.save()
    MeetingClient.objects.create(
        meeting=past_meeting, client=ClientFactory(office=office, full_name="Slamet Riyadi"))
    staff_text = pdf_text(login(users["supervisor"]).get(
        reverse("meetings:print_minutes", args=[past_meeting.pk])).content, tmp_path)
    assert "RAHASIA" in staff_text and "Slamet Riyadi" in staff_text
    partner_text = pdf_text(login(users["partner"]).get(
        reverse("meetings:print_minutes", args=[past_meeting.pk])).content, tmp_path)
    assert "Slamet Riyadi" not in partner_text


def test_long_addressee_list_moves_to_an_attachment_page(login, users, office, planned):
    for number in range(5):
        planned.partners.add(PartnerFactory(name=f"Mitra tambahan {number}", offices=[office]))
    from meetings.views.printables import ADDRESSEES_ON_FIRST_PAGE, addressees

    names = addressees(planned, list(planned.invitations.select_related("user__partner")))
    assert len(names) > ADDRESSEES_ON_FIRST_PAGE
    # Staff of an invited organisation are covered by their organisation's line.
    assert users["partner"].full_name not in " ".join(names)
    response = login(users["supervisor"]).get(
        reverse("meetings:print_invitation", args=[planned.pk]))
    assert response.status_code == 200


@needs_pdftotext
def test_letters_are_written_in_indonesian_by_default(login, users, planned, settings, tmp_path):
    from django.utils import translation

    with translation.override("id"):
        if translation.gettext("Page %(page)s of %(pages)s").startswith("Page"):
            pytest.skip("the Indonesian catalogue is not compiled (make messages)")
    settings.LANGUAGE_CODE = "id"
    # Even a user browsing in English gets the official Indonesian letter.
    client = login(users["supervisor"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = squash(pdf_text(client.get(
        reverse("meetings:print_invitation", args=[planned.pk])).content, tmp_path))
    assert "Dengan hormat," in text
    assert "Halaman 1 dari" in text
    assert "Kepala Bapas Kelas II Jember" in text
