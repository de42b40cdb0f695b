"""The client page with every app's timeline source: a fixed number of queries (at most 20)
whatever the length of the history, and a timeline built only up to the page shown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients.models import CaseNote, ClientDocument, Outcome
from tests.factories import ClientFactory, ContactFactory, OrderFactory
from tests.reports.conftest import referral, session

pytestmark = pytest.mark.django_db
BUDGET = 20


def url(client) -> str:
    return reverse("clients:detail", args=[client.pk])


def grow(order, users, partner, n):
    now = timezone.now()
    for i in range(n):
        ContactFactory(order=order, planned_at=now - timedelta(days=7 * i + 1),
                       outcome=Outcome.MISSED if i % 2 else Outcome.ATTENDED)
        CaseNote.objects.create(client=order.client, author=users["pk"], text=f"Catatan {i}")
        ClientDocument.objects.create(
            client=order.client, kind="other", title=f"Dokumen {i}", file=f"clients/{i}.pdf",
            document_date=timezone.localdate(), uploaded_by=users["pk"])
        r = (referral(order, partner, "in_progress", sent=now, officer=users["pk"])
             if i % 3 == 0 else None)
        if r is not None:
            session(r, timezone.localdate(), "attended", 60, users["partner"])


def count(browser, path) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(path)
    assert response.status_code == 200
    return len(captured), response


def test_client_page_queries_do_not_grow_and_stay_within_budget(login, users, office, partner):
    order = OrderFactory(client=ClientFactory(office=office), assigned_pk=users["pk"])
    browser = login(users["pk"])
    browser.get(url(order.client))  # warm per-process caches
    grow(order, users, partner, 3)
    few, response = count(browser, url(order.client))
    assert response.context["timeline_page"].paginator.count >= 9
    grow(order, users, partner, 27)
    many, response = count(browser, url(order.client))
    assert len(response.context["timeline_page"].object_list) == 25
    assert len(response.context["notes"]) == 30 and len(response.context["documents"]) == 30
    assert many == few <= BUDGET, (few, many)


@pytest.fixture
def long_history(users, office):
    order = OrderFactory(client=ClientFactory(office=office), assigned_pk=users["pk"])
    now = timezone.now()
    for week in range(60):
        ContactFactory(order=order, planned_at=now - timedelta(days=7 * week + 1),
                       notes=f"minggu {week}")
    CaseNote.objects.create(client=order.client, author=users["pk"], text="Catatan lama",
                            created_at=now - timedelta(days=7 * 30 + 3))
    return order


def _details(response) -> list[str]:
    return [entry.detail for entry in response.context["timeline_page"].object_list]


def test_timeline_pages_are_the_newest_first_and_built_only_up_to_the_page(
    login, users, long_history
):
    browser = login(users["pk"])
    with CaptureQueriesContext(connection) as captured:
        first = browser.get(url(long_history.client))
    contact_sql = [q["sql"] for q in captured.captured_queries
                   if 'FROM "clients_contact"' in q["sql"] and "OVER" in q["sql"]]
    assert len(contact_sql) == 1 and "LIMIT 25" in contact_sql[0]
    page = first.context["timeline_page"]
    assert page.paginator.count == 61 and page.paginator.num_pages == 3
    assert _details(first)[:2] == ["minggu 0", "minggu 1"]
    second = browser.get(url(long_history.client), {"page": 2})
    # The note of 30 weeks and 3 days ago sits between weeks 30 and 31, on page 2.
    assert _details(second)[:5] == ["minggu 25", "minggu 26", "minggu 27", "minggu 28",
                                    "minggu 29"]
    assert _details(second)[5:7] == ["minggu 30", "Catatan lama"]
    last = browser.get(url(long_history.client), {"page": 99})  # past the end: the last page
    assert last.context["timeline_page"].number == 3
    assert _details(last) == [f"minggu {w}" for w in range(49, 60)]
    only_notes = browser.get(url(long_history.client), {"show": "note"})
    assert _details(only_notes) == ["Catatan lama"]
    assert {c["key"] for c in only_notes.context["categories"]} == {"contact", "note"}


def test_note_form_offers_the_orders_already_read(login, users, long_history):
    OrderFactory(client=long_history.client, assigned_pk=users["pk2"])  # not the PK's
    response = login(users["pk"]).get(url(long_history.client), {"tab": "notes"})
    choices = list(response.context["note_form"].fields["order"].choices)
    assert [value for value, _label in choices] == ["", long_history.pk]
    assert f'value="{long_history.pk}"' in response.content.decode()


@pytest.mark.parametrize("tab", ["notes", "documents", "timeline"])
@pytest.mark.parametrize("htmx", [True, False])
def test_each_tab_and_its_pane_run_a_constant_number_of_queries(login, users, office, partner,
                                                                tab, htmx):
    """The tabs that load when opened (htmx asks for the pane alone), and their whole pages."""
    order = OrderFactory(client=ClientFactory(office=office), assigned_pk=users["pk"])
    browser = login(users["pk"])
    path = f"{url(order.client)}?tab={tab}"
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    browser.get(path, **headers)  # warm per-process caches
    grow(order, users, partner, 3)
    with CaptureQueriesContext(connection) as few:
        assert browser.get(path, **headers).status_code == 200
    grow(order, users, partner, 27)
    with CaptureQueriesContext(connection) as many:
        response = browser.get(path, **headers)
    assert response.context["tab"] == tab
    assert ("<html" in response.content.decode()) is not htmx
    assert len(many) == len(few) <= BUDGET, (len(few), len(many))
