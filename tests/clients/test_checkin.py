"""Front-desk check-in for wajib lapor: search (never in the URL), confirm, once a day."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from bapas.models import AccessLog
from clients.models import Contact, ContactKind, OrderStatus, Outcome
from clients.services.contacts import contact_checkin
from tests.factories import ClientFactory, ContactFactory, OrderFactory

CHECKIN = reverse("clients:checkin")


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read the English source messages, whatever the catalogues hold."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def today_at(hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time(hour, minute)))


def confirm_url(order) -> str:
    return reverse("clients:checkin_confirm", args=[order.pk])


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role,status", {
    "operator": 200, "pk": 200, "pk2": 200, "other_pk": 200, "supervisor": 200, "head": 200,
    "partner": 404, "regional": 403, "admin": 403,
}.items())
def test_checkin_page_per_role(login, users, role, status):
    assert login(users[role]).get(CHECKIN).status_code == status


@pytest.mark.parametrize("role,status", {
    "operator": 302, "pk": 302, "supervisor": 302, "head": 302,
    "pk2": 404, "other_pk": 404, "partner": 404, "regional": 403, "admin": 403,
}.items())
def test_checkin_confirm_per_role(login, users, own_order, role, status):
    response = login(users[role]).post(confirm_url(own_order))
    assert response.status_code == status
    assert Contact.objects.filter(order=own_order).exists() == (status == 302)


def test_confirm_needs_post(login, users, own_order):
    assert login(users["operator"]).get(confirm_url(own_order)).status_code == 405
    assert not Contact.objects.exists()


# --- Searching ------------------------------------------------------------------------------


def test_operator_finds_a_client_by_name_variant_register_number_or_nik(
    login, users, own_client, colleague_order, foreign_order
):
    client = login(users["operator"])
    for query in ("moh rizky", own_client.register_number.lower(), own_client.nik):
        response = client.post(CHECKIN, {"q": query})
        assert [order.client for order in response.context["results"]] == [own_client], query
    # Only the office's clients: the other office's client is never found.
    response = client.post(CHECKIN, {"q": foreign_order.client.full_name})
    assert response.context["results"] == []
    assert "No client with an active order matches" in response.content.decode()


def test_search_is_posted_and_never_put_in_the_url(login, users, own_client):
    client = login(users["operator"])
    page = client.get(CHECKIN).content.decode()
    form = re.search(r'<form method="(\w+)" action="([^"]+)"[^>]*role="search"', page)
    assert form.groups() == ("post", CHECKIN)
    # A query string does not search.
    response = client.get(CHECKIN, {"q": own_client.full_name})
    assert response.context["results"] is None


def test_pk_finds_only_own_caseload(login, users, own_client, colleague_order):
    response = login(users["pk"]).post(CHECKIN, {"q": colleague_order.client.full_name})
    assert response.context["results"] == []


def test_closed_orders_are_not_offered(login, users, own_order):
    own_order.status = OrderStatus.COMPLETED
    own_order.save()
    response = login(users["operator"]).post(CHECKIN, {"q": "Rizky"})
    assert response.context["results"] == []


def test_too_short_search_is_refused_with_a_message(login, users, own_client):
    response = login(users["operator"]).post(CHECKIN, {"q": "M"})
    assert response.context["results"] is None
    assert response.context["form"].errors["q"]


def test_search_is_access_logged(login, users, own_client):
    login(users["operator"]).post(CHECKIN, {"q": "Rizky"})
    entry = AccessLog.objects.get(action=AccessLog.Action.SEARCH)
    assert entry.user == users["operator"]
    assert "Rizky" not in entry.path and "Rizky" not in entry.object_label


def test_single_match_focuses_the_confirm_button(login, users, own_client):
    body = login(users["operator"]).post(CHECKIN, {"q": "Rizky"}).content.decode()
    button = re.search(r"<button[^>]*>\s*<i class=\"bi bi-person-check", body).group(0)
    assert "autofocus" in button
    search_box = re.search(r'<input[^>]*name="q"[^>]*>', body).group(0)
    assert "autofocus" not in search_box


def test_empty_page_focuses_the_search_box(login, users):
    body = login(users["operator"]).get(CHECKIN).content.decode()
    assert "autofocus" in re.search(r'<input[^>]*name="q"[^>]*>', body).group(0)


# --- Confirming -----------------------------------------------------------------------------


def test_checkin_marks_todays_planned_report(login, users, own_order):
    planned = ContactFactory(order=own_order, kind=ContactKind.REPORT, planned_at=today_at(0, 1))
    response = login(users["operator"]).post(confirm_url(own_order))
    assert response.status_code == 302 and response["Location"] == CHECKIN
    planned.refresh_from_db()
    assert planned.checked_in_at is not None
    assert planned.outcome == Outcome.ATTENDED
    assert planned.happened_at == planned.checked_in_at
    assert planned.recorded_by == users["operator"]
    assert Contact.objects.count() == 1
    assert planned.history.first().history_user == users["operator"]


def test_checkin_without_a_planned_report_creates_one(login, users, own_order):
    ContactFactory(order=own_order, kind=ContactKind.HOME_VISIT, planned_at=today_at(0, 1))
    login(users["operator"]).post(confirm_url(own_order))
    contact = Contact.objects.get(order=own_order, kind=ContactKind.REPORT)
    assert contact.outcome == Outcome.ATTENDED
    assert contact.checked_in_at is not None
    assert contact.officer == users["pk"]
    assert contact.created_by == users["operator"]


def test_second_checkin_the_same_day_is_refused_politely(login, users, own_order):
    client = login(users["operator"])
    client.post(confirm_url(own_order))
    response = client.post(confirm_url(own_order), follow=True)
    assert "has already reported today" in response.content.decode()
    assert Contact.objects.filter(order=own_order).count() == 1
    # and the search shows it
    response = client.post(CHECKIN, {"q": "Rizky"})
    assert response.context["results"][0].reported_today
    assert "already reported today" in response.content.decode()


def test_checkin_yesterday_does_not_block_today(users, own_order):
    contact_checkin(order=own_order, by=users["operator"],
                    at=timezone.now() - timedelta(days=1))
    contact_checkin(order=own_order, by=users["operator"])
    assert Contact.objects.filter(order=own_order, outcome=Outcome.ATTENDED).count() == 2


def test_checkin_on_a_closed_order_is_refused(login, users, own_order):
    own_order.status = OrderStatus.REVOKED
    own_order.save()
    response = login(users["operator"]).post(confirm_url(own_order), follow=True)
    assert "only possible for an active order" in response.content.decode()
    assert not Contact.objects.exists()


# --- Today's expected list ------------------------------------------------------------------


def test_expected_today_lists_the_offices_reports(login, users, own_order, colleague_order,
                                                  foreign_order):
    ContactFactory(order=own_order, planned_at=today_at(0, 1))
    ContactFactory(order=colleague_order, planned_at=today_at(0, 2))
    ContactFactory(order=foreign_order, planned_at=today_at(0, 3))
    ContactFactory(order=own_order, planned_at=today_at(0, 4) + timedelta(days=1))
    page = login(users["operator"]).get(CHECKIN).context["page"]
    assert {c.order for c in page} == {own_order, colleague_order}


def test_expected_today_runs_constant_queries(login, users, office):
    def make(count):
        for _ in range(count):
            order = OrderFactory(client=ClientFactory(office=office), assigned_pk=users["pk"])
            ContactFactory(order=order, planned_at=today_at(0, 1))

    client = login(users["operator"])
    make(3)
    client.get(CHECKIN)
    with CaptureQueriesContext(connection) as few:
        client.get(CHECKIN)
    make(27)
    with CaptureQueriesContext(connection) as many:
        response = client.get(CHECKIN)
    assert len(response.context["page"]) == 25
    assert len(few.captured_queries) == len(many.captured_queries)


def test_search_results_run_constant_queries(login, users, office):
    def make(count):
        for _ in range(count):
            OrderFactory(client=ClientFactory(office=office, full_name="Ahmad Fauzi"),
                         assigned_pk=users["pk"])

    client = login(users["operator"])
    make(2)
    client.post(CHECKIN, {"q": "Achmad Fauzi"})
    with CaptureQueriesContext(connection) as few:
        assert len(client.post(CHECKIN, {"q": "Achmad Fauzi"}).context["results"]) == 2
    make(10)
    with CaptureQueriesContext(connection) as many:
        assert len(client.post(CHECKIN, {"q": "Achmad Fauzi"}).context["results"]) == 12
    assert len(few.captured_queries) == len(many.captured_queries)
