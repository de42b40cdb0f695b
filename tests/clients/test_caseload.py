"""The caseload list: who sees which rows, filters, sorting, flags, pagination, query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bapas.models import AccessLog, Role
from clients.models import (
    Client,
    OrderStatus,
    Outcome,
    Program,
    ReportingInterval,
    RiskLevel,
    SupervisionOrder,
)
from tests.factories import ClientFactory, ContactFactory, OrderFactory, UserFactory

URL = reverse("clients:caseload")


def names(response) -> set[str]:
    return {row.client.full_name for row in response.context["page"]}


def make_order(office, pk, name, **kwargs) -> SupervisionOrder:
    return OrderFactory(client=ClientFactory(office=office, full_name=name), assigned_pk=pk,
                        **kwargs)


# --- Access --------------------------------------------------------------------------------


def test_caseload_is_the_root_of_the_clients_app():
    assert URL == "/clients/"


def test_pk_sees_own_caseload_only(login, users, own_order, colleague_order, foreign_order):
    response = login(users["pk"]).get(URL)
    assert response.status_code == 200
    assert names(response) == {"Muhammad Rizky"}
    assert b"Siti Aminah" not in response.content
    assert b"Bayu Saputra" not in response.content


def test_pk_sees_covered_clients_only_under_the_cover_toggle(
    login, users, own_order, colleague_order
):
    colleague_order.cover_pk = users["pk"]
    colleague_order.save()
    client = login(users["pk"])
    assert names(client.get(URL)) == {"Muhammad Rizky"}
    covered = client.get(URL, {"view": "cover"})
    assert names(covered) == {"Siti Aminah"}
    assert covered.context["view_mode"] == "cover"


def test_pk_list_has_no_pk_filter_and_no_assignment(login, users, own_order):
    response = login(users["pk"]).get(URL)
    assert "officer" not in response.context["filter"].form.fields
    assert b'name="orders"' not in response.content
    assert reverse("clients:assign", args=[own_order.pk]).encode() not in response.content


@pytest.mark.parametrize("role", ["supervisor", "head"])
def test_managers_see_the_whole_office_and_can_assign(
    login, users, role, own_order, colleague_order, foreign_order
):
    response = login(users[role]).get(URL)
    assert response.status_code == 200
    assert names(response) == {"Muhammad Rizky", "Siti Aminah"}
    assert b'name="orders"' in response.content
    assert b'data-check-all="orders"' in response.content
    assert reverse("clients:assign", args=[own_order.pk]).encode() in response.content


def test_operator_sees_the_office_list_without_assignment_controls(
    login, users, own_order, colleague_order, foreign_order
):
    response = login(users["operator"]).get(URL)
    assert response.status_code == 200
    assert names(response) == {"Muhammad Rizky", "Siti Aminah"}
    assert b'name="orders"' not in response.content
    assert reverse("clients:assign_bulk").encode() in response.content  # form shell only
    assert reverse("clients:assign", args=[own_order.pk]).encode() not in response.content
    assert reverse("clients:caseload_sizes").encode() not in response.content


def test_other_office_pk_never_sees_this_office(login, users, own_order, foreign_order):
    response = login(users["other_pk"]).get(URL)
    assert names(response) == {"Bayu Saputra"}


@pytest.mark.parametrize(("role", "status"), [("partner", 404), ("regional", 403)])
def test_partner_and_regional_viewer_are_refused(login, users, role, status, own_order):
    assert login(users[role]).get(URL).status_code == status


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_list_is_not_cached_and_its_viewing_is_logged(login, users, own_order):
    response = login(users["supervisor"]).get(URL)
    assert "no-store" in response["Cache-Control"]
    entry = AccessLog.objects.get(user=users["supervisor"])
    assert entry.action == AccessLog.Action.VIEW
    assert entry.office_id == users["supervisor"].office_id


# --- Rows ----------------------------------------------------------------------------------


def test_row_shows_contacts_awaiting_outcome_missed_run_and_pk(login, users, own_order):
    now = timezone.now()
    ContactFactory(order=own_order, planned_at=now - timedelta(days=40),
                   outcome=Outcome.ATTENDED, happened_at=now - timedelta(days=40))
    for days in (30, 20, 10):
        ContactFactory(order=own_order, planned_at=now - timedelta(days=days),
                       outcome=Outcome.MISSED)
    ContactFactory(order=own_order, planned_at=now - timedelta(days=2))  # awaiting
    ContactFactory(order=own_order, planned_at=now + timedelta(days=5))  # next
    response = login(users["supervisor"]).get(URL)
    row = response.context["page"][0]
    assert row.awaiting_count == 1
    assert row.missed_in_a_row == 3
    assert timezone.localdate(row.last_contact) == timezone.localdate(now - timedelta(days=40))
    assert timezone.localdate(row.next_contact) == timezone.localdate(now + timedelta(days=5))
    assert row.flag_overdue
    assert users["pk"].full_name in response.content.decode()


def test_past_end_and_ending_soon_orders_are_flagged(login, users, office):
    today = timezone.localdate()
    late = make_order(office, users["pk"], "Slamet Riyadi",
                      supervision_start=today - timedelta(days=400),
                      supervision_end=today - timedelta(days=3))
    soon = make_order(office, users["pk"], "Sugeng Hariyanto",
                      supervision_start=today - timedelta(days=300),
                      supervision_end=today + timedelta(days=10))
    response = login(users["pk"]).get(URL)
    rows = {row.pk: row for row in response.context["page"]}
    assert rows[late.pk].flag_closing and not rows[late.pk].flag_ending
    assert rows[soon.pk].flag_ending and not rows[soon.pk].flag_closing
    assert response.content.decode().count('class="badge text-bg-danger">') >= 1


def test_client_with_two_orders_shows_once_by_its_active_order(login, users, office):
    client = ClientFactory(office=office, full_name="Abdul Rohman")
    today = timezone.localdate()
    old = OrderFactory(client=client, assigned_pk=users["pk"], program=Program.ASSIMILATION,
                       supervision_start=today - timedelta(days=900),
                       supervision_end=today - timedelta(days=700))
    SupervisionOrder.objects.filter(pk=old.pk).update(status=OrderStatus.COMPLETED)
    current = OrderFactory(client=client, assigned_pk=users["pk"], program=Program.PB)
    everything = login(users["pk"]).get(URL, {"status": ""})
    assert [row.pk for row in everything.context["page"]] == [current.pk]
    completed = login(users["pk"]).get(URL, {"status": OrderStatus.COMPLETED})
    assert [row.pk for row in completed.context["page"]] == [old.pk]


# --- Filters -------------------------------------------------------------------------------


@pytest.fixture
def variety(users, office):
    """Orders differing in one attribute each, all on pk's caseload."""
    today = timezone.localdate()
    orders = {
        "pb_low_early": make_order(office, users["pk"], "Ahmad Fauzi", program=Program.PB,
                                   risk_level=RiskLevel.LOW,
                                   supervision_start=today - timedelta(days=10),
                                   supervision_end=today + timedelta(days=290)),
        "cb_high_middle": make_order(office, users["pk"], "Budi Santoso", program=Program.CB,
                                     risk_level=RiskLevel.HIGH,
                                     supervision_start=today - timedelta(days=150),
                                     supervision_end=today + timedelta(days=150)),
        "div_medium_late": make_order(office, users["pk"], "Dimas Aditya",
                                      program=Program.DIVERSION, risk_level=RiskLevel.MEDIUM,
                                      supervision_start=today - timedelta(days=100),
                                      supervision_end=today + timedelta(days=20)),
    }
    child = orders["div_medium_late"].client
    child.section = Client.Section.CHILD
    child.save()
    done = make_order(office, users["pk"], "Eko Wahyudi", program=Program.PB,
                      supervision_start=today - timedelta(days=500),
                      supervision_end=today - timedelta(days=100))
    SupervisionOrder.objects.filter(pk=done.pk).update(status=OrderStatus.COMPLETED)
    orders["completed"] = done
    return orders


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"Ahmad Fauzi", "Budi Santoso", "Dimas Aditya"}),
        ({"program": Program.CB}, {"Budi Santoso"}),
        ({"stage": "awal"}, {"Ahmad Fauzi"}),
        ({"stage": "lanjutan"}, {"Budi Santoso"}),
        ({"stage": "akhir"}, {"Dimas Aditya"}),
        ({"risk_level": RiskLevel.HIGH}, {"Budi Santoso"}),
        ({"status": OrderStatus.COMPLETED}, {"Eko Wahyudi"}),
        ({"status": ""}, {"Ahmad Fauzi", "Budi Santoso", "Dimas Aditya", "Eko Wahyudi"}),
        ({"section": "child"}, {"Dimas Aditya"}),
        ({"section": "adult"}, {"Ahmad Fauzi", "Budi Santoso"}),
        ({"attention": "ending"}, {"Dimas Aditya"}),
    ],
)
def test_each_filter_narrows_the_rows(login, users, variety, params, expected):
    response = login(users["pk"]).get(URL, params)
    assert response.status_code == 200
    assert names(response) == expected


