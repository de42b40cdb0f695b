"""Attendance, minutes and decisions, attachments, and the clients discussed at a meeting."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bapas.models import AccessLog
from meetings.models import Attachment, Attendance, Decision, MeetingClient, MeetingKind
from tests.factories import ClientFactory, OrderFactory

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def attendance_data(present=(), walk_ins=(), keep=()):
    data = {"present": [str(pk) for pk in present], "keep_walk_ins": [str(pk) for pk in keep],
            "walkin-TOTAL_FORMS": "3", "walkin-INITIAL_FORMS": "0",
            "walkin-MIN_NUM_FORMS": "0", "walkin-MAX_NUM_FORMS": "100"}
    for index, (name, organisation) in enumerate(walk_ins):
        data[f"walkin-{index}-name"] = name
        data[f"walkin-{index}-organisation"] = organisation
    return data


def minutes_data(text="", decisions=(), chair="", taker=""):
    data = {"minutes": text, "chair": chair, "minutes_taker": taker,
            "decision-TOTAL_FORMS": str(max(len(decisions), 1)), "decision-INITIAL_FORMS": "0",
            "decision-MIN_NUM_FORMS": "0", "decision-MAX_NUM_FORMS": "60"}
    for index, text_ in enumerate(decisions):
        data[f"decision-{index}-text"] = text_
    return data


# --- Attendance ----------------------------------------------------------------------------

def test_attendance_for_a_future_meeting_is_refused(login, users, meeting):
    client = login(users["supervisor"])
    response = client.post(reverse("meetings:attendance", args=[meeting.pk]),
                           attendance_data(present=[users["pk"].pk],
                                           walk_ins=[("Budi", "Dinas Sosial")]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "This meeting has not taken place yet" in page
    assert 'value="Budi"' in page
    assert not Attendance.objects.exists()


def test_attendance_records_invitees_and_walk_ins(login, users, past_meeting):
    client = login(users["supervisor"])
    response = client.post(reverse("meetings:attendance", args=[past_meeting.pk]),
                           attendance_data(present=[users["partner"].pk],
                                           walk_ins=[("Sri Wahyuni", "Dinas Sosial")]))
    assert response.status_code == 302, response.content.decode()[:2000]
    rows = {row.display_name: row for row in Attendance.objects.select_related("user")}
    assert rows[users["partner"].full_name].present is True
    assert rows[users["pk"].full_name].present is False
    assert rows["Sri Wahyuni"].organisation == "Dinas Sosial"
    # Saving again without the walk-in ticked removes it; the invitees' rows stay.
    walk_in = rows["Sri Wahyuni"]
    client.post(reverse("meetings:attendance", args=[past_meeting.pk]),
                attendance_data(present=[users["partner"].pk, users["pk"].pk]))
    assert not Attendance.objects.filter(pk=walk_in.pk).exists()
    assert Attendance.objects.filter(meeting=past_meeting, present=True).count() == 2


def test_attendance_refuses_someone_not_invited(login, users, past_meeting):
    response = login(users["supervisor"]).post(
        reverse("meetings:attendance", args=[past_meeting.pk]),
        attendance_data(present=[users["other_pk"].pk]))
    assert response.status_code == 200
    assert not Attendance.objects.exists()


def test_walk_in_without_name_is_refused(login, users, past_meeting):
    data = attendance_data(walk_ins=[("", "Dinas Sosial")])
    response = login(users["supervisor"]).post(
        reverse("meetings:attendance", args=[past_meeting.pk]), data)
    assert response.status_code == 200
    assert "Give the walk-in&#x27;s name." in response.content.decode()
    assert not Attendance.objects.exists()


# --- Minutes -------------------------------------------------------------------------------

def test_minutes_and_decisions_are_saved_in_order(login, users, past_meeting):
    client = login(users["supervisor"])
    response = client.post(reverse("meetings:minutes", args=[past_meeting.pk]), minutes_data(
        "Peserta membahas pelatihan kerja.", ["Jadwal pelatihan disusun", "", "Rapat triwulanan"],
        chair=users["head"].pk, taker=users["supervisor"].pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    past_meeting.refresh_from_db()
    assert past_meeting.minutes == "Peserta membahas pelatihan kerja."
    assert past_meeting.chair == users["head"]
    assert list(Decision.objects.values_list("position", "text")) == [
        (1, "Jadwal pelatihan disusun"), (2, "Rapat triwulanan")]
    client.post(reverse("meetings:minutes", args=[past_meeting.pk]),
                minutes_data("Diperbaiki.", ["Rapat triwulanan"]))
    assert list(Decision.objects.values_list("text", flat=True)) == ["Rapat triwulanan"]


def test_minutes_for_a_future_meeting_are_refused(login, users, meeting):
    response = login(users["supervisor"]).post(
        reverse("meetings:minutes", args=[meeting.pk]),
        minutes_data("Catatan", ["Keputusan"]))
    assert response.status_code == 200
    assert "This meeting has not taken place yet" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.minutes == "" and not Decision.objects.exists()


def test_invited_partner_staff_read_the_minutes(login, users, past_meeting):
    past_meeting.minutes = "Pokmas Lipas menjadi jembatan antara klien dan masyarakat."
    past_meeting.save()
    Decision.objects.create(meeting=past_meeting, position=1, text="Pelatihan menjahit dimulai")
    page = login(users["partner"]).get(
        reverse("meetings:detail", args=[past_meeting.pk])).content.decode()
    assert "jembatan antara klien" in page
    assert "Pelatihan menjahit dimulai" in page


# --- Attachments ---------------------------------------------------------------------------

def upload(client, meeting, name, content, **extra):
    data = {"title": extra.get("title", ""), "file": SimpleUploadedFile(name, content)}
    if extra.get("shared"):
        data["shared_with_partners"] = "on"
    return client.post(reverse("meetings:attachment_upload", args=[meeting.pk]), data)


def test_photo_attachment_is_stored_privately_and_download_is_logged(login, users, meeting):
    client = login(users["supervisor"])
    response = upload(client, meeting, "foto-rapat.png", PNG, title="Foto rapat")
    assert response.status_code == 302, response.content.decode()[:2000]
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/png" and attachment.size == len(PNG)
    assert attachment.file.storage.exists(attachment.file.name)
    response = login(users["operator"]).get(reverse("meetings:attachment",
                                                    args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert AccessLog.objects.filter(action="download", user=users["operator"]).exists()


def test_oversized_attachment_is_refused(login, users, meeting, settings):
    settings.UPLOAD_MAX_BYTES = 50
    response = upload(login(users["supervisor"]), meeting, "foto.png", PNG, title="Foto")
    assert response.status_code == 200
    assert "The file is too large" in response.content.decode()
    assert 'value="Foto"' in response.content.decode()
    assert not Attachment.objects.exists()


def test_mis_typed_attachment_is_refused(login, users, meeting):
    client = login(users["supervisor"])
    response = upload(client, meeting, "notulen.pdf", b"this is not a pdf at all")
    assert response.status_code == 200
    assert "is not a real .pdf file" in response.content.decode()
    response = upload(client, meeting, "script.exe", b"MZ\x90\x00")
    assert "Files of type .exe are not accepted" in response.content.decode()
    assert not Attachment.objects.exists()


def test_partner_staff_download_only_shared_attachments(login, users, meeting):
    client = login(users["supervisor"])
    upload(client, meeting, "internal.png", PNG, title="Internal")
    upload(client, meeting, "shared.png", PNG, title="Shared", shared=True)
    internal = Attachment.objects.get(title="Internal")
    shared = Attachment.objects.get(title="Shared")
    partner = login(users["partner"])
    assert partner.get(reverse("meetings:attachment", args=[internal.pk])).status_code == 404
    assert partner.get(reverse("meetings:attachment", args=[shared.pk])).status_code == 200
    page = partner.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "Shared" in page and "Internal" not in page
    other = login(users["other_pk"])
    assert other.get(reverse("meetings:attachment", args=[shared.pk])).status_code == 404


def test_attachment_removal_by_manager_only(login, users, meeting):
    upload(login(users["supervisor"]), meeting, "foto.png", PNG)
    attachment = Attachment.objects.get()
    url = reverse("meetings:attachment_delete", args=[attachment.pk])
    assert login(users["pk"]).post(url).status_code == 403
    assert login(users["head"]).post(url).status_code == 302
    assert not Attachment.objects.exists()


# --- Clients discussed ---------------------------------------------------------------------

@pytest.fixture
def conference(users, office, meeting):
    meeting.kind = MeetingKind.CASE_CONFERENCE
    meeting.save()
    return meeting


def test_manager_links_a_client_by_register_number(login, users, office, conference):
    client_record = ClientFactory(office=office, register_number="2026/0042")
    response = login(users["supervisor"]).post(
        reverse("meetings:link_client", args=[conference.pk]),
        {"register_number": "2026/0042", "note": "Pelanggaran wajib lapor"})
    assert response.status_code == 302
    link = MeetingClient.objects.get()
    assert (link.client, link.note) == (client_record, "Pelanggaran wajib lapor")


def test_client_of_another_office_cannot_be_linked(login, users, other_office, conference):
    ClientFactory(office=other_office, register_number="BDW-0001")
    response = login(users["supervisor"]).post(
        reverse("meetings:link_client", args=[conference.pk]),
        {"register_number": "BDW-0001", "note": ""})
    assert response.status_code == 200
    assert "No client with register number BDW-0001" in response.content.decode()
    assert not MeetingClient.objects.exists()


def test_linked_client_visible_to_office_but_not_to_unreferred_partner(
    login, users, office, conference
):
    order = OrderFactory(client=ClientFactory(office=office, full_name="Slamet Riyadi"),
                         assigned_pk=users["pk"])
    MeetingClient.objects.create(meeting=conference, client=order.client, note="Catatan")
    supervisor_page = login(users["supervisor"]).get(
        reverse("meetings:detail", args=[conference.pk])).content.decode()
    assert "Slamet Riyadi" in supervisor_page
    assert AccessLog.objects.filter(user=users["supervisor"], action="view").exists()
    partner_page = login(users["partner"]).get(
        reverse("meetings:detail", args=[conference.pk])).content.decode()
    assert "Slamet Riyadi" not in partner_page
