"""Registering, editing and reading supervision orders."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from bapas.models import AccessLog, Role
from clients.models import Client, OrderStatus, Outcome, SupervisionOrder
from clients.services.orders import order_create
from tests.factories import ClientFactory, ContactFactory, OrderFactory, UserFactory

TODAY = timezone.localdate()


def order_data(**overrides):
    data = {
        "program": "pb",
        "decree_number": "PAS-1234.PK.05.09/2026",
        "decree_date": (TODAY - timedelta(days=10)).isoformat(),
        "court_decision_number": "12/Pid.B/2024/PN Jmr",
        "court_decision_date": "2024-03-01",
        "offence": "Pencurian dengan pemberatan",
        "article": "Pasal 363 KUHP",
        "offence_date": "2023-11-05",
        "sentence": "2 tahun 6 bulan",
        "institution_type": "lapas",
        "institution_name": "Lapas Kelas IIA Jember",
        "supervision_start": (TODAY - timedelta(days=5)).isoformat(),
        "supervision_end": (TODAY + timedelta(days=360)).isoformat(),
        "special_conditions": "Wajib lapor setiap bulan",
        "risk_level": "sedang",
        "assigned_pk": "",
    }
    data.update(overrides)
    return data


def create_url(client):
    return reverse("clients:order_create", args=[client.pk])


def detail_url(order):
    return reverse("clients:order_detail", args=[order.client_id, order.pk])


def edit_url(order):
    return reverse("clients:order_edit", args=[order.client_id, order.pk])


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read the English source strings, whatever the catalogue holds."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def new_client(office, users):
    """A client just registered by the operator: no order yet, so no PK."""
    return ClientFactory(office=office, full_name="Agus Salim", created_by=users["operator"])


# --- Creating ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["operator", "supervisor", "head"])
def test_office_staff_register_an_order_for_a_new_client(login, users, new_client, role):
    web = login(users[role])
    assert web.get(create_url(new_client)).status_code == 200
    response = web.post(create_url(new_client), order_data(assigned_pk=users["pk"].pk))
    order = SupervisionOrder.objects.get(client=new_client)
    assert response.status_code == 302
    assert response["Location"] == detail_url(order)
    assert order.status == OrderStatus.ACTIVE
    assert order.assigned_pk == users["pk"]
    assert order.created_by == users[role]
    assert order.risk_level == "sedang"
    assert order.institution_name == "Lapas Kelas IIA Jember"
    assert order.office == new_client.office  # office lists and scoping read it
    history = order.history.get()
    assert history.history_type == "+"
    assert history.history_user == users[role]


def test_operator_may_leave_a_new_order_unassigned(login, users, new_client):
    response = login(users["operator"]).post(create_url(new_client), order_data())
    assert response.status_code == 302
    assert SupervisionOrder.objects.get(client=new_client).assigned_pk is None


def test_pk_registers_an_order_on_own_caseload_assigned_to_themselves(login, users, own_client):
    web = login(users["pk"])
    page = web.get(create_url(own_client))
    assert page.status_code == 200
    assert page.context["form"]["assigned_pk"].value() == users["pk"].pk
    # The field is fixed for a PK: a posted colleague is ignored.
    response = web.post(create_url(own_client), order_data(assigned_pk=users["pk2"].pk))
    assert response.status_code == 302
    newest = own_client.orders.order_by("-id").first()
    assert newest.assigned_pk == users["pk"]


def test_pk_gives_a_first_order_to_a_client_they_registered(login, users, office):
    fresh = ClientFactory(office=office, created_by=users["pk"])
    response = login(users["pk"]).post(create_url(fresh), order_data())
    assert response.status_code == 302
    assert fresh.orders.get().assigned_pk == users["pk"]


@pytest.mark.parametrize("role", ["pk2", "other_pk"])
def test_pk_cannot_add_orders_to_clients_not_theirs(login, users, own_client, new_client, role):
    web = login(users[role])
    assert web.get(create_url(own_client)).status_code == 404
    assert web.get(create_url(new_client)).status_code == 404
    assert web.post(create_url(new_client), order_data()).status_code == 404
    assert not new_client.orders.exists()


def test_other_office_staff_get_404(login, users, new_client, other_office):
    operator = UserFactory(role=Role.OPERATOR, office=other_office)
    assert login(operator).get(create_url(new_client)).status_code == 404


@pytest.mark.parametrize(("role", "status"), [
    ("partner", 404), ("regional", 403), ("admin", 403)])
def test_roles_without_registration_are_refused(login, users, new_client, role, status):
    web = login(users[role])
    assert web.get(create_url(new_client)).status_code == status
    assert web.post(create_url(new_client), order_data()).status_code == status
    assert not new_client.orders.exists()


def test_anonymous_is_sent_to_login(client, new_client):
    response = client.get(create_url(new_client))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_assigned_pk_choices_are_active_pks_of_the_clients_office(login, users, new_client,
                                                                 office):
    UserFactory(role=Role.PK, office=office, is_active=False, full_name="Retired PK")
    form = login(users["operator"]).get(create_url(new_client)).context["form"]
    choices = set(form.fields["assigned_pk"].queryset)
    assert choices == {users["pk"], users["pk2"]}


def test_operator_cannot_assign_a_pk_of_another_office(login, users, new_client):
    response = login(users["operator"]).post(
        create_url(new_client), order_data(assigned_pk=users["other_pk"].pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["assigned_pk"]
    assert not new_client.orders.exists()


# --- Bad input -----------------------------------------------------------------------------


def test_end_before_start_is_refused_next_to_the_field(login, users, new_client):
    data = order_data(supervision_start="2026-05-01", supervision_end="2026-04-01")
    response = login(users["operator"]).post(create_url(new_client), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["supervision_end"]
    assert "before its start" in form.errors["supervision_end"][0]
    content = response.content.decode()
    assert 'value="2026-04-01"' in content  # what was typed is kept
    assert "Pencurian dengan pemberatan" in content
    assert not new_client.orders.exists()


def test_typed_indonesian_dates_are_accepted(login, users, new_client):
    start = TODAY - timedelta(days=5)
    data = order_data(supervision_start=start.strftime("%d/%m/%Y"), offence_date="05/11/2023")
    assert login(users["operator"]).post(create_url(new_client), data).status_code == 302
    order = new_client.orders.get()
    assert order.supervision_start == start
    assert order.offence_date == date(2023, 11, 5)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"offence_date": (TODAY + timedelta(days=3)).isoformat()}, "offence_date"),
        ({"decree_date": (TODAY + timedelta(days=3)).isoformat()}, "decree_date"),
        ({"offence_date": "1980-01-01"}, "offence_date"),  # before the client was born
        ({"decree_number": "", "court_decision_number": ""}, "decree_number"),
        ({"supervision_start": "not a date"}, "supervision_start"),
        ({"program": ""}, "program"),
        ({"offence": ""}, "offence"),
    ],
)
def test_bad_order_input_is_refused_and_nothing_saved(login, users, new_client, overrides,
                                                     field):
    response = login(users["operator"]).post(create_url(new_client), order_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not new_client.orders.exists()


def test_service_refuses_end_before_start(users, new_client):
    data = {"program": "pb", "decree_number": "X", "offence": "Pencurian",
            "supervision_start": TODAY, "supervision_end": TODAY - timedelta(days=1)}
    with pytest.raises(ValidationError) as excinfo:
        order_create(client=new_client, data=data, by=users["operator"])
    assert "supervision_end" in excinfo.value.error_dict
    assert not SupervisionOrder.objects.filter(client=new_client).exists()


# --- Child clients -------------------------------------------------------------------------


def test_offence_under_18_makes_the_client_a_child_client(login, users, office):
    young = ClientFactory(office=office, birth_date=date(2008, 7, 1), created_by=users["operator"])
    data = order_data(offence_date="2025-06-30", court_decision_date="2025-09-01")
    assert login(users["operator"]).post(create_url(young), data).status_code == 302
    young.refresh_from_db()
    assert young.section == Client.Section.CHILD
    latest = young.history.first()
    assert latest.section == Client.Section.CHILD
    assert latest.history_user == users["operator"]


def test_offence_on_the_18th_birthday_keeps_an_adult(login, users, office):
    adult = ClientFactory(office=office, birth_date=date(2005, 7, 1), created_by=users["operator"])
    data = order_data(offence_date="2023-07-01")
    assert login(users["operator"]).post(create_url(adult), data).status_code == 302
    adult.refresh_from_db()
    assert adult.section == Client.Section.ADULT


def test_diversion_makes_a_child_client_without_an_offence_date(users, new_client):
    data = {"program": "diversi", "court_decision_number": "3/Pid.Sus-Anak/2026/PN Jmr",
            "offence": "Penganiayaan", "supervision_start": TODAY,
            "supervision_end": TODAY + timedelta(days=90)}
    order_create(client=new_client, data=data, by=users["supervisor"])
    new_client.refresh_from_db()
    assert new_client.is_child


def test_editing_the_offence_date_also_applies_the_child_rule(login, users, office):
    young = ClientFactory(office=office, birth_date=date(2007, 1, 10))
    order = OrderFactory(client=young, assigned_pk=users["pk"], offence_date=date(2025, 3, 1))
    data = order_data(offence_date="2024-12-01", assigned_pk=users["pk"].pk,
                      supervision_start=order.supervision_start.isoformat(),
                      supervision_end=order.supervision_end.isoformat())
    assert login(users["pk"]).post(edit_url(order), data).status_code == 302
    young.refresh_from_db()
    assert young.is_child


# --- Editing -------------------------------------------------------------------------------


def edit_data(order, **overrides):
    base = order_data(
        supervision_start=order.supervision_start.isoformat(),
        supervision_end=order.supervision_end.isoformat(),
        assigned_pk=order.assigned_pk_id or "",
    )
    base.update(overrides)
    return base


@pytest.mark.parametrize("role", ["pk", "operator", "supervisor", "head"])
def test_allowed_roles_edit_an_order_with_history(login, users, own_order, role):
    web = login(users[role])
    assert web.get(edit_url(own_order)).status_code == 200
    response = web.post(edit_url(own_order), edit_data(own_order, risk_level="tinggi"))
    assert response.status_code == 302
    own_order.refresh_from_db()
    assert own_order.risk_level == "tinggi"
    assert own_order.status == OrderStatus.ACTIVE
    latest = own_order.history.first()
    assert latest.history_type == "~"
    assert latest.history_user == users[role]


@pytest.mark.parametrize("role", ["pk2", "other_pk"])
def test_other_pks_cannot_edit(login, users, own_order, role):
    web = login(users[role])
    assert web.get(edit_url(own_order)).status_code == 404
    assert web.post(edit_url(own_order), edit_data(own_order)).status_code == 404


def test_cover_pk_may_read_but_not_edit(login, users, colleague_order):
    colleague_order.cover_pk = users["pk"]
    colleague_order.save()
    web = login(users["pk"])
    assert web.get(detail_url(colleague_order)).status_code == 200
    assert web.get(edit_url(colleague_order)).status_code == 403


@pytest.mark.parametrize(("role", "status"), [
    ("partner", 404), ("regional", 403)])
def test_partner_and_regional_cannot_edit(login, users, own_order, role, status):
    assert login(users[role]).get(edit_url(own_order)).status_code == status


def test_operator_cannot_reassign_but_supervisor_can(login, users, own_order):
    data = edit_data(own_order, assigned_pk=users["pk2"].pk)
    login(users["operator"]).post(edit_url(own_order), data)
    own_order.refresh_from_db()
    assert own_order.assigned_pk == users["pk"]  # the field is fixed for the operator
    assert login(users["supervisor"]).post(edit_url(own_order), data).status_code == 302
    own_order.refresh_from_db()
    assert own_order.assigned_pk == users["pk2"]


def test_edit_with_end_before_start_saves_nothing(login, users, own_order):
    before = own_order.supervision_end
    data = edit_data(own_order, supervision_end=(own_order.supervision_start
                                                 - timedelta(days=1)).isoformat())
    response = login(users["pk"]).post(edit_url(own_order), data)
    assert response.status_code == 200
    assert "supervision_end" in response.context["form"].errors
    own_order.refresh_from_db()
    assert own_order.supervision_end == before
    assert own_order.history.count() == 1


def test_closed_order_is_corrected_only_by_managers(login, users, own_order):
    SupervisionOrder.objects.filter(pk=own_order.pk).update(status=OrderStatus.COMPLETED)
    assert login(users["pk"]).get(edit_url(own_order)).status_code == 403
    assert login(users["operator"]).get(edit_url(own_order)).status_code == 403
    assert login(users["supervisor"]).get(edit_url(own_order)).status_code == 200


def test_client_in_url_must_match_the_order(login, users, own_order, colleague_order):
    url = reverse("clients:order_detail", args=[colleague_order.client_id, own_order.pk])
    assert login(users["supervisor"]).get(url).status_code == 404


# --- The order page ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["pk", "operator", "supervisor", "head", "admin"])
def test_order_page_opens_for_allowed_roles_and_is_access_logged(login, users, own_order, role):
    response = login(users[role]).get(detail_url(own_order))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Muhammad Rizky" in content
    assert own_order.decree_number in content
    assert str(own_order.get_stage_display()) in content
    assert "no-store" in response["Cache-Control"]
    log = AccessLog.objects.get(user=users[role])
    assert log.object_id == str(own_order.pk)
    assert log.office_id == own_order.client.office_id


@pytest.mark.parametrize("role", ["pk2", "other_pk"])
def test_order_page_is_404_for_pks_without_the_case(login, users, own_order, role):
    assert login(users[role]).get(detail_url(own_order)).status_code == 404
    assert not AccessLog.objects.exists()


# Partner staff get 404 (no hint that the order exists), the regional viewer 403.
@pytest.mark.parametrize(("role", "status"), [("partner", 404), ("regional", 403)])
def test_order_page_refuses_partner_and_regional(login, users, own_order, role, status):
    assert login(users[role]).get(detail_url(own_order)).status_code == status


def test_order_page_flags_an_order_past_its_end(login, users, own_order):
    own_order.supervision_start = TODAY - timedelta(days=400)
    own_order.supervision_end = TODAY - timedelta(days=4)
    own_order.save()
    response = login(users["pk"]).get(detail_url(own_order))
    assert response.context["order"].needs_closing
    assert "Flagged for closing" in response.content.decode()
    assert response.context["days_overdue"] == 4


def test_order_page_warns_after_three_missed_contacts(login, users, own_order):
    now = timezone.now()
    for days in (30, 20, 10):
        ContactFactory(order=own_order, planned_at=now - timedelta(days=days),
                       outcome=Outcome.MISSED)
    response = login(users["pk"]).get(detail_url(own_order))
    assert response.context["missed"] == 3
    assert response.context["missed_alert"]
    assert "3 contacts in a row" in response.content.decode()


def test_order_page_shows_days_left(login, users, own_order):
    response = login(users["pk"]).get(detail_url(own_order))
    assert response.context["order"].days_left == 300
    assert "300 days" in response.content.decode()