def test_stage_filter_agrees_with_the_model(login, users, variety):
    client = login(users["pk"])
    for stage in ("awal", "lanjutan", "akhir"):
        for row in client.get(URL, {"stage": stage}).context["page"]:
            assert row.stage == stage


def test_attention_filters_find_overdue_awaiting_and_closing(login, users, office):
    now = timezone.now()
    today = timezone.localdate()
    awaiting = make_order(office, users["pk"], "Awaiting Outcome")
    ContactFactory(order=awaiting, planned_at=now - timedelta(days=1))
    ContactFactory(order=awaiting, planned_at=now + timedelta(days=20))
    lapsed = make_order(office, users["pk"], "Lapsed Reporting")  # low risk: 30 days
    ContactFactory(order=lapsed, planned_at=now - timedelta(days=45),
                   outcome=Outcome.ATTENDED, happened_at=now - timedelta(days=45))
    fine = make_order(office, users["pk"], "Reports Fine")
    ContactFactory(order=fine, planned_at=now - timedelta(days=5),
                   outcome=Outcome.ATTENDED, happened_at=now - timedelta(days=5))
    planned = make_order(office, users["pk"], "Old But Planned")
    ContactFactory(order=planned, planned_at=now - timedelta(days=45),
                   outcome=Outcome.ATTENDED, happened_at=now - timedelta(days=45))
    ContactFactory(order=planned, planned_at=now + timedelta(days=2))
    closing = make_order(office, users["pk"], "Past End",
                         supervision_start=today - timedelta(days=200),
                         supervision_end=today - timedelta(days=1))
    ContactFactory(order=closing, planned_at=now + timedelta(days=2))
    client = login(users["pk"])
    assert names(client.get(URL, {"attention": "awaiting"})) == {"Awaiting Outcome"}
    assert names(client.get(URL, {"attention": "overdue"})) == {
        "Awaiting Outcome", "Lapsed Reporting"
    }
    assert names(client.get(URL, {"attention": "closing"})) == {"Past End"}
    assert names(client.get(URL, {"attention": "any"})) == {
        "Awaiting Outcome", "Lapsed Reporting", "Past End"
    }


