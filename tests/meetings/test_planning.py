"""Planning a meeting: create, edit, invitations and answers, cancel; bad input keeps nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bapas.models import Role
from meetings.models import AgendaItem, Invitation, Meeting, MeetingKind
from tests.factories import PartnerFactory, UserFactory


def local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def meeting_data(**overrides):
    start = timezone.localtime(timezone.now() + timedelta(days=10)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    data = {
        "kind": MeetingKind.COORDINATION, "title": "Rapat Koordinasi Triwulan IV",
        "number": "W15.PAS.PAS.15-UM.01.01-1001", "letter_date": "",
        "starts_at": local(start), "ends_at": local(start + timedelta(hours=3)),
        "duration_minutes": "", "place": "Aula Bapas Kelas II Jember", "online_link": "",
        "notes": "",
        "agenda-TOTAL_FORMS": "3", "agenda-INITIAL_FORMS": "0",
        "agenda-MIN_NUM_FORMS": "0", "agenda-MAX_NUM_FORMS": "40",
        "agenda-0-title": "Pembukaan", "agenda-0-presenter": "Kepala Bapas",
        "agenda-1-title": "Program pelatihan kerja", "agenda-1-presenter": "",
        "agenda-2-title": "", "agenda-2-presenter": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def three_partners(office, partner):
    return [partner,
            PartnerFactory(name="Pokmas Lipas Kemandirian dan Kepribadian", offices=[office]),
            PartnerFactory(name="Dukcapil Kabupaten Jember", offices=[office])]


def test_supervisor_plans_meeting_inviting_three_partners(login, users, office, three_partners):
    client = login(users["supervisor"])
    data = meeting_data(partners=[p.pk for p in three_partners],
                        invitees=[users["pk"].pk, users["partner"].pk])
    response = client.post(reverse("meetings:create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = Meeting.objects.get(title="Rapat Koordinasi Triwulan IV")
    assert response["Location"] == meeting.get_absolute_url()
    assert meeting.office == office
    assert meeting.created_by == users["supervisor"]
    assert set(meeting.partners.all()) == set(three_partners)
    assert list(meeting.agenda_items.values_list("title", "position")) == [
        ("Pembukaan", 1), ("Program pelatihan kerja", 2)]
    assert set(meeting.invitations.values_list("user__email", flat=True)) == {
        "pk@test.local", "mitra@test.local"}
    assert meeting.duration_minutes == 180
    assert meeting.history.filter(history_type="+").count() == 1
    assert {h.history_user for h in meeting.history.all()} == {users["supervisor"]}


def test_meeting_ending_before_it_starts_is_refused_and_input_kept(login, users):
    client = login(users["supervisor"])
    data = meeting_data()
    data["ends_at"] = data["starts_at"].replace("T09:00", "T08:00")
    response = client.post(reverse("meetings:create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The meeting cannot end before it starts." in page
    assert 'value="Rapat Koordinasi Triwulan IV"' in page
    assert 'value="Program pelatihan kerja"' in page
    assert not Meeting.objects.exists()
    assert not AgendaItem.objects.exists()


def test_meeting_needs_a_place_or_a_link(login, users):
    client = login(users["supervisor"])
    response = client.post(reverse("meetings:create"), meeting_data(place=""))
    assert response.status_code == 200
    assert "Give a place or an online meeting link." in response.content.decode()
    assert not Meeting.objects.exists()
    response = client.post(reverse("meetings:create"), meeting_data(
        place="", online_link="https://meet.example.org/rakor"))
    assert response.status_code == 302


def test_duration_sets_the_end(login, users):
    client = login(users["supervisor"])
    response = client.post(reverse("meetings:create"),
                           meeting_data(ends_at="", duration_minutes="90"))
    assert response.status_code == 302
    assert Meeting.objects.get().duration_minutes == 90


def test_meeting_without_end_is_until_finished(login, users):
    client = login(users["supervisor"])
    assert client.post(reverse("meetings:create"), meeting_data(ends_at="")).status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.ends_at is None
    assert meeting.effective_end == meeting.starts_at + timedelta(hours=2)


def test_people_of_another_office_cannot_be_invited(login, users):
    client = login(users["supervisor"])
    response = client.post(reverse("meetings:create"),
                           meeting_data(invitees=[users["other_pk"].pk]))
    assert response.status_code == 200
    assert "invitees" in response.context["form"].errors
    assert not Meeting.objects.exists()


def test_edit_keeps_answers_of_people_still_invited(login, users, meeting, partner):
    Invitation.objects.filter(meeting=meeting, user=users["partner"]).update(
        response=Invitation.Response.CONFIRMED)
    client = login(users["supervisor"])
    data = meeting_data(title="Rapat Koordinasi (diubah)", partners=[partner.pk],
                        invitees=[users["partner"].pk, users["head"].pk])
    data.update({"starts_at": local(meeting.starts_at), "ends_at": local(meeting.ends_at)})
    response = client.post(reverse("meetings:edit", args=[meeting.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting.refresh_from_db()
    assert meeting.title == "Rapat Koordinasi (diubah)"
    answers = dict(meeting.invitations.values_list("user__email", "response"))
    assert answers == {"mitra@test.local": "confirmed", "head@test.local": "pending"}
    assert list(meeting.agenda_items.values_list("title", flat=True)) == [
        "Pembukaan", "Program pelatihan kerja"]


def test_invited_partner_staff_confirms_and_declines(login, users, meeting):
    client = login(users["partner"])
    response = client.post(reverse("meetings:respond", args=[meeting.pk]),
                           {"response": "confirmed", "note": ""})
    assert response.status_code == 302
    invitation = Invitation.objects.get(meeting=meeting, user=users["partner"])
    assert invitation.response == "confirmed"
    assert invitation.responded_at is not None
    client.post(reverse("meetings:respond", args=[meeting.pk]),
                {"response": "declined", "note": "Bertugas ke Surabaya"})
    invitation.refresh_from_db()
    assert (invitation.response, invitation.response_note) == ("declined", "Bertugas ke Surabaya")


def test_staff_of_invited_organisation_answers_without_personal_invitation(
    login, meeting, partner
):
    colleague = UserFactory(role=Role.PARTNER, office=None, partner=partner)
    response = login(colleague).post(reverse("meetings:respond", args=[meeting.pk]),
                                     {"response": "confirmed"})
    assert response.status_code == 302
    assert Invitation.objects.get(meeting=meeting, user=colleague).response == "confirmed"


def test_colleague_not_invited_cannot_answer(login, users, meeting):
    response = login(users["pk2"]).post(reverse("meetings:respond", args=[meeting.pk]),
                                        {"response": "confirmed"})
    assert response.status_code == 403
    assert not Invitation.objects.filter(user=users["pk2"]).exists()


def test_answer_without_choice_changes_nothing(login, users, meeting):
    client = login(users["partner"])
    response = client.post(reverse("meetings:respond", args=[meeting.pk]), {"response": "maybe"},
                           follow=True)
    assert "Choose whether you will attend." in response.content.decode()
    assert Invitation.objects.get(meeting=meeting, user=users["partner"]).response == "pending"


def test_organiser_notes_an_answer_given_by_phone(login, users, meeting):
    invitation = Invitation.objects.get(meeting=meeting, user=users["pk"])
    client = login(users["supervisor"])
    response = client.post(reverse("meetings:invitations", args=[meeting.pk]),
                           {"invitation": invitation.pk, "response": "declined",
                            "note": "Cuti (lewat telepon)"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.response == "declined"
    assert invitation.history.first().history_user == users["supervisor"]
    page = client.get(reverse("meetings:invitations", args=[meeting.pk])).content.decode()
    assert "Cuti (lewat telepon)" in page


def test_cancelling_needs_a_reason(login, users, meeting):
    client = login(users["supervisor"])
    client.post(reverse("meetings:cancel", args=[meeting.pk]), {"reason": ""})
    meeting.refresh_from_db()
    assert meeting.cancelled_at is None
    client.post(reverse("meetings:cancel", args=[meeting.pk]), {"reason": "Aula dipakai"})
    meeting.refresh_from_db()
    assert meeting.is_cancelled and meeting.cancel_reason == "Aula dipakai"
    response = login(users["partner"]).post(reverse("meetings:respond", args=[meeting.pk]),
                                            {"response": "confirmed"}, follow=True)
    assert "This meeting has been cancelled." in response.content.decode()


def test_create_page_offers_office_partners_and_people_only(login, users, other_office):
    foreign_partner = PartnerFactory(name="Dinas Sosial Bondowoso", offices=[other_office])
    page = login(users["supervisor"]).get(reverse("meetings:create")).content.decode()
    assert "Dinas Sosial Kabupaten Jember" in page
    assert foreign_partner.name not in page
    assert users["pk"].full_name in page
    assert users["other_pk"].full_name not in page
