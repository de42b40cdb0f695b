"""Closing an order: one service, a status-change row per change, never overwritten."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bapas.models import Role
from clients.models import OrderStatus, OrderStatusChange, RevocationProposal, SupervisionOrder
from clients.services.orders import order_change_status
from tests.factories import ClientFactory, ContactFactory, OrderFactory, UserFactory

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def status_url(order):
    return reverse("clients:order_status", args=[order.client_id, order.pk])


def status_data(**overrides):
    data = {"to_status": "selesai", "effective_date": TODAY.isoformat(),
            "reason": "Masa bimbingan berakhir", "reference": "PAS-99/2026"}
    data.update(overrides)
    return data


# --- The service ---------------------------------------------------------------------------


def test_closing_writes_a_status_change_row_and_history(users, own_order):
    change = order_change_status(
        order=own_order, to_status=OrderStatus.COMPLETED, reason="Masa bimbingan berakhir",
        effective_date=TODAY, reference="W15.PAS-1/2026", by=users["pk"],
    )
    own_order.refresh_from_db()
    assert own_order.status == OrderStatus.COMPLETED
    assert own_order.status_changed_at == TODAY
    assert (change.from_status, change.to_status) == (OrderStatus.ACTIVE, OrderStatus.COMPLETED)
    assert change.reason == "Masa bimbingan berakhir"
    assert change.reference == "W15.PAS-1/2026"
    assert change.changed_by == users["pk"]
    latest = own_order.history.first()
    assert latest.status == OrderStatus.COMPLETED
    assert latest.history_user == users["pk"]
    assert own_order.history.count() == 2


def test_a_closed_order_cannot_change_again(users, own_order):
    order_change_status(order=own_order, to_status=OrderStatus.DECEASED, reason="Meninggal dunia",
                        effective_date=TODAY, by=users["pk"])
    with pytest.raises(ValidationError, match="already closed"):
        order_change_status(order=own_order, to_status=OrderStatus.COMPLETED, reason="x",
                            effective_date=TODAY, by=users["supervisor"])
    own_order.refresh_from_db()
    assert own_order.status == OrderStatus.DECEASED
    assert OrderStatusChange.objects.filter(order=own_order).count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reason": "  "}, "reason"),
        ({"effective_date": TODAY + timedelta(days=1)}, "effective_date"),
        ({"effective_date": None}, "effective_date"),
        ({"effective_date": TODAY - timedelta(days=61)}, "effective_date"),  # before the start
        ({"to_status": OrderStatus.ACTIVE}, "to_status"),
    ],
)
def test_service_refuses_bad_input_and_saves_nothing(users, own_order, kwargs, field):
    args = {"order": own_order, "to_status": OrderStatus.COMPLETED, "reason": "Selesai",
            "effective_date": TODAY, "by": users["pk"]}
    args.update(kwargs)
    with pytest.raises(ValidationError) as excinfo:
        order_change_status(**args)
    assert field in excinfo.value.error_dict
    own_order.refresh_from_db()
    assert own_order.status == OrderStatus.ACTIVE
    assert not OrderStatusChange.objects.exists()
    assert own_order.history.count() == 1


def test_pk_cannot_revoke_directly(users, own_order):
    with pytest.raises(PermissionDenied):
        order_change_status(order=own_order, to_status=OrderStatus.REVOKED, reason="x",
                            effective_date=TODAY, by=users["pk"])
    assert not OrderStatusChange.objects.exists()


def test_supervisor_may_revoke_directly(users, own_order):
    order_change_status(order=own_order, to_status=OrderStatus.REVOKED, reason="Tindak pidana baru",
                        effective_date=TODAY, by=users["supervisor"])
    own_order.refresh_from_db()
    assert own_order.status == OrderStatus.REVOKED


@pytest.mark.parametrize("role", ["pk2", "operator", "other_pk"])
def test_service_refuses_users_without_the_case(users, own_order, role):
    with pytest.raises(PermissionDenied):
        order_change_status(order=own_order, to_status=OrderStatus.COMPLETED, reason="x",
                            effective_date=TODAY, by=users[role])


def test_closing_cancels_later_planned_contacts_only(users, own_order):
    now = timezone.now()
    past_open = ContactFactory(order=own_order, planned_at=now - timedelta(days=3))
    future = ContactFactory(order=own_order, planned_at=now + timedelta(days=7))
    done = ContactFactory(order=own_order, planned_at=now + timedelta(days=8),
                          outcome="hadir_patuh")
    order_change_status(order=own_order, to_status=OrderStatus.TRANSFERRED,
                        reason="Pindah domisili ke Surabaya", effective_date=TODAY,
                        by=users["pk"])
    for contact in (past_open, future, done):
        contact.refresh_from_db()
    assert future.cancelled_at is not None
    assert "transferred" in future.cancel_reason
    assert future.history.first().history_user == users["pk"]
    assert past_open.cancelled_at is None  # still waits for its outcome
    assert done.cancelled_at is None


def test_closing_withdraws_a_pending_revocation(users, own_order):
    proposal = RevocationProposal.objects.create(order=own_order, reasons="Tidak lapor",
                                                 proposed_by=users["pk"])
    order_change_status(order=own_order, to_status=OrderStatus.DECEASED, reason="Meninggal",
                        effective_date=TODAY, by=users["supervisor"])
    proposal.refresh_from_db()
    assert proposal.status == RevocationProposal.Status.WITHDRAWN
    assert proposal.decided_by == users["supervisor"]


# --- The status page -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["pk", "supervisor", "head"])
def test_allowed_roles_close_an_order_through_the_form(login, users, own_order, role):
    web = login(users[role])
    assert web.get(status_url(own_order)).status_code == 200
    response = web.post(status_url(own_order), status_data())
    assert response.status_code == 302
    assert response["Location"] == own_order.get_absolute_url()
    own_order.refresh_from_db()
    assert own_order.status == OrderStatus.COMPLETED
    change = OrderStatusChange.objects.get(order=own_order)
    assert change.changed_by == users[role]
    assert change.reference == "PAS-99/2026"
    assert own_order.history.first().history_user == users[role]


@pytest.mark.parametrize("role", ["pk2", "other_pk"])
def test_status_page_is_404_for_pks_without_the_case(login, users, own_order, role):
    web = login(users[role])
    assert web.get(status_url(own_order)).status_code == 404
    assert web.post(status_url(own_order), status_data()).status_code == 404
    assert not OrderStatusChange.objects.exists()


@pytest.mark.parametrize(("role", "status"), [
    ("operator", 403), ("partner", 404), ("regional", 403), ("admin", 403)])
def test_status_page_refuses_roles_without_casework(login, users, own_order, role, status):
    web = login(users[role])
    assert web.get(status_url(own_order)).status_code == status
    assert web.post(status_url(own_order), status_data()).status_code == status
    assert not OrderStatusChange.objects.exists()


def test_other_office_supervisor_gets_404(login, users, own_order, other_office):
    boss = UserFactory(role=Role.SUPERVISOR, office=other_office)
    assert login(boss).get(status_url(own_order)).status_code == 404


def test_cover_pk_cannot_close_a_colleagues_order(login, users, colleague_order):
    colleague_order.cover_pk = users["pk"]
    colleague_order.save()
    assert login(users["pk"]).get(status_url(colleague_order)).status_code == 403


def test_revoked_is_not_offered_to_a_pk(login, users, own_order):
    web = login(users["pk"])
    choices = dict(web.get(status_url(own_order)).context["form"].fields["to_status"].choices)
    assert "dicabut" not in choices
    response = web.post(status_url(own_order), status_data(to_status="dicabut"))
    assert response.status_code == 200
    assert "to_status" in response.context["form"].errors
    own_order.refresh_from_db()
    assert own_order.status == OrderStatus.ACTIVE


def test_supervisor_is_offered_revoked(login, users, own_order):
    form = login(users["supervisor"]).get(status_url(own_order)).context["form"]
    assert "dicabut" in dict(form.fields["to_status"].choices)


def test_status_can_be_preselected_from_a_list(login, users, own_order):
    form = login(users["pk"]).get(status_url(own_order) + "?to=meninggal").context["form"]
    assert form["to_status"].value() == "meninggal"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"effective_date": (TODAY + timedelta(days=2)).isoformat()}, "effective_date",
         "cannot be in the future"),
        ({"reason": ""}, "reason", "required"),
        ({"effective_date": (TODAY - timedelta(days=365)).isoformat()}, "effective_date",
         "before the supervision start"),
    ],
)
def test_bad_status_input_shows_the_message_and_keeps_the_input(login, users, own_order,
                                                                 overrides, field, message):
    response = login(users["pk"]).post(status_url(own_order), status_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in errors[field][0]
    assert "PAS-99/2026" in response.content.decode()  # typed values kept
    own_order.refresh_from_db()
    assert own_order.status == OrderStatus.ACTIVE
    assert not OrderStatusChange.objects.exists()


def test_closed_order_status_form_refuses_with_a_message(login, users, own_order):
    order_change_status(order=own_order, to_status=OrderStatus.COMPLETED, reason="Selesai",
                        effective_date=TODAY, by=users["pk"])
    web = login(users["supervisor"])
    response = web.post(status_url(own_order), status_data(to_status="meninggal"), follow=True)
    assert response.redirect_chain[-1][0] == own_order.get_absolute_url()
    assert "already closed" in response.content.decode()
    own_order.refresh_from_db()
    assert own_order.status == OrderStatus.COMPLETED
    assert OrderStatusChange.objects.filter(order=own_order).count() == 1


def test_order_page_lists_the_status_history(login, users, own_order):
    order_change_status(order=own_order, to_status=OrderStatus.TRANSFERRED,
                        reason="Pindah ke Bapas Surabaya", effective_date=TODAY,
                        reference="W15-123", by=users["pk"])
    response = login(users["supervisor"]).get(own_order.get_absolute_url())
    content = response.content.decode()
    assert "Pindah ke Bapas Surabaya" in content
    assert "W15-123" in content
    assert users["pk"].full_name in content


# --- Orders to close -----------------------------------------------------------------------


TO_CLOSE = reverse("clients:orders_to_close")


def overdue(office, pk, n=1):
    return [
        OrderFactory(client=ClientFactory(office=office), assigned_pk=pk,
                     supervision_start=TODAY - timedelta(days=400),
                     supervision_end=TODAY - timedelta(days=1 + i))
        for i in range(n)
    ]


def test_pk_sees_only_own_overdue_orders(login, users, office, own_order):
    mine = overdue(office, users["pk"], 2)
    overdue(office, users["pk2"], 1)
    response = login(users["pk"]).get(TO_CLOSE)
    assert response.status_code == 200
    assert set(response.context["page"]) == set(mine)
    assert own_order not in response.context["page"]  # not yet ended
    assert status_url(mine[0]) in response.content.decode()


def test_supervisor_sees_the_office_and_filters_by_pk(login, users, office, other_office):
    mine = overdue(office, users["pk"], 2)
    theirs = overdue(office, users["pk2"], 1)
    overdue(other_office, users["other_pk"], 1)
    web = login(users["supervisor"])
    assert set(web.get(TO_CLOSE).context["page"]) == set(mine + theirs)
    filtered = web.get(TO_CLOSE, {"officer": users["pk2"].pk}).context["page"]
    assert list(filtered) == theirs


def test_closed_orders_leave_the_list(login, users, office):
    (order,) = overdue(office, users["pk"])
    order_change_status(order=order, to_status=OrderStatus.COMPLETED, reason="Selesai",
                        effective_date=TODAY, by=users["pk"])
    assert list(login(users["pk"]).get(TO_CLOSE).context["page"]) == []


@pytest.mark.parametrize(("role", "status"), [
    ("operator", 403), ("partner", 404), ("regional", 403)])
def test_orders_to_close_refuses_other_roles(login, users, role, status):
    assert login(users[role]).get(TO_CLOSE).status_code == status


def test_other_office_pk_sees_none_of_ours(login, users, office):
    overdue(office, users["pk"], 2)
    assert list(login(users["other_pk"]).get(TO_CLOSE).context["page"]) == []


def test_orders_to_close_paginates_by_25(login, users, office):
    overdue(office, users["pk"], 30)
    web = login(users["supervisor"])
    assert len(web.get(TO_CLOSE).context["page"]) == 25
    assert len(web.get(TO_CLOSE, {"page": 2}).context["page"]) == 5


def test_orders_to_close_runs_constant_queries(login, users, office):
    web = login(users["supervisor"])
    overdue(office, users["pk"], 3)
    with CaptureQueriesContext(connection) as few:
        web.get(TO_CLOSE)
    overdue(office, users["pk2"], 27)
    with CaptureQueriesContext(connection) as many:
        response = web.get(TO_CLOSE)
    assert len(response.context["page"]) == 25
    assert len(few) == len(many)


def test_pending_revocation_is_marked_in_the_list(login, users, office):
    (order,) = overdue(office, users["pk"])
    RevocationProposal.objects.create(order=order, reasons="x", proposed_by=users["pk"])
    response = login(users["supervisor"]).get(TO_CLOSE)
    assert "revocation pending" in response.content.decode()
    assert SupervisionOrder.objects.overdue_for_closing().count() == 1