def test_overdue_follows_the_offices_configured_interval(login, users, office):
    now = timezone.now()
    order = make_order(office, users["pk"], "Monthly Reporter")
    ContactFactory(order=order, planned_at=now - timedelta(days=20),
                   outcome=Outcome.ATTENDED, happened_at=now - timedelta(days=20))
    client = login(users["pk"])
    assert names(client.get(URL, {"attention": "overdue"})) == set()
    ReportingInterval.objects.create(office=office, risk_level=RiskLevel.LOW, interval_days=14)
    assert names(client.get(URL, {"attention": "overdue"})) == {"Monthly Reporter"}


def test_overdue_applies_each_offices_interval_and_the_default_elsewhere(login, users, office,
                                                                         other_office):
    """Across offices (the administrator's list): an office's own interval for its orders,
    the default for the others; with no contact at all, the start of supervision counts."""
    now = timezone.now()
    ReportingInterval.objects.create(office=office, risk_level=RiskLevel.LOW, interval_days=14)
    for where, pk in ((office, users["pk"]), (other_office, users["other_pk"])):
        order = make_order(where, pk, f"Reported {where.pk}", risk_level=RiskLevel.LOW,
                           supervision_start=(now - timedelta(days=200)).date())
        ContactFactory(order=order, planned_at=now - timedelta(days=20),
                       outcome=Outcome.ATTENDED, happened_at=now - timedelta(days=20))
        make_order(where, pk, f"Never seen {where.pk}", risk_level=RiskLevel.LOW,
                   supervision_start=(now - timedelta(days=20)).date())
    client = login(users["admin"])
    # 20 days: past office's 14, within the default 30 for a low risk.
    assert names(client.get(URL, {"attention": "overdue"})) == {
        f"Reported {office.pk}", f"Never seen {office.pk}"
    }


