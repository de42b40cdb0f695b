"""Tolerant client search, and the caseload's search box that keeps the term out of URLs."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bapas.models import AccessLog
from clients.models import Client, SupervisionOrder
from clients.search import phonetic_fold, search_clients
from tests.factories import ClientFactory, OrderFactory

URL = reverse("clients:caseload")
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_trgm ranking needs PostgreSQL"
)


@pytest.fixture
def people(office):
    return {
        "rizky": ClientFactory(office=office, full_name="Mohammad Rizky",
                               register_number="JBR-2025-0012", nik="3509011506900001"),
        "rizky_f": ClientFactory(office=office, full_name="Muhammad Rizky Firmansyah",
                                 register_number="JBR-2024-0100", nik="3509011506900002"),
        "budi": ClientFactory(office=office, full_name="Muhammad Budi Santoso",
                              register_number="JBR-2025-0013", nik="3509011506900003"),
        "holil": ClientFactory(office=office, full_name="Kholil Anwar", aliases="Cak Holil",
                               register_number="JBR-2023-0007", nik="3509011506900004"),
        "siti": ClientFactory(office=office, full_name="Siti Aminah",
                              register_number="JBR-2025-0200", nik="3509015506900005"),
    }


def found(term: str) -> set[str]:
    return {c.full_name for c in search_clients(Client.objects.all(), term)}


@pytest.mark.parametrize("term", ["Muhammad Rizky", "Mohammad Rizky", "Moh. Rizky",
                                  "M. Rizky", "mochammad rizky", "MUH RIZKY"])
def test_name_spelling_variants_of_muhammad_all_match(people, term):
    assert found(term) == {"Mohammad Rizky", "Muhammad Rizky Firmansyah"}


@pytest.mark.parametrize("term", ["Rizki", "Riski", "rizky"])
def test_common_letter_swaps_match(people, term):
    assert found(term) == {"Mohammad Rizky", "Muhammad Rizky Firmansyah"}


def test_kh_ch_and_h_spellings_and_aliases_match(people):
    assert found("Cholil") == {"Kholil Anwar"}
    assert found("holil anwar") == {"Kholil Anwar"}


def test_every_word_must_match(people):
    assert found("Muhammad Budi") == {"Muhammad Budi Santoso"}
    assert found("Siti Rizky") == set()


def test_nik_must_be_complete_and_exact(people):
    assert found("3509011506900003") == {"Muhammad Budi Santoso"}
    assert found("3509 0115 0690 0003") == {"Muhammad Budi Santoso"}
    assert found("350901150690") == set()


def test_register_number_exact_or_partial(people):
    assert found("JBR-2025-0012") == {"Mohammad Rizky"}
    assert found("jbr-2025-0012") == {"Mohammad Rizky"}
    assert found("2025-001") == {"Mohammad Rizky", "Muhammad Budi Santoso"}


def test_empty_term_returns_everything(people):
    assert len(found("")) == len(people)


def test_search_works_through_orders(people, users):
    OrderFactory(client=people["rizky"], assigned_pk=users["pk"])
    OrderFactory(client=people["siti"], assigned_pk=users["pk"])
    rows = search_clients(SupervisionOrder.objects.all(), "Moh Rizky", client_path="client__")
    assert [order.client.full_name for order in rows] == ["Mohammad Rizky"]


def test_phonetic_fold_treats_variants_alike():
    assert phonetic_fold("muhammad rizky") == phonetic_fold("muhamad riski")
    assert phonetic_fold("kholil") == phonetic_fold("cholil") == phonetic_fold("holil")


@postgresql_only
def test_postgresql_forgives_typos_and_ranks_by_similarity(people):
    rows = list(search_clients(Client.objects.all(), "Muhamad Riski").order_by("-search_rank"))
    assert rows[0].full_name == "Mohammad Rizky"
    assert {c.full_name for c in rows} == {"Mohammad Rizky", "Muhammad Rizky Firmansyah"}
    # A typo the folding cannot foresee is still found through trigram similarity.
    assert "Muhammad Rizky Firmansyah" in found("Firmansah")
    assert "Muhammad Budi Santoso" in found("Santosa")


@postgresql_only
def test_postgresql_exact_register_number_ranks_first(people):
    rows = list(search_clients(Client.objects.all(), "JBR-2025-0013").order_by("-search_rank"))
    assert rows[0].full_name == "Muhammad Budi Santoso"


# --- The caseload's search box -------------------------------------------------------------


@pytest.fixture
def caseload(users, office):
    orders = [
        OrderFactory(client=ClientFactory(office=office, full_name=name), assigned_pk=users["pk"])
        for name in ("Mohammad Rizky", "Siti Aminah", "Slamet Riyadi")
    ]
    return orders


def links(response) -> list[str]:
    """Every URL the page links or posts to."""
    return re.findall(r'(?:href|action)="([^"]*)"', response.content.decode())


def listed(response) -> set[str]:
    return {row.client.full_name for row in response.context["page"]}


def test_search_is_posted_and_kept_in_the_session_not_the_url(login, users, caseload):
    client = login(users["pk"])
    response = client.post(URL + "?risk_level=rendah&page=2", {"q": "Muhammad Rizky"})
    assert response.status_code == 302
    assert "Rizky" not in response["Location"] and "q=" not in response["Location"]
    assert "risk_level=rendah" in response["Location"]
    assert "page=" not in response["Location"]
    page = client.get(response["Location"])
    assert listed(page) == {"Mohammad Rizky"}
    assert page.context["search_term"] == "Muhammad Rizky"
    assert not [url for url in links(page) if "Rizky" in url]


def test_search_survives_filters_and_pagination(login, users, office, caseload):
    client = login(users["pk"])
    client.post(URL, {"q": "Klien"})
    for n in range(30):
        OrderFactory(client=ClientFactory(office=office, full_name=f"Klien {n:02d}"),
                     assigned_pk=users["pk"])
    first = client.get(URL)
    assert len(first.context["page"]) == 25
    second = client.get(URL, {"page": 2})
    assert len(second.context["page"]) == 5
    assert all(name.startswith("Klien") for name in listed(second))
    assert any("page=2" in url for url in links(first))
    assert not [url for url in links(first) if "Klien" in url]


def test_clear_search_removes_the_term(login, users, caseload):
    client = login(users["pk"])
    client.post(URL, {"q": "Siti"})
    assert listed(client.get(URL)) == {"Siti Aminah"}
    client.post(URL, {"clear_search": "1", "q": "Siti"})
    assert listed(client.get(URL)) == {"Mohammad Rizky", "Siti Aminah", "Slamet Riyadi"}


def test_search_stays_inside_the_users_caseload(login, users, office, caseload,
                                                 colleague_order, foreign_order):
    client = login(users["pk"])
    client.post(URL, {"q": "Siti"})
    assert listed(client.get(URL)) == {"Siti Aminah"}  # not pk2's "Siti Aminah" client
    assert len(client.get(URL).context["page"]) == 1
    client.post(URL, {"q": "Bayu Saputra"})
    assert listed(client.get(URL)) == set()


def test_search_by_nik_and_register_number_on_the_list(login, users, caseload):
    target = caseload[2].client
    client = login(users["supervisor"])
    client.post(URL, {"q": target.nik})
    assert listed(client.get(URL)) == {"Slamet Riyadi"}
    client.post(URL, {"q": target.register_number})
    assert listed(client.get(URL)) == {"Slamet Riyadi"}


def test_search_is_logged_without_the_term(login, users, caseload):
    client = login(users["pk"])
    client.post(URL, {"q": "Siti Aminah"})
    client.get(URL)
    entry = AccessLog.objects.filter(user=users["pk"]).latest("at")
    assert entry.action == AccessLog.Action.SEARCH
    assert "Siti" not in entry.path and "Siti" not in entry.object_label


def test_search_needs_login_and_capability(client, login, users, caseload):
    assert client.post(URL, {"q": "Siti"}).status_code == 302
    assert login(users["partner"]).post(URL, {"q": "Siti"}).status_code == 404  # not their portal
    assert login(users["regional"]).post(URL, {"q": "Siti"}).status_code == 403


HTMX = {"HX-Request": "true"}


def test_search_through_htmx_answers_with_the_list_itself(login, users, caseload):
    client = login(users["pk"])
    response = client.post(URL + "?risk_level=rendah&page=2", {"q": "Muhammad Rizky"},
                           headers=HTMX)
    assert response.status_code == 200
    assert listed(response) == {"Mohammad Rizky"}
    # The address bar gets the list's URL with the form's filters: no term, no page.
    assert response["HX-Push-Url"] == URL + "?risk_level=rendah"
    body = response.content.decode()
    assert body.lstrip().startswith("<title>")
    assert '<main id="main"' in body and "<nav" not in body  # the swapped part only
    assert "Rizky" not in response["HX-Push-Url"]
    assert not [url for url in links(response) if "Rizky" in url or "page=2" in url]
    # Reloading that URL shows the same list, from the session.
    assert listed(client.get(response["HX-Push-Url"])) == {"Mohammad Rizky"}


def test_clearing_the_search_through_htmx(login, users, caseload):
    client = login(users["pk"])
    client.post(URL, {"q": "Siti"}, headers=HTMX)
    response = client.post(URL, {"clear_search": "1", "q": "Siti"}, headers=HTMX)
    assert response.status_code == 200
    assert listed(response) == {"Mohammad Rizky", "Siti Aminah", "Slamet Riyadi"}
    assert listed(client.get(URL)) == {"Mohammad Rizky", "Siti Aminah", "Slamet Riyadi"}


def test_htmx_search_is_logged_as_a_search_and_refused_like_the_list(client, login, users,
                                                                     caseload):
    assert client.post(URL, {"q": "Siti"}, headers=HTMX).status_code == 302  # to the login
    pk = login(users["pk"])
    pk.post(URL, {"q": "Siti Aminah"}, headers=HTMX)
    entry = AccessLog.objects.filter(user=users["pk"]).latest("at")
    assert entry.action == AccessLog.Action.SEARCH and "Siti" not in entry.path
    assert login(users["partner"]).post(URL, {"q": "Siti"}, headers=HTMX).status_code == 404
    assert login(users["regional"]).post(URL, {"q": "Siti"}, headers=HTMX).status_code == 403


def test_htmx_search_queries_do_not_grow_with_the_matches(login, users, office):
    client = login(users["pk"])

    def count(rows: int) -> int:
        for n in range(rows):
            OrderFactory(client=ClientFactory(office=office, full_name=f"Klien Cari {n:02d}"),
                         assigned_pk=users["pk"])
        client.post(URL, {"q": "Klien Cari"}, headers=HTMX)  # warm
        with CaptureQueriesContext(connection) as captured:
            response = client.post(URL, {"q": "Klien Cari"}, headers=HTMX)
        assert len(response.context["page"]) == min(Client.objects.count(), 25)
        return len(captured.captured_queries)

    assert count(3) == count(27)
