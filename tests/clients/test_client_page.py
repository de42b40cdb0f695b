"""The client page: who may open it, what it shows, the timeline, case notes, query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bapas.models import AccessLog
from clients.models import (
    CaseNote,
    Client,
    ClientDocument,
    OrderStatus,
    OrderStatusChange,
    Outcome,
    RevocationProposal,
    WarningLetter,
)
from tests.factories import ClientFactory, ContactFactory, OrderFactory

ROLE_STATUS = [
    ("pk", 200), ("pk2", 404), ("other_pk", 404), ("operator", 200), ("supervisor", 200),
    ("head", 200), ("partner", 404), ("regional", 404), ("admin", 200),
]


@pytest.fixture(autouse=True)
def _clients_timeline_sources_only(monkeypatch):
    """Partners and meetings test their own timeline sources; these tests cover the clients
    app's, without depending on the other apps' tables."""
    from clients import timeline

    mine = {name: source for name, source in timeline.sources().items()
            if name.startswith("clients.")}
    monkeypatch.setattr(timeline, "_sources", mine)


def detail_url(client):
    return reverse("clients:detail", args=[client.pk])


def add_note(client, author, text="Klien bekerja di bengkel.", confidential=True):
    return CaseNote.objects.create(client=client, author=author, text=text,
                                   confidential=confidential)


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), ROLE_STATUS)
def test_each_role_on_the_client_page(login, users, own_client, role, status):
    response = login(users[role]).get(detail_url(own_client))
    assert response.status_code == status
    if status == 200:
        assert own_client.full_name in response.content.decode()


def test_other_offices_client_is_404_for_every_role_of_this_office(login, users, foreign_order):
    for role in ("pk", "operator", "supervisor", "head"):
        assert login(users[role]).get(detail_url(foreign_order.client)).status_code == 404


def test_missing_client_is_404(login, users):
    assert login(users["supervisor"]).get(reverse("clients:detail", args=[999999])).status_code \
        == 404


def test_anonymous_user_is_sent_to_login(client, own_client):
    response = client.get(detail_url(own_client))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_page_is_not_cached_and_its_view_is_logged(login, users, own_client):
    response = login(users["pk"]).get(detail_url(own_client))
    assert "no-store" in response["Cache-Control"]
    row = AccessLog.objects.get()
    assert (row.user, row.action, row.object_id, row.office_id) == (
        users["pk"], AccessLog.Action.VIEW, str(own_client.pk), own_client.office_id
    )


def test_managers_see_edit_and_new_order_buttons(login, users, own_client):
    content = login(users["supervisor"]).get(detail_url(own_client)).content.decode()
    assert reverse("clients:edit", args=[own_client.pk]) in content


# --- What the page shows ----------------------------------------------------------------------


def test_identity_card_shows_identity_address_and_guarantor(login, users, own_client):
    own_client.guarantor_name = "Sulastri"
    own_client.guarantor_relationship = "Ibu kandung"
    own_client.address_street = "Jl. Mawar 12"
    own_client.save()
    content = login(users["pk"]).get(detail_url(own_client)).content.decode()
    for text in (own_client.nik, own_client.register_number, "Sulastri", "Ibu kandung",
                 "Jl. Mawar 12"):
        assert text in content


def test_child_client_is_flagged(login, users, own_client):
    own_client.section = Client.Section.CHILD
    own_client.save()
    content = login(users["pk"]).get(detail_url(own_client)).content.decode()
    assert "alert alert-danger" in content
    assert "UU 11/2012" in content


def test_orders_summary_flags_closing_and_consecutive_misses(login, users, own_order):
    own_order.supervision_start = timezone.localdate() - timedelta(days=400)
    own_order.supervision_end = timezone.localdate() - timedelta(days=5)
    own_order.save()
    now = timezone.now()
    for days in (30, 20, 10):
        ContactFactory(order=own_order, planned_at=now - timedelta(days=days),
                       outcome=Outcome.MISSED)
    response = login(users["pk"]).get(detail_url(own_order.client))
    rows = response.context["orders"]
    assert rows[0]["missed"] == 3
    assert own_order.needs_closing
    content = response.content.decode()
    assert "badge-stage-late" in content
    assert reverse("clients:order_detail", args=[own_order.client_id, own_order.pk]) in content


def test_operator_sees_the_page_but_no_case_notes(login, users, own_client):
    add_note(own_client, users["pk"], text="Rahasia: masalah keluarga", confidential=True)
    add_note(own_client, users["pk"], text="Terbuka: sudah bekerja", confidential=False)
    response = login(users["operator"]).get(detail_url(own_client))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Rahasia" not in content and "Terbuka" not in content
    assert 'id="pane-notes"' not in content


def test_pk_sees_confidential_notes(login, users, own_client):
    add_note(own_client, users["pk"], text="Rahasia: masalah keluarga")
    content = login(users["pk"]).get(detail_url(own_client)).content.decode()
    assert "Rahasia: masalah keluarga" in content


# --- Timeline ---------------------------------------------------------------------------------


@pytest.fixture
def history(users, own_order):
    """One item of every kind the clients app puts on the timeline."""
    now = timezone.now()
    ContactFactory(order=own_order, planned_at=now - timedelta(days=9), outcome=Outcome.ATTENDED,
                   notes="Datang tepat waktu")
    add_note(own_order.client, users["pk"], text="Catatan perkembangan")
    OrderStatusChange.objects.create(
        order=own_order, from_status=OrderStatus.ACTIVE, to_status=OrderStatus.ACTIVE,
        effective_date=timezone.localdate(), reason="Koreksi data", changed_by=users["supervisor"],
    )
    WarningLetter.objects.create(order=own_order, level="sp1", number="W.15/PK/2026",
                                 issued_on=timezone.localdate(), reason="Tidak lapor",
                                 issued_by=users["pk"])
    RevocationProposal.objects.create(
        order=own_order, reasons="Tiga kali tidak lapor", proposed_by=users["pk"],
        status=RevocationProposal.Status.REJECTED, decided_by=users["head"], decided_at=now,
        decision_reason="Beri kesempatan",
    )
    ClientDocument.objects.create(
        client=own_order.client, kind="decree", title="SK PB 2026", file="clients/docs/x.pdf",
        document_date=timezone.localdate(), uploaded_by=users["operator"],
    )
    return own_order


def test_timeline_shows_every_kind_of_event(login, users, history):
    response = login(users["pk"]).get(detail_url(history.client))
    categories = {entry.category for entry in response.context["timeline_page"]}
    assert categories >= {"contact", "note", "status", "breach", "document"}
    content = response.content.decode()
    for text in ("Datang tepat waktu", "Catatan perkembangan", "Koreksi data", "W.15/PK/2026",
                 "Tiga kali tidak lapor", "Beri kesempatan", "SK PB 2026"):
        assert text in content


def test_order_sources_read_nothing_when_no_order_has_their_rows(login, users, own_order):
    # The page reads, with the orders, which have status changes, warnings or proposals.
    tables = ("clients_orderstatuschange", "clients_warningletter", "clients_revocationproposal")
    browser = login(users["pk"])
    with CaptureQueriesContext(connection) as quiet:
        assert browser.get(detail_url(own_order.client)).status_code == 200
    assert not [q for q in quiet if q["sql"].startswith(tuple(f'SELECT "{t}"' for t in tables))]
    WarningLetter.objects.create(order=own_order, level="sp1", number="W.16/PK/2026",
                                 issued_on=timezone.localdate(), reason="Tidak lapor",
                                 issued_by=users["pk"])
    with CaptureQueriesContext(connection) as warned:
        response = browser.get(detail_url(own_order.client))
    read = [q["sql"] for q in warned if q["sql"].startswith(tuple(f'SELECT "{t}"' for t in tables))]
    assert len(read) == 1 and read[0].startswith('SELECT "clients_warningletter"')
    assert "W.16/PK/2026" in response.content.decode()


def test_timeline_filters_by_category(login, users, history):
    client = login(users["pk"])
    response = client.get(detail_url(history.client), {"show": "contact,document"})
    categories = {entry.category for entry in response.context["timeline_page"]}
    assert categories == {"contact", "document"}
    response = client.get(detail_url(history.client), {"show": ["note"]})
    assert {e.category for e in response.context["timeline_page"]} == {"note"}


def test_operator_timeline_has_no_case_notes(login, users, history):
    add_note(history.client, users["pk"], text="Catatan terbuka", confidential=False)
    response = login(users["operator"]).get(detail_url(history.client))
    assert "note" not in {entry.category for entry in response.context["timeline_page"]}


def test_timeline_is_paginated(login, users, own_order):
    now = timezone.now()
    for days in range(30):
        ContactFactory(order=own_order, planned_at=now - timedelta(days=days + 1))
    response = login(users["pk"]).get(detail_url(own_order.client))
    page = response.context["timeline_page"]
    assert len(page.object_list) == 25
    assert page.paginator.count == 30
    second = login(users["pk"]).get(detail_url(own_order.client), {"page": 2})
    assert len(second.context["timeline_page"].object_list) == 5


def _fill(order, users, count):
    now = timezone.now()
    for n in range(count):
        ContactFactory(order=order, planned_at=now - timedelta(days=n + 1),
                       outcome=Outcome.MISSED if n % 2 else Outcome.ATTENDED)
        add_note(order.client, users["pk"], text=f"Catatan {n}")
        ClientDocument.objects.create(
            client=order.client, kind="other", title=f"Dokumen {n}", file=f"clients/docs/{n}.pdf",
            document_date=timezone.localdate(), uploaded_by=users["pk"],
        )
        WarningLetter.objects.create(order=order, level="sp1", number=f"W.{n}",
                                     issued_on=timezone.localdate(), reason="x",
                                     issued_by=users["pk"])
        OrderStatusChange.objects.create(
            order=order, from_status="aktif", to_status="aktif",
            effective_date=timezone.localdate(), reason="x", changed_by=users["pk"],
        )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_client_page_query_count_does_not_grow_with_history(login, users, office):
    small = OrderFactory(client=ClientFactory(office=office), assigned_pk=users["pk"])
    large = OrderFactory(client=ClientFactory(office=office), assigned_pk=users["pk"])
    OrderFactory(client=small.client, assigned_pk=users["pk"])
    OrderFactory(client=large.client, assigned_pk=users["pk"])
    _fill(small, users, 3)
    _fill(large, users, 30)
    browser = login(users["pk"])
    browser.get(detail_url(small.client))  # warm caches (content types, session)
    assert _queries(browser, detail_url(small.client)) == _queries(
        browser, detail_url(large.client)
    )


# --- Case notes -------------------------------------------------------------------------------


def note_url(client):
    return reverse("clients:note_add", args=[client.pk])


def test_pk_adds_a_confidential_note_by_default(login, users, own_client):
    response = login(users["pk"]).post(note_url(own_client), {"note-text": "Sudah bekerja.",
                                                              "note-confidential": "on"})
    assert response.status_code == 302
    note = CaseNote.objects.get()
    assert (note.client, note.author, note.text, note.confidential) == (
        own_client, users["pk"], "Sudah bekerja.", True
    )
    assert note.history.get().history_user == users["pk"]


def test_note_form_is_confidential_by_default(login, users, own_client):
    response = login(users["pk"]).get(detail_url(own_client), {"tab": "notes"})
    assert response.context["note_form"]["confidential"].value() is True


# --- Tabs: only the active one is built; the others load when first shown ---------------------


def test_default_page_builds_the_timeline_and_leaves_the_other_tabs_to_load(login, users,
                                                                             own_client):
    add_note(own_client, users["pk"], text="Catatan di tab catatan")
    response = login(users["pk"]).get(detail_url(own_client))
    content = response.content.decode()
    assert response.context["tab"] == "timeline" and "timeline_rows" in response.context
    assert "note_form" not in response.context and "document_form" not in response.context
    assert f'hx-get="{detail_url(own_client)}?tab=notes"' in content
    assert f'hx-get="{detail_url(own_client)}?tab=documents"' in content
    assert 'name="note-text"' not in content  # the note form comes with its tab
    assert '<span class="badge text-bg-secondary">1</span>' in content  # the tab's count


def test_a_tab_opened_on_the_page_gets_its_pane_alone(login, users, own_client):
    add_note(own_client, users["pk"], text="Catatan di tab catatan")
    web = login(users["pk"])
    response = web.get(detail_url(own_client), {"tab": "notes"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content and "Catatan di tab catatan" in content
    assert 'name="note-text"' in content and "timeline_rows" not in response.context
    documents = web.get(detail_url(own_client), {"tab": "documents"}, HTTP_HX_REQUEST="true")
    assert "<html" not in documents.content.decode()
    assert 'name="doc-file"' in documents.content.decode()
    assert AccessLog.objects.filter(user=users["pk"]).count() == 2  # each pane opening is logged


def test_a_tab_without_javascript_is_a_whole_page(login, users, own_client):
    add_note(own_client, users["pk"], text="Catatan di tab catatan")
    response = login(users["pk"]).get(detail_url(own_client), {"tab": "notes"})
    content = response.content.decode()
    assert "<html" in content and "Catatan di tab catatan" in content
    assert f'hx-get="{detail_url(own_client)}?tab=timeline"' in content  # loads when shown


def test_operator_asking_for_the_notes_pane_gets_the_timeline(login, users, own_client):
    add_note(own_client, users["pk"], text="Rahasia: masalah keluarga")
    response = login(users["operator"]).get(detail_url(own_client), {"tab": "notes"},
                                            HTTP_HX_REQUEST="true")
    assert response.context["tab"] == "timeline"
    assert "Rahasia" not in response.content.decode()


def test_note_may_be_marked_shareable_and_tied_to_an_order(login, users, own_order):
    login(users["pk"]).post(note_url(own_order.client),
                            {"note-text": "Boleh dibagikan", "note-order": own_order.pk})
    note = CaseNote.objects.get()
    assert note.confidential is False
    assert note.order == own_order


def test_empty_note_is_refused_and_nothing_saved(login, users, own_client):
    response = login(users["pk"]).post(note_url(own_client), {"note-text": "   "})
    assert response.status_code == 200
    assert response.context["note_form"].errors["text"]
    assert response.context["tab"] == "notes"
    assert not CaseNote.objects.exists()


def test_note_for_another_clients_order_is_refused(login, users, own_client, colleague_order):
    response = login(users["supervisor"]).post(
        note_url(own_client), {"note-text": "x", "note-order": colleague_order.pk}
    )
    assert response.status_code == 200
    assert "order" in response.context["note_form"].errors
    assert not CaseNote.objects.exists()


@pytest.mark.parametrize(("role", "status"), [
    ("operator", 403), ("admin", 403), ("pk2", 404), ("other_pk", 404), ("partner", 404),
    ("regional", 404), ("supervisor", 302), ("head", 302),
])
def test_who_may_add_case_notes(login, users, own_client, role, status):
    response = login(users[role]).post(note_url(own_client), {"note-text": "Catatan"})
    assert response.status_code == status
    assert CaseNote.objects.exists() == (status == 302)


def test_get_on_note_url_is_not_allowed(login, users, own_client):
    assert login(users["pk"]).get(note_url(own_client)).status_code == 405


# --- Covering PK ------------------------------------------------------------------------------


def test_covering_pk_reads_but_cannot_change(login, users, colleague_order):
    colleague_order.cover_pk = users["pk"]
    colleague_order.save()
    client_obj = colleague_order.client
    browser = login(users["pk"])
    response = browser.get(detail_url(client_obj))
    assert response.status_code == 200
    content = response.content.decode()
    assert reverse("clients:edit", args=[client_obj.pk]) not in content
    assert reverse("clients:note_add", args=[client_obj.pk]) not in content
    assert reverse("clients:document_add", args=[client_obj.pk]) not in content
    assert not response.context["can_edit"]
    assert browser.post(note_url(client_obj), {"note-text": "x"}).status_code == 404
    assert browser.post(reverse("clients:document_add", args=[client_obj.pk]),
                        {"doc-title": "x"}).status_code == 404
    assert browser.get(reverse("clients:edit", args=[client_obj.pk])).status_code == 404
    assert not CaseNote.objects.exists()
