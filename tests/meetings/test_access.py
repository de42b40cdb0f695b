"""Who may open which meeting page: the organising office, invited partner staff, nobody else."""

import pytest
from django.urls import reverse

from bapas.models import Role
from tests.factories import PartnerFactory, UserFactory

VIEWERS_OK = ["supervisor", "head", "pk", "pk2", "operator", "partner", "admin"]
MANAGE_PAGES = ["meetings:edit", "meetings:invitations", "meetings:attendance",
                "meetings:minutes", "meetings:action_create", "meetings:attachment_upload",
                "meetings:link_client"]


@pytest.fixture
def outsider_partner_staff(office):
    """Staff of a partner of the same office that is not invited to the meeting."""
    other = PartnerFactory(name="Dinas Kesehatan Kabupaten Jember", offices=[office])
    return UserFactory(role=Role.PARTNER, office=None, partner=other, email="dinkes@test.local")


@pytest.mark.parametrize("role", VIEWERS_OK)
def test_meeting_list_and_page_open_for_viewers(login, users, meeting, role):
    client = login(users[role])
    assert client.get(reverse("meetings:list")).status_code == 200
    response = client.get(reverse("meetings:detail", args=[meeting.pk]))
    assert response.status_code == 200
    assert meeting.title in response.content.decode()
    assert client.get(reverse("meetings:ics", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("meetings:my_actions")).status_code == 200
    assert client.get(reverse("meetings:calendar_settings")).status_code == 200


def test_regional_viewer_is_refused_everywhere(login, users, meeting):
    client = login(users["regional"])
    for name, args in [("meetings:list", []), ("meetings:detail", [meeting.pk]),
                       ("meetings:my_actions", []), ("meetings:calendar_settings", []),
                       ("meetings:print_minutes", [meeting.pk]), ("meetings:edit", [meeting.pk])]:
        assert client.get(reverse(name, args=args)).status_code == 403, name


def test_other_offices_meeting_is_404(login, users, meeting):
    client = login(users["other_pk"])
    for name in ["meetings:detail", "meetings:ics", "meetings:print_invitation",
                 "meetings:print_attendance", "meetings:print_minutes", *MANAGE_PAGES]:
        assert client.get(reverse(name, args=[meeting.pk])).status_code == 404, name


def test_other_offices_supervisor_cannot_manage_my_meeting(login, users, meeting, other_office):
    boss = UserFactory(role=Role.SUPERVISOR, office=other_office)
    client = login(boss)
    for name in ["meetings:detail", *MANAGE_PAGES]:
        assert client.get(reverse(name, args=[meeting.pk])).status_code == 404, name


def test_partner_staff_not_invited_get_404(login, meeting, outsider_partner_staff):
    client = login(outsider_partner_staff)
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("meetings:print_minutes", args=[meeting.pk])).status_code == 404
    response = client.post(reverse("meetings:respond", args=[meeting.pk]),
                           {"response": "confirmed"})
    assert response.status_code == 404
    assert meeting.title not in client.get(reverse("meetings:list")).content.decode()


def test_partner_staff_of_invited_organisation_sees_meeting_without_personal_invitation(
    login, meeting, partner
):
    colleague = UserFactory(role=Role.PARTNER, office=None, partner=partner)
    client = login(colleague)
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200
    assert meeting.title in client.get(reverse("meetings:list")).content.decode()


@pytest.mark.parametrize("role", ["supervisor", "head"])
@pytest.mark.parametrize("name", MANAGE_PAGES)
def test_managers_open_every_management_page(login, users, meeting, past_meeting, role, name):
    target = past_meeting if name in {"meetings:attendance", "meetings:minutes"} else meeting
    assert login(users[role]).get(reverse(name, args=[target.pk])).status_code == 200


@pytest.mark.parametrize(("role", "status"), [
    ("pk", 403), ("pk2", 403), ("partner", 404)])
@pytest.mark.parametrize("name", MANAGE_PAGES)
def test_invitees_and_colleagues_cannot_manage(login, users, meeting, role, status, name):
    assert login(users[role]).get(reverse(name, args=[meeting.pk])).status_code == status


@pytest.mark.parametrize("role", ["operator", "admin"])
def test_roles_without_manage_capability_are_refused(login, users, meeting, role):
    client = login(users[role])
    assert client.get(reverse("meetings:create")).status_code == 403
    for name in MANAGE_PAGES:
        assert client.get(reverse(name, args=[meeting.pk])).status_code == 403, name


def test_pk_who_organises_the_meeting_manages_it(login, users, meeting):
    meeting.created_by = users["pk2"]
    meeting.save()
    client = login(users["pk2"])
    for name in MANAGE_PAGES:
        if name in {"meetings:attendance", "meetings:minutes"}:
            continue
        assert client.get(reverse(name, args=[meeting.pk])).status_code == 200, name
    assert client.get(reverse("meetings:create")).status_code == 200


def test_printables_by_role(login, users, meeting):
    office_staff = login(users["operator"])
    for name in ["meetings:print_invitation", "meetings:print_attendance",
                 "meetings:print_minutes"]:
        response = office_staff.get(reverse(name, args=[meeting.pk]))
        assert response.status_code == 200, name
        assert response["Content-Type"] == "application/pdf"
    partner = login(users["partner"])
    assert partner.get(reverse("meetings:print_invitation", args=[meeting.pk])).status_code == 200
    assert partner.get(reverse("meetings:print_minutes", args=[meeting.pk])).status_code == 200
    assert partner.get(reverse("meetings:print_attendance", args=[meeting.pk])).status_code == 403


def test_anonymous_is_sent_to_login(client, meeting):
    response = client.get(reverse("meetings:detail", args=[meeting.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("key", ["meetings.meeting", "meetings.agendaitem", "meetings.invitation",
                                 "meetings.meetingclient", "meetings.attendance",
                                 "meetings.decision", "meetings.attachment",
                                 "meetings.actionitem", "meetings.calendartoken"])
def test_meeting_history_is_browsable_on_the_audit_page(login, users, meeting, key):
    response = login(users["supervisor"]).get(reverse("audit_changes") + f"?model={key}")
    assert response.status_code == 200
    if key == "meetings.meeting":
        assert meeting.title in response.content.decode()
