"""Assigning and reassigning orders to PKs: the service, the three pages, caseload sizes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from bapas.models import Role
from clients.models import OrderStatus, RiskLevel, SupervisionOrder
from clients.services.assignment import orders_assign
from tests.factories import ClientFactory, OrderFactory, UserFactory

BULK_URL = reverse("clients:assign_bulk")
MOVE_URL = reverse("clients:caseload_move")
SIZES_URL = reverse("clients:caseload_sizes")
# Roles without the assignment capability: 403, but partner staff 404 (office pages are
# outside their portal).
REFUSED = {"pk": 403, "operator": 403, "partner": 404, "regional": 403}


def assign_url(order) -> str:
    return reverse("clients:assign", args=[order.pk])


def last_history(order):
    return order.history.order_by("-history_date", "-history_id").first()


def reload(order) -> SupervisionOrder:
    return SupervisionOrder.objects.get(pk=order.pk)


# --- The service ---------------------------------------------------------------------------


def test_assign_moves_the_order_and_keeps_history(users, own_order):
    changed = orders_assign(orders=[own_order], to_pk=users["pk2"], by=users["supervisor"],
                            reason="Cuti melahirkan")
    assert changed == [own_order]
    assert reload(own_order).assigned_pk == users["pk2"]
    entry = last_history(own_order)
    assert entry.history_user == users["supervisor"]
    assert entry.history_change_reason == "Cuti melahirkan"
    assert entry.assigned_pk_id == users["pk2"].pk
    # The earlier state is still in the history.
    assert own_order.history.filter(assigned_pk_id=users["pk"].pk).exists()


def test_assign_sets_and_removes_cover(users, own_order):
    orders_assign(orders=[own_order], to_pk=users["pk"], by=users["head"], cover_pk=users["pk2"])
    assert reload(own_order).cover_pk == users["pk2"]
    orders_assign(orders=[own_order], to_pk=users["pk"], by=users["head"], cover_pk=None)
    assert reload(own_order).cover_pk is None


def test_cover_is_dropped_when_the_cover_becomes_the_pk(users, own_order):
    own_order.cover_pk = users["pk2"]
    own_order.save()
    orders_assign(orders=[own_order], to_pk=users["pk2"], by=users["supervisor"])
    order = reload(own_order)
    assert order.assigned_pk == users["pk2"] and order.cover_pk is None


def test_unchanged_orders_write_no_history(users, own_order):
    before = own_order.history.count()
    assert orders_assign(orders=[own_order], to_pk=users["pk"], by=users["supervisor"]) == []
    assert own_order.history.count() == before


def test_pk_of_another_office_is_refused(users, own_order):
    with pytest.raises(ValidationError) as error:
        orders_assign(orders=[own_order], to_pk=users["other_pk"], by=users["supervisor"])
    assert "to_pk" in error.value.error_dict
    assert reload(own_order).assigned_pk == users["pk"]


@pytest.mark.parametrize("role", ["operator", "supervisor"])
def test_only_active_pks_can_take_orders(users, own_order, role):
    with pytest.raises(ValidationError):
        orders_assign(orders=[own_order], to_pk=users[role], by=users["supervisor"])


def test_deactivated_pk_is_refused(users, office, own_order):
    leaver = UserFactory(role=Role.PK, office=office, is_active=False)
    with pytest.raises(ValidationError):
        orders_assign(orders=[own_order], to_pk=leaver, by=users["supervisor"])


def test_cover_of_another_office_or_same_as_pk_is_refused(users, own_order):
    with pytest.raises(ValidationError) as error:
        orders_assign(orders=[own_order], to_pk=users["pk"], by=users["supervisor"],
                      cover_pk=users["other_pk"])
    assert "cover_pk" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        orders_assign(orders=[own_order], to_pk=users["pk"], by=users["supervisor"],
                      cover_pk=users["pk"])
    assert "cover_pk" in error.value.error_dict


def test_closed_orders_are_not_reassigned(users, own_order):
    SupervisionOrder.objects.filter(pk=own_order.pk).update(status=OrderStatus.COMPLETED)
    with pytest.raises(ValidationError):
        orders_assign(orders=[own_order], to_pk=users["pk2"], by=users["supervisor"])


@pytest.mark.parametrize("role", ["pk", "operator", "partner", "regional", "admin"])
def test_roles_without_the_capability_cannot_assign(users, own_order, role):
    with pytest.raises(PermissionDenied):
        orders_assign(orders=[own_order], to_pk=users["pk2"], by=users[role])


def test_supervisor_cannot_touch_another_offices_orders(users, foreign_order, other_office):
    colleague = UserFactory(role=Role.PK, office=other_office)
    with pytest.raises(PermissionDenied):
        orders_assign(orders=[foreign_order], to_pk=colleague, by=users["supervisor"])
    assert reload(foreign_order).assigned_pk == users["other_pk"]


def test_a_failure_saves_nothing(users, own_order, colleague_order):
    SupervisionOrder.objects.filter(pk=colleague_order.pk).update(status=OrderStatus.REVOKED)
    with pytest.raises(ValidationError):
        orders_assign(orders=[own_order, colleague_order], to_pk=users["pk2"],
                      by=users["supervisor"])
    assert reload(own_order).assigned_pk == users["pk"]


# --- Single assignment page ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["supervisor", "head"])
def test_managers_open_and_use_the_assign_page(login, users, own_order, role):
    client = login(users[role])
    page = client.get(assign_url(own_order))
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    response = client.post(assign_url(own_order), {
        "to_pk": users["pk2"].pk, "cover_pk": users["pk"].pk, "reason": "Rotasi",
    })
    assert response.status_code == 302
    order = reload(own_order)
    assert (order.assigned_pk, order.cover_pk) == (users["pk2"], users["pk"])
    assert last_history(own_order).history_change_reason == "Rotasi"


@pytest.mark.parametrize(("role", "status"), REFUSED.items())
def test_assign_page_is_refused_to_other_roles(login, users, own_order, role, status):
    client = login(users[role])
    assert client.get(assign_url(own_order)).status_code == status
    assert client.post(assign_url(own_order), {"to_pk": users["pk2"].pk}).status_code == status
    assert reload(own_order).assigned_pk == users["pk"]


def test_another_offices_order_is_404_for_a_supervisor(login, users, foreign_order):
    client = login(users["supervisor"])
    assert client.get(assign_url(foreign_order)).status_code == 404
    assert client.post(assign_url(foreign_order), {"to_pk": users["pk"].pk}).status_code == 404


def test_assign_page_offers_only_active_pks_of_the_clients_office(login, users, office,
                                                                  own_order):
    UserFactory(role=Role.PK, office=office, is_active=False, email="gone@test.local")
    form = login(users["supervisor"]).get(assign_url(own_order)).context["form"]
    offered = set(form.fields["to_pk"].queryset)
    assert offered == {users["pk"], users["pk2"]}


def test_choosing_a_pk_of_another_office_shows_an_error_and_saves_nothing(
    login, users, own_order
):
    response = login(users["supervisor"]).post(assign_url(own_order), {
        "to_pk": users["other_pk"].pk, "reason": "Coba",
    })
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["to_pk"]
    assert form["reason"].value() == "Coba"
    assert reload(own_order).assigned_pk == users["pk"]


def test_missing_pk_and_cover_equal_to_pk_are_reported_next_to_the_fields(
    login, users, own_order
):
    client = login(users["supervisor"])
    response = client.post(assign_url(own_order), {"to_pk": "", "reason": "x"})
    assert response.context["form"].errors["to_pk"]
    response = client.post(assign_url(own_order), {
        "to_pk": users["pk2"].pk, "cover_pk": users["pk2"].pk,
    })
    assert response.context["form"].errors["cover_pk"]
    assert 'is-invalid' in response.content.decode()
    assert reload(own_order).assigned_pk == users["pk"]


def test_closed_order_cannot_be_assigned_on_the_page(login, users, own_order):
    SupervisionOrder.objects.filter(pk=own_order.pk).update(status=OrderStatus.COMPLETED)
    response = login(users["supervisor"]).post(assign_url(own_order),
                                               {"to_pk": users["pk2"].pk})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert reload(own_order).assigned_pk == users["pk"]


def test_assign_redirects_back_to_the_filtered_list_but_never_off_site(login, users,
                                                                       own_order):
    client = login(users["supervisor"])
    back = reverse("clients:caseload") + "?risk_level=rendah"
    response = client.post(assign_url(own_order), {"to_pk": users["pk2"].pk, "next": back})
    assert response["Location"] == back
    response = client.post(assign_url(own_order), {"to_pk": users["pk"].pk,
                                                   "next": "https://evil.example/"})
    assert response["Location"] == reverse("clients:caseload")


# --- Bulk assignment from the list --------------------------------------------------------


@pytest.fixture
def pk_caseload(users, office):
    return [
        OrderFactory(client=ClientFactory(office=office, full_name=f"Klien {n}"),
                     assigned_pk=users["pk"])
        for n in range(4)
    ]


def test_bulk_reassign_moves_the_ticked_rows_and_writes_history(login, users, pk_caseload):
    ticked = pk_caseload[:3]
    response = login(users["supervisor"]).post(BULK_URL, {
        "orders": [o.pk for o in ticked], "to_pk": users["pk2"].pk, "reason": "Mutasi",
        "next": reverse("clients:caseload"),
    })
    assert response.status_code == 302
    for order in ticked:
        assert reload(order).assigned_pk == users["pk2"]
        entry = last_history(order)
        assert (entry.history_user, entry.history_change_reason) == (users["supervisor"],
                                                                     "Mutasi")
    assert reload(pk_caseload[3]).assigned_pk == users["pk"]
    listed = login(users["pk2"]).get(reverse("clients:caseload")).context["page"]
    assert {row.pk for row in listed} == {o.pk for o in ticked}


def test_bulk_without_selection_pk_or_reason_explains_and_saves_nothing(login, users,
                                                                       pk_caseload):
    client = login(users["supervisor"])
    response = client.post(BULK_URL, {"to_pk": users["pk2"].pk, "reason": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors["orders"]
    response = client.post(BULK_URL, {"orders": [pk_caseload[0].pk], "reason": "Mutasi"})
    form = response.context["form"]
    assert form.errors["to_pk"]
    assert form["reason"].value() == "Mutasi"
    assert [o.pk for o in response.context["selected"]] == [pk_caseload[0].pk]
    response = client.post(BULK_URL, {"orders": [pk_caseload[0].pk], "to_pk": users["pk2"].pk})
    assert response.context["form"].errors["reason"]
    assert all(reload(o).assigned_pk == users["pk"] for o in pk_caseload)


def test_bulk_refuses_a_pk_or_an_order_of_another_office(login, users, pk_caseload,
                                                         foreign_order):
    client = login(users["supervisor"])
    response = client.post(BULK_URL, {"orders": [pk_caseload[0].pk],
                                      "to_pk": users["other_pk"].pk, "reason": "x"})
    assert response.context["form"].errors["to_pk"]
    response = client.post(BULK_URL, {"orders": [pk_caseload[0].pk, foreign_order.pk],
                                      "to_pk": users["pk2"].pk, "reason": "x"})
    assert response.context["form"].errors["orders"]
    assert reload(pk_caseload[0]).assigned_pk == users["pk"]
    assert reload(foreign_order).assigned_pk == users["other_pk"]


@pytest.mark.parametrize(("role", "status"), REFUSED.items())
def test_bulk_is_refused_to_other_roles(login, users, pk_caseload, role, status):
    response = login(users[role]).post(BULK_URL, {
        "orders": [pk_caseload[0].pk], "to_pk": users["pk2"].pk, "reason": "x",
    })
    assert response.status_code == status
    assert reload(pk_caseload[0]).assigned_pk == users["pk"]


def test_bulk_only_accepts_post(login, users):
    assert login(users["supervisor"]).get(BULK_URL).status_code == 405


# --- Hand over a whole caseload -----------------------------------------------------------


def test_hand_over_moves_every_active_order_of_a_pk(login, users, pk_caseload, colleague_order):
    finished = pk_caseload[3]
    SupervisionOrder.objects.filter(pk=finished.pk).update(status=OrderStatus.COMPLETED)
    response = login(users["head"]).post(MOVE_URL, {
        "from_pk": users["pk"].pk, "to_pk": users["pk2"].pk, "reason": "Pensiun",
    })
    assert response.status_code == 302
    assert response["Location"] == SIZES_URL
    for order in pk_caseload[:3]:
        assert reload(order).assigned_pk == users["pk2"]
    assert reload(finished).assigned_pk == users["pk"]  # closed orders keep their PK


def test_hand_over_from_a_deactivated_pk(login, users, office):
    leaver = UserFactory(role=Role.PK, office=office, is_active=False)
    order = OrderFactory(client=ClientFactory(office=office), assigned_pk=leaver)
    client = login(users["supervisor"])
    page = client.get(MOVE_URL, {"from": leaver.pk})
    assert leaver in page.context["form"].fields["from_pk"].queryset
    assert leaver not in page.context["form"].fields["to_pk"].queryset
    client.post(MOVE_URL, {"from_pk": leaver.pk, "to_pk": users["pk2"].pk, "reason": "Keluar"})
    assert reload(order).assigned_pk == users["pk2"]


def test_hand_over_bad_input_is_reported_next_to_the_fields(login, users, pk_caseload):
    client = login(users["supervisor"])
    same = client.post(MOVE_URL, {"from_pk": users["pk"].pk, "to_pk": users["pk"].pk,
                                  "reason": "x"})
    assert same.context["form"].errors["to_pk"]
    empty = client.post(MOVE_URL, {"from_pk": users["pk2"].pk, "to_pk": users["pk"].pk,
                                   "reason": "x"})
    assert empty.context["form"].errors["from_pk"]
    foreign = client.post(MOVE_URL, {"from_pk": users["pk"].pk, "to_pk": users["other_pk"].pk,
                                     "reason": "x"})
    assert foreign.context["form"].errors["to_pk"]
    no_reason = client.post(MOVE_URL, {"from_pk": users["pk"].pk, "to_pk": users["pk2"].pk})
    assert no_reason.context["form"].errors["reason"]
    assert all(reload(o).assigned_pk == users["pk"] for o in pk_caseload)


@pytest.mark.parametrize(("role", "status"), REFUSED.items())
def test_hand_over_is_refused_to_other_roles(login, users, role, status, pk_caseload):
    assert login(users[role]).get(MOVE_URL).status_code == status
    login(users[role]).post(MOVE_URL, {"from_pk": users["pk"].pk, "to_pk": users["pk2"].pk,
                                       "reason": "x"})
    assert reload(pk_caseload[0]).assigned_pk == users["pk"]


# --- Caseload sizes ------------------------------------------------------------------------


def test_caseload_sizes_count_active_orders_by_risk_and_stage(login, users, office,
                                                              foreign_order):
    today = timezone.localdate()

    def order(pk, risk, started_days_ago, status=OrderStatus.ACTIVE, cover=None):
        made = OrderFactory(client=ClientFactory(office=office), assigned_pk=pk, risk_level=risk,
                            cover_pk=cover,
                            supervision_start=today - timedelta(days=started_days_ago),
                            supervision_end=today + timedelta(days=300 - started_days_ago))
        SupervisionOrder.objects.filter(pk=made.pk).update(status=status)

    order(users["pk"], RiskLevel.LOW, 10)  # awal
    order(users["pk"], RiskLevel.HIGH, 150, cover=users["pk2"])  # lanjutan
    order(users["pk"], RiskLevel.HIGH, 250)  # akhir
    order(users["pk"], RiskLevel.LOW, 10, status=OrderStatus.COMPLETED)  # not counted
    order(users["pk2"], RiskLevel.MEDIUM, 10)
    order(None, RiskLevel.LOW, 10)
    response = login(users["supervisor"]).get(SIZES_URL)
    assert response.status_code == 200
    lines = {line["officer"]: line for line in response.context["lines"]}
    # values: rendah, sedang, tinggi, awal, lanjutan, akhir, total
    assert lines[users["pk"]]["values"] == [1, 0, 2, 1, 1, 1, 3]
    assert lines[users["pk2"]]["values"] == [0, 1, 0, 1, 0, 0, 1]
    assert lines[users["pk2"]]["cover"] == 1
    assert response.context["unassigned"]["values"] == [1, 0, 0, 1, 0, 0, 1]
    assert response.context["totals"] == [2, 1, 2, 3, 1, 1, 5]
    assert users["other_pk"] not in lines


@pytest.mark.parametrize(("role", "status"), REFUSED.items())
def test_caseload_sizes_are_for_managers_only(login, users, role, status):
    assert login(users[role]).get(SIZES_URL).status_code == status


# --- The new PK is told ----------------------------------------------------------------------


def test_new_pk_gets_an_in_app_notification_naming_the_client(users, own_order,
                                                             django_capture_on_commit_callbacks):
    from bapas.notifications.models import Channel, Notification

    with django_capture_on_commit_callbacks(execute=True):
        orders_assign(orders=[own_order], to_pk=users["pk2"], by=users["supervisor"])
    in_app = Notification.objects.get(recipient=users["pk2"], channel=Channel.IN_APP)
    assert own_order.client.full_name in in_app.subject
    for outside in Notification.objects.filter(recipient=users["pk2"]).exclude(
        channel=Channel.IN_APP
    ):
        assert own_order.client.full_name not in outside.subject + outside.body


def test_cover_change_alone_notifies_nobody(users, own_order,
                                            django_capture_on_commit_callbacks):
    from bapas.notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        orders_assign(orders=[own_order], to_pk=users["pk"], by=users["supervisor"],
                      cover_pk=users["pk2"])
    assert not Notification.objects.exists()