def test_overdue_filter_holds_the_last_contact_subquery_a_fixed_number_of_times(
        login, users, office, other_office):
    """Not once per risk level and configured office: PostgreSQL runs each copy per row."""
    for where in (office, other_office):
        for risk, days in ((RiskLevel.LOW, 21), (RiskLevel.MEDIUM, 10), (RiskLevel.HIGH, 5)):
            ReportingInterval.objects.create(office=where, risk_level=risk, interval_days=days)
    make_order(office, users["pk"], "Someone")
    client = login(users["admin"])
    with CaptureQueriesContext(connection) as captured:
        client.get(URL, {"attention": "overdue"})
    main = max((q["sql"] for q in captured.captured_queries
                if q["sql"].startswith('SELECT "clients_supervisionorder"')), key=len)
    # last contact (select list, and the two sides of the cutoff test), next contact (select
    # list and filter), outcomes awaited (select list and filter)
    assert main.count('FROM "clients_contact"') <= 7


def test_office_filter_follows_a_renamed_office(login, users, office, other_office):
    """The offices and intervals are cached reference data; a save drops the cache."""
    client = login(users["admin"])
    assert (str(office.pk), office.name) in client.get(URL).context["filter"].form.fields[
        "office"].choices
    office.name = "Bapas Kelas I Renamed"
    office.save()
    response = client.get(URL)
    assert (str(office.pk), "Bapas Kelas I Renamed") in response.context["filter"].form.fields[
        "office"].choices
    assert b"Bapas Kelas I Renamed" in response.content

def test_managers_filter_by_pk_and_by_unassigned(login, users, office, own_order,
                                                 colleague_order):
    make_order(office, None, "Belum Ditugaskan")
    client = login(users["supervisor"])
    assert names(client.get(URL, {"officer": users["pk2"].pk})) == {"Siti Aminah"}
    assert names(client.get(URL, {"officer": "none"})) == {"Belum Ditugaskan"}


def test_pk_filter_offers_only_the_offices_pks(login, users, own_order):
    response = login(users["supervisor"]).get(URL)
    choices = dict(response.context["filter"].form.fields["officer"].choices)
    assert str(users["pk"].pk) in choices and str(users["pk2"].pk) in choices
    assert str(users["other_pk"].pk) not in choices
    assert str(users["supervisor"].pk) not in choices


def test_invalid_filter_values_are_ignored_with_a_message(login, users, variety):
    response = login(users["pk"]).get(URL, {"program": "nonsense", "sort": "client__nik"})
    assert response.status_code == 200
    assert names(response) == {"Ahmad Fauzi", "Budi Santoso", "Dimas Aditya"}
    assert response.context["filter"].form.errors["program"]
    assert response.context["filter"].form.errors["sort"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Ahmad Fauzi", "Budi Santoso", "Dimas Aditya"]),
        ("-name", ["Dimas Aditya", "Budi Santoso", "Ahmad Fauzi"]),
        ("end", ["Dimas Aditya", "Budi Santoso", "Ahmad Fauzi"]),
        ("risk", ["Budi Santoso", "Dimas Aditya", "Ahmad Fauzi"]),
        ("-risk", ["Ahmad Fauzi", "Dimas Aditya", "Budi Santoso"]),
    ],
)
def test_sorting_uses_the_whitelist(login, users, variety, sort, expected):
    response = login(users["pk"]).get(URL, {"sort": sort})
    assert [row.client.full_name for row in response.context["page"]] == expected


