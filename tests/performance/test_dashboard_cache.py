"""The office dashboard's figures: computed in a fixed number of queries, then served from the
cache for a few minutes, per office (issue 9, docs/performance.md)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bapas.models import Role
from clients.models import OrderStatus
from tests.factories import ClientFactory, OrderFactory, UserFactory
from tests.reports.test_dashboards import office_activity

pytestmark = pytest.mark.django_db
BUDGET = 20


def queries(browser) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = browser.get("/")
    assert response.status_code == 200
    return len(captured), response


def test_uncached_dashboard_queries_do_not_grow_with_the_office(login, users, office, partner):
    browser = login(users["supervisor"])
    browser.get("/")  # warm per-process caches
    office_activity(office, users["supervisor"], 3, partner)
    cache.clear()
    few, response = queries(browser)
    assert response.context["totals"]["end"] == 3
    office_activity(office, users["supervisor"], 27, partner)
    cache.clear()
    many, response = queries(browser)
    assert response.context["totals"]["end"] == 30
    assert many == few <= BUDGET


def test_figures_come_from_the_cache_until_it_expires(login, users, office, partner):
    browser = login(users["supervisor"])
    office_activity(office, users["supervisor"], 3, partner)
    computed, first = queries(browser)
    office_activity(office, users["supervisor"], 2, partner)
    cached, second = queries(browser)
    assert cached < computed
    assert second.context["totals"]["end"] == 3  # as of the first request
    assert second.context["figures_at"] == first.context["figures_at"]
    assert "Figures as of" in second.content.decode() or "Angka per" in second.content.decode()
    # Agreements are read each time: 3 + 2 ending soon.
    assert second.context["expiring_count"] == 5
    cache.clear()  # what expiry does
    _n, third = queries(browser)
    assert third.context["totals"]["end"] == 5


def test_each_office_has_its_own_figures(login, users, office, other_office, partner):
    office_activity(office, users["supervisor"], 3, partner)
    office_activity(other_office, users["supervisor"], 2, partner)
    assert login(users["supervisor"]).get("/").context["totals"]["end"] == 3
    other = UserFactory(role=Role.SUPERVISOR, office=other_office)
    assert login(other).get("/").context["totals"]["end"] == 2


def test_pk_home_counts_own_and_covered_orders_in_one_query(login, users, office):
    pk, other = users["pk"], users["pk2"]
    for _ in range(2):
        OrderFactory(client=ClientFactory(office=office), assigned_pk=pk)
    OrderFactory(client=ClientFactory(office=office), assigned_pk=other, cover_pk=pk)
    OrderFactory(client=ClientFactory(office=office), assigned_pk=pk,
                 status=OrderStatus.COMPLETED)
    OrderFactory(client=ClientFactory(office=office), assigned_pk=other)
    context = login(pk).get("/").context
    assert (context["active_orders"], context["cover_orders"]) == (2, 1)
