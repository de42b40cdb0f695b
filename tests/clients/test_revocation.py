"""Breach: warning letters (SP1-SP3), revocation proposals and the manager's decision."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bapas.models import AccessLog, Role
from clients.models import (
    OrderStatus,
    OrderStatusChange,
    Outcome,
    RevocationProposal,
    WarningLetter,
)
from clients.services.orders import (
    next_warning_level,
    order_change_status,
    revocation_decide,
    revocation_propose,
    warning_issue,
)
from tests.factories import ClientFactory, ContactFactory, OrderFactory, UserFactory

TODAY = timezone.localdate()
REVOCATIONS = reverse("clients:revocations")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def warning_url(order):
    return reverse("clients:warning_add", args=[order.client_id, order.pk])


def propose_url(order):
    return reverse("clients:revocation_propose", args=[order.client_id, order.pk])


def decide_url(proposal):
    return reverse("clients:revocation_decide", args=[proposal.pk])


def warning_data(**overrides):
    data = {"level": "sp1", "number": "W15.PAS.PAS9-PK.01.05-123",
            "issued_on": TODAY.isoformat(), "reason": "Tidak wajib lapor tiga kali berturut-turut"}
    data.update(overrides)
    return data


def approve_data(**overrides):
    data = {"decision": "approve", "reason": "Sidang TPP 12 Mei merekomendasikan pencabutan",
            "decree_number": "PAS-1001.PK.05.09/2026", "decree_date": TODAY.isoformat()}
    data.update(overrides)
    return data


@pytest.fixture
def proposal(users, own_order):
    return revocation_propose(order=own_order, reasons="Tidak lapor tiga kali berturut-turut",
                              by=users["pk"])


# --- Warning letters -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["pk", "supervisor", "head"])
def test_allowed_roles_record_a_warning_letter(login, users, own_order, role):
    web = login(users[role])
    assert web.get(warning_url(own_order)).status_code == 200
    response = web.post(warning_url(own_order), warning_data())
    assert response.status_code == 302
    letter = WarningLetter.objects.get(order=own_order)
    assert letter.level == "sp1"
    assert letter.issued_by == users[role]
    assert letter.history.get().history_user == users[role]


@pytest.mark.parametrize("role", ["pk2", "other_pk"])
def test_warning_page_is_404_for_pks_without_the_case(login, users, own_order, role):
    web = login(users[role])
    assert web.get(warning_url(own_order)).status_code == 404
    assert web.post(warning_url(own_order), warning_data()).status_code == 404
    assert not WarningLetter.objects.exists()


@pytest.mark.parametrize(("role", "status"), [
    ("operator", 403), ("partner", 404), ("regional", 403), ("admin", 403)])
def test_warning_page_refuses_other_roles(login, users, own_order, role, status):
    assert login(users[role]).post(warning_url(own_order), warning_data()).status_code == status
    assert not WarningLetter.objects.exists()


def test_the_next_warning_level_is_suggested(login, users, own_order):
    web = login(users["pk"])
    assert web.get(warning_url(own_order)).context["form"]["level"].value() == "sp1"
    warning_issue(order=own_order, level="sp1", number="1", issued_on=TODAY, reason="x",
                  by=users["pk"])
    assert web.get(warning_url(own_order)).context["form"]["level"].value() == "sp2"
    warning_issue(order=own_order, level="sp3", number="3", issued_on=TODAY, reason="x",
                  by=users["pk"])
    assert next_warning_level(own_order) == "sp3"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"issued_on": (TODAY + timedelta(days=1)).isoformat()}, "issued_on", "future"),
        ({"issued_on": (TODAY - timedelta(days=200)).isoformat()}, "issued_on",
         "before the supervision start"),
        ({"number": ""}, "number", "required"),
        ({"reason": ""}, "reason", "required"),
        ({"level": "sp9"}, "level", "valid choice"),
    ],
)
def test_bad_warning_input_is_refused(login, users, own_order, overrides, field, message):
    response = login(users["pk"]).post(warning_url(own_order), warning_data(**overrides))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert not WarningLetter.objects.exists()


def test_no_warnings_on_a_closed_order(users, own_order):
    order_change_status(order=own_order, to_status=OrderStatus.COMPLETED, reason="Selesai",
                        effective_date=TODAY, by=users["pk"])
    with pytest.raises(ValidationError):
        warning_issue(order=own_order, level="sp1", number="1", issued_on=TODAY, reason="x",
                      by=users["pk"])


# --- Proposing -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["pk", "supervisor", "head"])
def test_pk_or_manager_proposes_revocation(login, users, own_order, role):
    web = login(users[role])
    assert web.get(propose_url(own_order)).status_code == 200
    response = web.post(propose_url(own_order), {"reasons": "Tiga kali tidak lapor; SP3 diabaikan"})
    assert response.status_code == 302
    proposal = RevocationProposal.objects.get(order=own_order)
    assert proposal.status == RevocationProposal.Status.PENDING
    assert proposal.proposed_by == users[role]
    assert proposal.history.get().history_user == users[role]
    own_order.refresh_from_db()
    assert own_order.status == OrderStatus.ACTIVE  # nothing changes until the decision


@pytest.mark.parametrize("role", ["pk2", "other_pk"])
def test_propose_page_is_404_for_pks_without_the_case(login, users, own_order, role):
    web = login(users[role])
    assert web.get(propose_url(own_order)).status_code == 404
    assert web.post(propose_url(own_order), {"reasons": "x"}).status_code == 404
    assert not RevocationProposal.objects.exists()


@pytest.mark.parametrize(("role", "status"), [
    ("operator", 403), ("partner", 404), ("regional", 403)])
def test_propose_page_refuses_other_roles(login, users, own_order, role, status):
    assert login(users[role]).post(propose_url(own_order), {"reasons": "x"}).status_code == status
    assert not RevocationProposal.objects.exists()


def test_reasons_are_required(login, users, own_order):
    response = login(users["pk"]).post(propose_url(own_order), {"reasons": "   "})
    assert response.status_code == 200
    assert "reasons" in response.context["form"].errors
    assert not RevocationProposal.objects.exists()


def test_second_pending_proposal_is_refused_with_a_clear_message(login, users, own_order,
                                                                 proposal):
    web = login(users["supervisor"])
    page = web.get(propose_url(own_order))
    assert "already awaiting a decision" in page.content.decode()
    response = web.post(propose_url(own_order), {"reasons": "Tindak pidana baru"})
    assert response.status_code == 200
    errors = str(response.context["form"].non_field_errors())
    assert "already has a revocation proposal awaiting a decision" in errors
    assert users["pk"].full_name in errors
    assert "Tindak pidana baru" in response.content.decode()  # typed text kept
    assert RevocationProposal.objects.filter(order=own_order).count() == 1


def test_a_new_proposal_is_possible_after_a_rejection(users, own_order, proposal):
    revocation_decide(proposal=proposal, approve=False, reason="Belum cukup bukti",
                      by=users["head"])
    again = revocation_propose(order=own_order, reasons="SP3 juga diabaikan", by=users["pk"])
    assert again.status == RevocationProposal.Status.PENDING
    assert RevocationProposal.objects.filter(order=own_order).count() == 2


# --- Deciding ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["supervisor", "head"])
def test_approval_revokes_the_order_and_keeps_the_reason(login, users, own_order, proposal,
                                                         role):
    web = login(users[role])
    assert web.get(decide_url(proposal)).status_code == 200
    response = web.post(decide_url(proposal), approve_data())
    assert response.status_code == 302
    assert response["Location"] == own_order.get_absolute_url()
    proposal.refresh_from_db()
    own_order.refresh_from_db()
    assert proposal.status == RevocationProposal.Status.APPROVED
    assert proposal.decided_by == users[role]
    assert proposal.decree_number == "PAS-1001.PK.05.09/2026"
    assert proposal.decree_date == TODAY
    assert own_order.status == OrderStatus.REVOKED
    assert own_order.status_changed_at == TODAY
    change = OrderStatusChange.objects.get(order=own_order)
    assert change.to_status == OrderStatus.REVOKED
    assert change.reason == "Sidang TPP 12 Mei merekomendasikan pencabutan"
    assert change.reference == "PAS-1001.PK.05.09/2026"
    assert change.changed_by == users[role]
    # Every step is kept: proposed, then approved; the order's change is in its history too.
    steps = list(proposal.history.order_by("history_date").values_list("status", "history_user"))
    assert steps == [("pending", users["pk"].pk), ("approved", users[role].pk)]
    assert own_order.history.first().history_user == users[role]
    assert own_order.history.count() == 2


def test_rejection_keeps_the_order_active(login, users, own_order, proposal):
    response = login(users["head"]).post(
        decide_url(proposal), {"decision": "reject", "reason": "Klien kembali patuh"}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    own_order.refresh_from_db()
    assert proposal.status == RevocationProposal.Status.REJECTED
    assert proposal.decision_reason == "Klien kembali patuh"
    assert own_order.status == OrderStatus.ACTIVE
    assert not OrderStatusChange.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (approve_data(decree_number=""), "decree_number"),
        (approve_data(decree_date=""), "decree_date"),
        (approve_data(decree_date=(TODAY + timedelta(days=5)).isoformat()), "decree_date"),
        (approve_data(decree_date=(TODAY - timedelta(days=300)).isoformat()), "decree_date"),
        (approve_data(reason=""), "reason"),
        ({"decision": "reject", "reason": ""}, "reason"),
        ({"reason": "x"}, "decision"),
    ],
)
def test_bad_decisions_are_refused_and_nothing_changes(login, users, own_order, proposal, data,
                                                       field):
    response = login(users["supervisor"]).post(decide_url(proposal), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    proposal.refresh_from_db()
    own_order.refresh_from_db()
    assert proposal.status == RevocationProposal.Status.PENDING
    assert proposal.decided_by is None
    assert proposal.history.count() == 1
    assert own_order.status == OrderStatus.ACTIVE
    assert not OrderStatusChange.objects.exists()


def test_approving_without_a_decree_number_says_so(login, users, proposal):
    response = login(users["supervisor"]).post(decide_url(proposal),
                                                approve_data(decree_number=""))
    assert "revocation decree" in response.context["form"].errors["decree_number"][0]
    assert "Sidang TPP 12 Mei" in response.content.decode()


# Who sees the order but may not decide gets 403; who does not see it (another PK's caseload,
# another office, the regional viewer, partners) gets 404, as on every other client URL.
@pytest.mark.parametrize(("role", "status"), [
    ("pk", 403), ("pk2", 404), ("other_pk", 404), ("operator", 403), ("partner", 404),
    ("regional", 404)])
def test_only_managers_may_decide(login, users, own_order, proposal, role, status):
    web = login(users[role])
    assert web.get(decide_url(proposal)).status_code == status
    assert web.post(decide_url(proposal), approve_data()).status_code == status
    proposal.refresh_from_db()
    assert proposal.status == RevocationProposal.Status.PENDING


def test_another_offices_supervisor_gets_404(login, proposal, other_office):
    boss = UserFactory(role=Role.SUPERVISOR, office=other_office)
    assert login(boss).get(decide_url(proposal)).status_code == 404


def test_service_refuses_a_pk_decision(users, proposal):
    with pytest.raises(PermissionDenied):
        revocation_decide(proposal=proposal, approve=True, reason="x", decree_number="1",
                          decree_date=TODAY, by=users["pk"])


def test_a_decided_proposal_cannot_be_decided_again(login, users, own_order, proposal):
    revocation_decide(proposal=proposal, approve=False, reason="Tidak cukup", by=users["head"])
    with pytest.raises(ValidationError, match="already been decided"):
        revocation_decide(proposal=proposal, approve=True, reason="x", decree_number="1",
                          decree_date=TODAY, by=users["supervisor"])
    response = login(users["supervisor"]).post(decide_url(proposal), approve_data())
    assert response.status_code == 302
    own_order.refresh_from_db()
    assert own_order.status == OrderStatus.ACTIVE


def test_decide_page_is_access_logged(login, users, own_order, proposal):
    login(users["head"]).get(decide_url(proposal))
    log = AccessLog.objects.get(user=users["head"])
    assert log.object_id == str(own_order.pk)


def test_order_page_shows_the_proposal_and_decision(login, users, own_order, proposal):
    revocation_decide(proposal=proposal, approve=True, reason="Rekomendasi TPP",
                      decree_number="PAS-77/2026", decree_date=TODAY, by=users["head"])
    content = login(users["pk"]).get(own_order.get_absolute_url()).content.decode()
    assert "Tidak lapor tiga kali berturut-turut" in content
    assert "Rekomendasi TPP" in content
    assert "PAS-77/2026" in content


# --- The list of proposals -----------------------------------------------------------------


def pending_for(office, pk, n):
    proposals = []
    for _i in range(n):
        order = OrderFactory(client=ClientFactory(office=office), assigned_pk=pk)
        proposals.append(RevocationProposal.objects.create(order=order, reasons="Mangkir",
                                                           proposed_by=pk))
    return proposals


@pytest.mark.parametrize("role", ["supervisor", "head"])
def test_managers_see_the_offices_pending_proposals(login, users, office, other_office, role):
    ours = pending_for(office, users["pk"], 2) + pending_for(office, users["pk2"], 1)
    pending_for(other_office, users["other_pk"], 1)
    response = login(users[role]).get(REVOCATIONS)
    assert response.status_code == 200
    assert set(response.context["page"]) == set(ours)
    assert decide_url(ours[0]) in response.content.decode()


def test_pk_sees_own_proposals_without_a_decide_button(login, users, office):
    mine = pending_for(office, users["pk"], 2)
    pending_for(office, users["pk2"], 1)
    response = login(users["pk"]).get(REVOCATIONS)
    assert set(response.context["page"]) == set(mine)
    assert decide_url(mine[0]) not in response.content.decode()


@pytest.mark.parametrize(("role", "status"), [
    ("operator", 403), ("partner", 404), ("regional", 403)])
def test_revocation_list_refuses_other_roles(login, users, role, status):
    assert login(users[role]).get(REVOCATIONS).status_code == status


def test_list_shows_consecutive_missed_counts(login, users, office):
    (proposal,) = pending_for(office, users["pk"], 1)
    now = timezone.now()
    for days in (21, 14, 7):
        ContactFactory(order=proposal.order, planned_at=now - timedelta(days=days),
                       outcome=Outcome.MISSED)
    rows = login(users["supervisor"]).get(REVOCATIONS).context["rows"]
    assert rows == [(proposal, 3)]


def test_decided_tab_lists_decisions(login, users, office):
    first, second = pending_for(office, users["pk"], 2)
    revocation_decide(proposal=first, approve=False, reason="Tidak cukup", by=users["head"])
    web = login(users["supervisor"])
    assert list(web.get(REVOCATIONS).context["page"]) == [second]
    assert list(web.get(REVOCATIONS, {"tab": "decided"}).context["page"]) == [first]


def test_revocation_list_paginates_by_25(login, users, office):
    pending_for(office, users["pk"], 30)
    web = login(users["supervisor"])
    assert len(web.get(REVOCATIONS).context["page"]) == 25
    assert len(web.get(REVOCATIONS, {"page": 2}).context["page"]) == 5


def test_revocation_list_runs_constant_queries(login, users, office):
    web = login(users["supervisor"])
    pending_for(office, users["pk"], 3)
    with CaptureQueriesContext(connection) as few:
        web.get(REVOCATIONS)
    for proposal in pending_for(office, users["pk2"], 27):
        ContactFactory(order=proposal.order, planned_at=timezone.now() - timedelta(days=2),
                       outcome=Outcome.MISSED)
    with CaptureQueriesContext(connection) as many:
        response = web.get(REVOCATIONS)
    assert len(response.context["rows"]) == 25
    assert len(few) == len(many)