def test_sort_by_last_contact_puts_never_seen_clients_first(login, users, variety):
    now = timezone.now()
    ContactFactory(order=variety["pb_low_early"], planned_at=now - timedelta(days=3),
                   outcome=Outcome.ATTENDED, happened_at=now - timedelta(days=3))
    ContactFactory(order=variety["cb_high_middle"], planned_at=now - timedelta(days=9),
                   outcome=Outcome.ATTENDED, happened_at=now - timedelta(days=9))
    response = login(users["pk"]).get(URL, {"sort": "last_contact"})
    assert [row.client.full_name for row in response.context["page"]] == [
        "Dimas Aditya", "Budi Santoso", "Ahmad Fauzi"
    ]


# --- Pagination and query count ------------------------------------------------------------


def _add_rows(office, pk, count: int, start: int = 0) -> None:
    now = timezone.now()
    for n in range(start, start + count):
        order = make_order(office, pk, f"Klien {n:03d}",
                           risk_level=[RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH][n % 3])
        ContactFactory(order=order, planned_at=now - timedelta(days=10),
                       outcome=Outcome.ATTENDED, happened_at=now - timedelta(days=10))
        ContactFactory(order=order, planned_at=now - timedelta(days=3),
                       outcome=Outcome.MISSED)
        ContactFactory(order=order, planned_at=now - timedelta(days=1))
        ContactFactory(order=order, planned_at=now + timedelta(days=7))


def test_list_pages_by_25(login, users, office):
    _add_rows(office, users["pk"], 30)
    client = login(users["pk"])
    first = client.get(URL)
    assert len(first.context["page"]) == 25
    second = client.get(URL, {"page": 2})
    assert len(second.context["page"]) == 5
    assert "page=2" in first.content.decode()


@pytest.mark.parametrize(("role", "search"), [("pk", ""), ("supervisor", ""),
                                              ("supervisor", "Klien")])
def test_query_count_does_not_grow_with_rows(login, users, office, role, search):
    client = login(users[role])
    if search:
        client.post(URL, {"q": search})
    _add_rows(office, users["pk"], 3)
    client.get(URL)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as few:
        response = client.get(URL, {"attention": "any", "sort": "risk"})
    assert len(response.context["page"]) == 3
    _add_rows(office, users["pk"], 27, start=3)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL, {"attention": "any", "sort": "risk"})
    assert response.context["page"].paginator.count == 30
    assert len(response.context["page"]) == 25
    assert len(many) == len(few)


# --- Roles of users on the page ------------------------------------------------------------


def test_deactivated_pk_with_orders_stays_in_the_pk_filter(login, users, office):
    leaver = UserFactory(role=Role.PK, office=office, is_active=False, full_name="Pak Pensiun")
    make_order(office, leaver, "Klien Lama")
    response = login(users["supervisor"]).get(URL, {"officer": leaver.pk})
    assert names(response) == {"Klien Lama"}


def test_bulk_move_offers_the_offices_active_pks_only(login, users, office, other_office):
    leaver = UserFactory(role=Role.PK, office=office, is_active=False, full_name="Pak Pensiun")
    make_order(office, leaver, "Klien Lama")
    make_order(office, users["pk"], "Klien Baru")
    response = login(users["supervisor"]).get(URL)
    offered = {officer.pk for officer in response.context["bulk_officers"]}
    assert offered == {users["pk"].pk, users["pk2"].pk}  # not the leaver, not other offices
    filter_choices = response.context["filter"].form.fields["officer"].choices
    assert any(str(label).startswith("Pak Pensiun") for _, label in filter_choices)
