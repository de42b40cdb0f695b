"""The partner portal: staff see their organisation's referrals, only the fields shared."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bapas.models import AccessLog
from partners.models import Referral, ReferralStatus, ServiceReport, ServiceSession
from tests.factories import ClientFactory, OrderFactory
from tests.factories.partners import ReferralFactory, advance, log_session

from .conftest import CLIENT_NIK

S = ReferralStatus
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

PORTAL_URLS = ["partners:portal_referral", "partners:portal_session", "partners:portal_report",
               "partners:portal_client_photo"]


@pytest.fixture
def sent(make_referral):
    return make_referral(S.SENT)


# --- Who reaches the portal ----------


def test_partner_staff_see_their_portal(login, users, sent):
    response = login(users["partner"]).get(reverse("partners:portal"))
    assert response.status_code == 200
    assert "Muhammad Rizky" in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response[
        "Cache-Control"
    ]


@pytest.mark.parametrize("role", ["pk", "pk2", "other_pk", "operator", "supervisor", "head",
                                  "regional", "admin"])
def test_officers_have_no_portal(login, users, sent, role):
    client = login(users[role])
    assert client.get(reverse("partners:portal")).status_code == 404
    for name in PORTAL_URLS:
        assert client.get(reverse(name, args=[sent.pk])).status_code == 404


def test_portal_needs_login(client, sent):
    response = client.get(reverse("partners:portal_referral", args=[sent.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_portal_tabs_group_the_referrals(login, users, make_referral, colleague_order):
    make_referral(S.SENT)
    make_referral(S.IN_PROGRESS, order=colleague_order)
    make_referral(S.DRAFT)
    make_referral(S.WITHDRAWN)
    client = login(users["partner"])
    new = client.get(reverse("partners:portal")).context
    assert [r.status for r in new["page"]] == [S.SENT]
    assert [(t["key"], t["count"]) for t in new["tabs"]] == [("new", 1), ("active", 1),
                                                           ("closed", 0)]
    active = client.get(reverse("partners:portal") + "?tab=active").context
    assert [r.order.client.full_name for r in active["page"]] == ["Siti Aminah"]
    closed = client.get(reverse("partners:portal") + "?tab=closed").context
    assert list(closed["page"]) == []  # withdrawn and drafts never reach the partner


def test_staff_of_another_partner_get_404(login, other_partner_staff, make_referral):
    referral = make_referral(S.ACCEPTED)
    client = login(other_partner_staff)
    assert list(client.get(reverse("partners:portal")).context["page"]) == []
    for name in PORTAL_URLS:
        assert client.get(reverse(name, args=[referral.pk])).status_code == 404
    response = client.post(reverse("partners:portal_action", args=[referral.pk]),
                           {"to": S.ENDED_EARLY, "reason": "x"})
    assert response.status_code == 404
    assert Referral.objects.get(pk=referral.pk).status == S.ACCEPTED


def test_draft_is_invisible_to_the_partner(login, users, referral):
    client = login(users["partner"])
    assert client.get(reverse("partners:portal_referral", args=[referral.pk])).status_code == 404


def test_withdrawing_removes_access_at_once(login, users, make_referral):
    referral = make_referral(S.IN_PROGRESS)
    partner_client = login(users["partner"])
    url = reverse("partners:portal_referral", args=[referral.pk])
    assert partner_client.get(url).status_code == 200
    officer = login(users["pk"])
    response = officer.post(reverse("partners:referral_action", args=[referral.pk]),
                            {"to": S.WITHDRAWN, "reason": "Klien ditahan kembali"})
    assert response.status_code == 302
    partner_client = login(users["partner"])
    for name in PORTAL_URLS:
        assert partner_client.get(reverse(name, args=[referral.pk])).status_code == 404
    assert "Muhammad Rizky" not in partner_client.get(reverse("partners:portal")).content.decode()


def test_deactivated_partner_organisation_loses_access(login, users, sent, partner):
    partner.is_active = False
    partner.save()
    client = login(users["partner"])
    assert client.get(reverse("partners:portal")).status_code == 404
    assert client.get(reverse("partners:portal_referral", args=[sent.pk])).status_code == 404


# --- What the card shows ----------


def test_card_never_shows_nik_offence_risk_or_notes_unless_shared(login, users, sent):
    from clients.models import CaseNote

    CaseNote.objects.create(client=sent.order.client, text="Catatan terbuka XYZ",
                            confidential=False, author=users["pk"])
    CaseNote.objects.create(client=sent.order.client, text="Catatan rahasia QQQ",
                            author=users["pk"])
    client = login(users["partner"])
    for name in ["partners:portal_referral", "partners:portal_session", "partners:portal_report"]:
        body = client.get(reverse(name, args=[sent.pk])).content
        assert CLIENT_NIK.encode() not in body
        assert b"Penadahan" not in body
        assert b"480 KUHP" not in body
        # Whole phrases: a three-letter marker can turn up in a random CSRF token.
        assert b"Catatan terbuka" not in body and b"Catatan rahasia" not in body
    listing = client.get(reverse("partners:portal")).content
    assert CLIENT_NIK.encode() not in listing and b"Penadahan" not in listing


def test_card_shows_the_basic_fields(login, users, sent):
    body = login(users["partner"]).get(
        reverse("partners:portal_referral", args=[sent.pk])
    ).content.decode()
    assert "Muhammad Rizky" in body
    assert "081234500042" in body
    assert "Mengikuti konseling secara rutin" in body  # a goal


def test_card_shows_what_the_pk_shared(login, users, make_referral):
    from clients.models import CaseNote

    referral = make_referral(S.SENT, share_nik=True, share_offence=True, share_risk=True,
                             share_case_notes=True)
    CaseNote.objects.create(client=referral.order.client, text="Catatan terbuka XYZ",
                            confidential=False, author=users["pk"])
    CaseNote.objects.create(client=referral.order.client, text="Catatan rahasia QQQ",
                            author=users["pk"])
    body = login(users["partner"]).get(
        reverse("partners:portal_referral", args=[referral.pk])
    ).content
    assert CLIENT_NIK.encode() in body
    assert b"Penadahan" in body
    assert b"Catatan terbuka XYZ" in body
    assert b"Catatan rahasia" not in body  # confidential notes are never shared


def test_closed_referral_keeps_the_name_but_not_contact_details(login, users, make_referral):
    referral = make_referral(S.COMPLETED, share_nik=True)
    body = login(users["partner"]).get(
        reverse("partners:portal_referral", args=[referral.pk])
    ).content
    assert b"Muhammad Rizky" in body
    assert b"081234500042" not in body
    assert CLIENT_NIK.encode() not in body


def test_every_card_view_is_logged(login, users, sent):
    login(users["partner"]).get(reverse("partners:portal_referral", args=[sent.pk]))
    entry = AccessLog.objects.get(user=users["partner"])
    assert entry.object_id == str(sent.order.client.pk)
    assert entry.office_id == sent.order.client.office_id
    assert entry.action == AccessLog.Action.VIEW


def test_photo_is_served_only_while_the_referral_is_open(login, users, sent):
    client_record = sent.order.client
    client_record.photo.save("rizky.png", ContentFile(PNG))
    client = login(users["partner"])
    url = reverse("partners:portal_client_photo", args=[sent.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert "no-store" in response["Cache-Control"]
    assert AccessLog.objects.filter(user=users["partner"], object_id=str(client_record.pk)).exists()
    advance_to_declined = login(users["partner"]).post(
        reverse("partners:portal_action", args=[sent.pk]), {"to": S.DECLINED, "reason": "Penuh"}
    )
    assert advance_to_declined.status_code == 302
    assert client.get(url).status_code == 404


def test_photo_of_a_client_without_photo_is_404(login, users, sent):
    assert login(users["partner"]).get(
        reverse("partners:portal_client_photo", args=[sent.pk])
    ).status_code == 404


# --- Accept, decline, sessions, report ----------


def test_partner_accepts(login, users, sent):
    response = login(users["partner"]).post(reverse("partners:portal_action", args=[sent.pk]),
                                            {"to": S.ACCEPTED})
    assert response.status_code == 302
    assert Referral.objects.get(pk=sent.pk).status == S.ACCEPTED


def test_decline_without_reason_shows_the_message_and_changes_nothing(login, users, sent):
    response = login(users["partner"]).post(reverse("partners:portal_action", args=[sent.pk]),
                                            {"to": S.DECLINED, "reason": ""})
    assert response.status_code == 200
    assert "Give a reason." in response.content.decode()
    assert Referral.objects.get(pk=sent.pk).status == S.SENT


def test_partner_cannot_use_officer_moves(login, users, sent):
    response = login(users["partner"]).post(reverse("partners:portal_action", args=[sent.pk]),
                                            {"to": S.WITHDRAWN, "reason": "x"})
    assert response.status_code == 404
    assert Referral.objects.get(pk=sent.pk).status == S.SENT


def test_closed_referral_refuses_actions_with_a_message(login, users, make_referral):
    referral = make_referral(S.COMPLETED)
    response = login(users["partner"]).post(
        reverse("partners:portal_action", args=[referral.pk]),
        {"to": S.ENDED_EARLY, "reason": "x"},
    )
    assert response.status_code == 200
    assert "closed" in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == S.COMPLETED


def session_data(**overrides):
    data = {"date": timezone.localdate().isoformat(), "duration_minutes": "90",
            "attendance": "attended", "activity": "Konseling kelompok", "progress": "Baik"}
    data.update(overrides)
    return data


def test_logging_a_session_starts_the_service(login, users, make_referral):
    referral = make_referral(S.ACCEPTED)
    response = login(users["partner"]).post(
        reverse("partners:portal_session", args=[referral.pk]), session_data()
    )
    assert response.status_code == 302
    session = ServiceSession.objects.get()
    assert (session.duration_minutes, session.logged_by) == (90, users["partner"])
    assert Referral.objects.get(pk=referral.pk).status == S.IN_PROGRESS


def test_session_date_in_indonesian_format_is_accepted(login, users, make_referral):
    referral = make_referral(S.ACCEPTED)
    response = login(users["partner"]).post(
        reverse("partners:portal_session", args=[referral.pk]),
        session_data(date=timezone.localdate().strftime("%d/%m/%Y")),
    )
    assert response.status_code == 302


@pytest.mark.parametrize(("overrides", "message"), [
    ({"duration_minutes": "0"}, "between 1 and 1440 minutes"),
    ({"duration_minutes": "1441"}, "between 1 and 1440 minutes"),
    ({"date": (timezone.localdate() + timedelta(days=1)).isoformat()}, "in the future"),
    ({"date": (timezone.localdate() - timedelta(days=3)).isoformat()},
     "before the referral was sent"),
])
def test_bad_session_shows_a_clear_message_keeps_input_and_saves_nothing(
    login, users, make_referral, overrides, message
):
    referral = make_referral(S.ACCEPTED)
    response = login(users["partner"]).post(
        reverse("partners:portal_session", args=[referral.pk]), session_data(**overrides)
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "Konseling kelompok" in body  # typed values kept
    assert not ServiceSession.objects.exists()
    assert Referral.objects.get(pk=referral.pk).status == S.ACCEPTED


def test_report_completes_the_referral(login, users, make_referral):
    referral = make_referral(S.IN_PROGRESS)
    goals = list(referral.goals.all())
    data = {"summary": "Klien mengikuti 6 sesi.", "recommendation": "Lanjutkan"}
    data.update({f"goal_{goals[0].pk}": "achieved", f"goal_{goals[1].pk}": "not_achieved",
                 f"goal_{goals[1].pk}_note": "Belum ada lowongan"})
    response = login(users["partner"]).post(
        reverse("partners:portal_report", args=[referral.pk]), data
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == S.COMPLETED
    assert referral.report.summary == "Klien mengikuti 6 sesi."
    assert [g.outcome for g in referral.goals.all()] == ["achieved", "not_achieved"]


def test_report_without_outcomes_is_refused(login, users, make_referral):
    referral = make_referral(S.IN_PROGRESS)
    response = login(users["partner"]).post(
        reverse("partners:portal_report", args=[referral.pk]), {"summary": "Ringkasan"}
    )
    assert response.status_code == 200
    assert "Choose the outcome of this goal." in response.content.decode()
    assert not ServiceReport.objects.exists()
    assert Referral.objects.get(pk=referral.pk).status == S.IN_PROGRESS


def test_portal_list_query_count_is_constant(login, users, partner, service, office):
    def add(n):
        for _ in range(n):
            order = OrderFactory(client=ClientFactory(office=office), assigned_pk=users["pk"])
            referral = ReferralFactory(order=order, partner=partner, service=service)
            advance(referral, S.IN_PROGRESS, officer=users["pk"], partner_user=users["partner"])
            log_session(referral, users["partner"])

    client = login(users["partner"])
    url = reverse("partners:portal") + "?tab=active"
    add(3)
    client.get(url)
    with CaptureQueriesContext(connection) as three:
        assert client.get(url).status_code == 200
    add(27)
    with CaptureQueriesContext(connection) as thirty:
        response = client.get(url)
    assert len(three) == len(thirty)
    assert len(response.context["page"]) == 25
    assert len(client.get(url + "&page=2").context["page"]) == 5


# --- Partner staff reach nothing outside the portal ----------


def _officer_urls(referral):
    client_pk, order_pk = referral.order.client.pk, referral.order.pk
    urls = [
        reverse("partners:directory"), reverse("partners:detail", args=[referral.partner.pk]),
        reverse("partners:edit", args=[referral.partner.pk]),
        reverse("partners:referrals"), reverse("partners:referral_detail", args=[referral.pk]),
        reverse("partners:referral_edit", args=[referral.pk]),
        reverse("partners:referral_create") + f"?order={order_pk}",
        reverse("partners:services"),
        reverse("office_detail", args=[referral.order.client.office_id]), reverse("offices"),
        reverse("users"),
    ]
    for name, args in [("clients:caseload", []), ("clients:detail", [client_pk]),
                       ("clients:edit", [client_pk]), ("clients:photo", [client_pk]),
                       ("clients:order_detail", [client_pk, order_pk]),
                       ("clients:order_edit", [client_pk, order_pk]),
                       ("clients:contact_plan", [order_pk]), ("clients:register", []),
                       ("clients:awaiting_outcomes", []), ("clients:revocations", [])]:
        try:
            urls.append(reverse(name, args=args))
        except Exception:  # noqa: S112 - a clients page not built yet cannot leak either
            continue
    return urls


def test_partner_staff_reach_no_officer_page_even_of_a_referred_client(login, users,
                                                                       make_referral):
    referral = make_referral(S.IN_PROGRESS, share_nik=True)
    client = login(users["partner"])
    for url in _officer_urls(referral):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert CLIENT_NIK.encode() not in response.content, url
    for url in _officer_urls(referral)[:8]:  # the partners app's own pages: always 404
        assert client.get(url).status_code == 404, url
