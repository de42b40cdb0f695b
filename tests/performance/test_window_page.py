"""clients.selectors.window_page: a page of rows and the list's size in one query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.models import Client
from clients.selectors import window_page
from tests.factories import ClientFactory, OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thirty(office):
    return [ClientFactory(office=office, full_name=f"Klien {n:02d}") for n in range(30)]


def names(page) -> list[str]:
    return [c.full_name for c in page.object_list]


def test_a_page_and_the_count_in_one_query(thirty):
    with CaptureQueriesContext(connection) as captured:
        page = window_page(Client.objects.order_by("full_name"), "2", 25)
        assert names(page) == [f"Klien {n:02d}" for n in range(25, 30)]
        assert (page.number, page.paginator.count, page.paginator.num_pages) == (2, 30, 2)
        assert page.has_previous() and not page.has_next()
    assert len(captured) == 1


@pytest.mark.parametrize("asked", ["99", "0", "x", None])
def test_out_of_range_or_invalid_pages_behave_as_get_page(thirty, asked):
    page = window_page(Client.objects.order_by("full_name"), asked, 25)
    expected = 2 if asked == "99" else 1
    assert page.number == expected and page.paginator.count == 30
    assert len(page.object_list) == (5 if expected == 2 else 25)


def test_an_empty_list_has_one_empty_page(db):
    page = window_page(Client.objects.order_by("full_name"), "3", 25)
    assert page.number == 1 and page.paginator.count == 0 and names(page) == []


def test_caseload_pages_with_one_query_for_rows_and_count(login, users, office):
    for n in range(30):
        OrderFactory(client=ClientFactory(office=office, full_name=f"Klien {n:02d}"),
                     assigned_pk=users["pk"])
    browser = login(users["supervisor"])
    second = browser.get(reverse("clients:caseload"), {"page": 2})
    assert [row.client.full_name for row in second.context["page"]] == [
        f"Klien {n:02d}" for n in range(25, 30)]
    assert second.context["page"].paginator.count == 30
    with CaptureQueriesContext(connection) as captured:
        browser.get(reverse("clients:caseload"))
    counts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert not [sql for sql in counts if "clients_supervisionorder" in sql]
