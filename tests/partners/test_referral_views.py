"""Officers' referral pages: create (draft or send), the referral page, actions and the list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bapas.models import AccessLog
from partners.models import Referral, ReferralGoal, ReferralStatus
from tests.factories import ClientFactory, OrderFactory
from tests.factories.partners import ReferralFactory, advance, log_session

S = ReferralStatus

# Who may open pk's client's referral pages: 200 for these, 404 (no hint) or 403 for the rest.
DETAIL_ACCESS = {
    "pk": 200, "supervisor": 200, "head": 200,
    "pk2": 404, "other_pk": 404, "partner": 404,
    "operator": 403, "regional": 403, "admin": 403,
}


def referral_form(partner, service, **overrides):
    data = {"service": service.pk, "partner": partner.pk,
            "goals": "Memiliki KTP-el\n\nMemiliki Kartu Keluarga\n",
            "note_for_partner": "Klien belum punya KTP-el",
            "consent_given_at": timezone.localdate().isoformat(), "consent_method": "written",
            "action": "send"}
    data.update(overrides)
    return data


@pytest.fixture
def offering(partner, service):
    partner.services.add(service)
    return partner


# --- Creating ----------


@pytest.mark.parametrize(("role", "status"), DETAIL_ACCESS.items())
def test_who_may_open_the_referral_form_for_pks_client(login, users, own_order, role, status):
    url = reverse("partners:referral_create") + f"?order={own_order.pk}"
    assert login(users[role]).get(url).status_code == status


def test_pk_cannot_refer_another_office_client(login, users, foreign_order):
    url = reverse("partners:referral_create") + f"?order={foreign_order.pk}"
    assert login(users["pk"]).get(url).status_code == 404


def test_covering_pk_sees_but_cannot_refer(login, users, colleague_order):
    colleague_order.cover_pk = users["pk"]
    colleague_order.save()
    url = reverse("partners:referral_create") + f"?order={colleague_order.pk}"
    assert login(users["pk"]).get(url).status_code == 403


def test_without_an_order_the_pk_picks_one_of_their_own(login, users, own_order,
                                                        colleague_order):
    response = login(users["pk"]).get(reverse("partners:referral_create"))
    assert response.status_code == 200
    assert list(response.context["orders"]) == [own_order]


def test_pk_refers_and_sends(login, users, own_order, offering, service):
    response = login(users["pk"]).post(
        reverse("partners:referral_create") + f"?order={own_order.pk}",
        referral_form(offering, service),
    )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("partners:referral_detail", args=[referral.pk])
    assert referral.status == S.SENT
    assert referral.created_by == users["pk"]
    assert list(referral.goals.values_list("description", flat=True)) == [
        "Memiliki KTP-el", "Memiliki Kartu Keluarga"
    ]
    assert not referral.share_nik  # nothing shared unless ticked


def test_sending_without_consent_is_refused_with_a_clear_message_and_nothing_saved(
    login, users, own_order, offering, service
):
    response = login(users["pk"]).post(
        reverse("partners:referral_create") + f"?order={own_order.pk}",
        referral_form(offering, service, consent_given_at="", consent_method=""),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Record the client&#x27;s consent" in body
    assert "Memiliki KTP-el" in body  # what was typed is kept
    assert not Referral.objects.exists()
    assert not ReferralGoal.objects.exists()


def test_draft_without_consent_is_saved_then_sent_after_consent(login, users, own_order,
                                                               offering, service):
    client = login(users["pk"])
    client.post(reverse("partners:referral_create") + f"?order={own_order.pk}",
                referral_form(offering, service, consent_given_at="", consent_method="",
                              action="draft"))
    referral = Referral.objects.get()
    assert referral.status == S.DRAFT
    # Sending from the page without consent: refused with the message, still a draft.
    response = client.post(reverse("partners:referral_action", args=[referral.pk]),
                           {"to": S.SENT})
    assert response.status_code == 200
    assert "consent" in response.content.decode()
    assert Referral.objects.get().status == S.DRAFT
    # Editing the draft with consent and sending.
    response = client.post(reverse("partners:referral_edit", args=[referral.pk]),
                           referral_form(offering, service, share_nik="on"))
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == S.SENT and referral.share_nik


def test_partner_not_offering_the_service_is_refused(login, users, own_order, partner,
                                                     service):
    response = login(users["pk"]).post(
        reverse("partners:referral_create") + f"?order={own_order.pk}",
        referral_form(partner, service),
    )
    assert response.status_code == 200
    assert "does not offer" in response.content.decode()
    assert not Referral.objects.exists()


def test_partner_of_another_office_cannot_be_chosen(login, users, own_order, service,
                                                    other_office):
    from tests.factories import PartnerFactory

    stranger = PartnerFactory(name="Mitra Bondowoso", offices=[other_office])
    stranger.services.add(service)
    response = login(users["pk"]).post(
        reverse("partners:referral_create") + f"?order={own_order.pk}",
        referral_form(stranger, service),
    )
    assert response.status_code == 200
    assert not Referral.objects.exists()


def test_goals_are_required(login, users, own_order, offering, service):
    response = login(users["pk"]).post(
        reverse("partners:referral_create") + f"?order={own_order.pk}",
        referral_form(offering, service, goals="  \n "),
    )
    assert response.status_code == 200
    assert not Referral.objects.exists()


def test_only_drafts_can_be_edited(login, users, make_referral):
    referral = make_referral(S.SENT)
    response = login(users["pk"]).get(reverse("partners:referral_edit", args=[referral.pk]))
    assert response.status_code == 302


# --- The referral page ----------


@pytest.mark.parametrize(("role", "status"), DETAIL_ACCESS.items())
def test_who_may_open_the_referral_page(login, users, make_referral, role, status):
    referral = make_referral(S.IN_PROGRESS)
    assert login(users[role]).get(
        reverse("partners:referral_detail", args=[referral.pk])
    ).status_code == status
    response = login(users[role]).post(reverse("partners:referral_action", args=[referral.pk]),
                                       {"to": S.WITHDRAWN, "reason": "x"})
    assert response.status_code == (302 if status == 200 else status)


def test_referral_page_shows_timeline_sessions_and_report(login, users, make_referral):
    referral = make_referral(S.IN_PROGRESS)
    log_session(referral, users["partner"], activity="Sesi konseling pertama")
    response = login(users["pk"]).get(reverse("partners:referral_detail", args=[referral.pk]))
    body = response.content.decode()
    assert "Sesi konseling pertama" in body
    assert len(response.context["events"]) == 4
    assert [a["to"] for a in response.context["actions"]] == [S.WITHDRAWN, S.ENDED_EARLY]
    assert AccessLog.objects.filter(user=users["pk"], object_id=str(referral.pk)).exists()


def test_draft_page_offers_send_and_withdraw(login, users, referral):
    response = login(users["pk"]).get(reverse("partners:referral_detail", args=[referral.pk]))
    assert [a["to"] for a in response.context["actions"]] == [S.SENT, S.WITHDRAWN]
    assert response.context["can_edit"]


def test_withdraw_without_reason_shows_the_message_and_changes_nothing(login, users,
                                                                     make_referral):
    referral = make_referral(S.SENT)
    response = login(users["pk"]).post(reverse("partners:referral_action", args=[referral.pk]),
                                       {"to": S.WITHDRAWN, "reason": ""})
    assert response.status_code == 200
    assert "Give a reason." in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == S.SENT


def test_officer_cannot_accept_on_the_partners_behalf(login, users, make_referral):
    referral = make_referral(S.SENT)
    response = login(users["supervisor"]).post(
        reverse("partners:referral_action", args=[referral.pk]), {"to": S.ACCEPTED}
    )
    assert response.status_code == 404
    assert Referral.objects.get(pk=referral.pk).status == S.SENT


def test_closed_referral_refuses_with_a_message(login, users, make_referral):
    referral = make_referral(S.DECLINED)
    response = login(users["pk"]).post(reverse("partners:referral_action", args=[referral.pk]),
                                       {"to": S.WITHDRAWN, "reason": "x"})
    assert response.status_code == 200
    assert "closed" in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == S.DECLINED


# --- The office list ----------


def test_pk_sees_their_caseloads_referrals_supervisor_the_office(
    login, users, make_referral, colleague_order, foreign_order, partner, service
):
    mine = make_referral(S.SENT)
    colleagues = make_referral(S.SENT, order=colleague_order)
    ReferralFactory(order=foreign_order, service=service)
    pk_page = login(users["pk"]).get(reverse("partners:referrals")).context["page"]
    assert [r.pk for r in pk_page] == [mine.pk]
    sup_page = login(users["supervisor"]).get(reverse("partners:referrals")).context["page"]
    assert {r.pk for r in sup_page} == {mine.pk, colleagues.pk}


@pytest.mark.parametrize(("role", "status"), [("pk", 200), ("supervisor", 200), ("head", 200),
                                              ("operator", 403), ("regional", 403),
                                              ("admin", 403), ("partner", 404)])
def test_who_may_open_the_referral_list(login, users, role, status):
    assert login(users[role]).get(reverse("partners:referrals")).status_code == status


def test_referral_list_filters_by_status_and_partner(login, users, make_referral, other_partner,
                                                     colleague_order):
    sent = make_referral(S.SENT)
    done = make_referral(S.COMPLETED, order=colleague_order)
    client = login(users["supervisor"])
    url = reverse("partners:referrals")
    assert [r.pk for r in client.get(url + "?status=sent").context["page"]] == [sent.pk]
    assert [r.pk for r in client.get(url + "?status=completed").context["page"]] == [done.pk]
    assert [r.pk for r in client.get(url + "?status=open").context["page"]] == [sent.pk]
    assert list(client.get(url + f"?partner={other_partner.pk}").context["page"]) == []


def test_referral_list_query_count_is_constant(login, users, partner, service, office):
    def add(n):
        for _ in range(n):
            order = OrderFactory(client=ClientFactory(office=office), assigned_pk=users["pk"])
            referral = ReferralFactory(order=order, partner=partner, service=service)
            advance(referral, S.ACCEPTED, officer=users["pk"], partner_user=users["partner"])

    client = login(users["supervisor"])
    url = reverse("partners:referrals")
    add(3)
    client.get(url)
    with CaptureQueriesContext(connection) as three:
        client.get(url)
    add(27)
    with CaptureQueriesContext(connection) as thirty:
        response = client.get(url)
    assert len(three) == len(thirty)
    assert len(response.context["page"]) == 25
    assert len(client.get(url + "?page=2").context["page"]) == 5
