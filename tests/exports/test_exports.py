"""Exports of the list pages: the filters of the page, the same scoping, logged, formula-safe."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bapas.exports import Column, safe_text, write_csv, write_xlsx
from bapas.models import AccessLog, Role
from clients.models import RiskLevel
from tests.factories import ClientFactory, ContactFactory, OrderFactory, PartnerFactory, UserFactory
from tests.factories.meetings import MeetingFactory
from tests.factories.partners import ReferralFactory, ServiceFactory, advance

from .helpers import assert_no_formula_cells, column, csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db

EVIL = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


# --- The writer -----------------------------------------------------------------------------------


def test_no_exported_cell_starts_with_a_formula_trigger():
    rows = [{"text": text, "number": -5, "day": date(2024, 12, 31)} for text in EVIL]
    columns = [Column("=Heading", "text"), Column("Number", "number"), Column("Day", "day")]
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(write_xlsx(rows, columns)))
    values = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert_no_formula_cells(values)
    assert values[1][0] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert values[1][1] == -5  # numbers stay numbers in a workbook
    assert values[1][2] == datetime(2024, 12, 31)  # a real date cell
    text = write_csv(rows, columns).decode("utf-8-sig")
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.strip('"').startswith(("=", "+", "-", "@"))
    assert "'-5" in text and "31/12/2024" in text
    assert safe_text("Budi") == "Budi" and safe_text("-") == "'-"


def test_column_paths_reach_through_missing_relations():
    class Row:
        assigned_pk = None
        client = type("C", (), {"full_name": "Siti", "get_sex_display": lambda self: "P"})()

    row = Row()
    assert Column("PK", "assigned_pk.full_name").get(row) is None
    assert Column("Sex", "client.get_sex_display").get(row) == "P"


# --- Caseload -------------------------------------------------------------------------------------


@pytest.fixture
def caseload(users, office, other_office):
    own = OrderFactory(client=ClientFactory(office=office, full_name="Ahmad Fauzi"),
                       assigned_pk=users["pk"], risk_level=RiskLevel.HIGH)
    colleague = OrderFactory(client=ClientFactory(office=office, full_name=EVIL[0]),
                             assigned_pk=users["pk2"])
    foreign = OrderFactory(client=ClientFactory(office=other_office, full_name="Bayu Saputra"),
                           assigned_pk=users["other_pk"])
    return {"own": own, "colleague": colleague, "foreign": foreign}


def _caseload(browser, fmt="xlsx", **query):
    return browser.get(reverse("clients:export_caseload", args=[fmt]), query)


@pytest.mark.parametrize(("role", "expected"), [
    ("pk", {"Ahmad Fauzi"}),
    ("operator", {"Ahmad Fauzi", "'" + EVIL[0]}),
    ("supervisor", {"Ahmad Fauzi", "'" + EVIL[0]}),
    ("head", {"Ahmad Fauzi", "'" + EVIL[0]}),
    ("admin", {"Ahmad Fauzi", "'" + EVIL[0], "Bayu Saputra"}),
])
def test_the_caseload_export_holds_what_the_user_may_see(role, expected, users, caseload,
                                                         login):
    response = _caseload(login(users[role]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="caseload-')
    assert response["Cache-Control"] == "no-store, private"
    rows = xlsx_rows(response)
    assert set(column(rows, "Full name")) == expected
    assert_no_formula_cells(rows)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_list_longer_than_an_export_holds_is_refused_with_a_message(users, caseload, login,
                                                                      monkeypatch, fmt):
    """Never a file silently cut at the limit: the user is sent back to narrow the list."""
    import bapas.exports

    browser = login(users["admin"])
    monkeypatch.setattr(bapas.exports, "MAX_ROWS", 3)
    assert len(xlsx_rows(_caseload(browser))) == 1 + 3  # exactly the limit: the file
    monkeypatch.setattr(bapas.exports, "MAX_ROWS", 2)
    page = reverse("clients:caseload") + "?status=aktif"
    url = reverse("clients:export_caseload", args=[fmt])
    response = browser.get(url, HTTP_REFERER=f"http://testserver{page}")
    assert response.status_code == 302 and response.url == f"http://testserver{page}"
    shown = browser.get(response.url).content.decode()
    assert "more than 2 rows" in shown or "lebih dari 2 baris" in shown
    foreign = browser.get(url, HTTP_REFERER="https://evil.example/x")
    assert foreign.url == "/"  # back to our own pages only
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exclude(
        object_label__contains="3 rows").exists()  # only the file that was made is logged


def test_an_administrators_office_filter_applies_to_the_export_as_to_the_page(
        users, caseload, login, other_office):
    browser = login(users["admin"])
    page = browser.get(reverse("clients:caseload"), {"office": other_office.pk})
    shown = {order.client.full_name for order in page.context["page"].object_list}
    exported = set(column(xlsx_rows(_caseload(browser, office=other_office.pk)), "Full name"))
    assert shown == exported == {"Bayu Saputra"}


@pytest.mark.parametrize(("role", "status"), [("partner", 404), ("regional", 403)])
def test_partner_staff_and_regional_viewers_cannot_export_the_caseload(role, status, users,
                                                                       caseload, login):
    # Partner staff are not even told the office's pages exist.
    assert _caseload(login(users[role])).status_code == status


def test_the_caseload_export_applies_the_filters_and_the_search(users, caseload, login):
    browser = login(users["supervisor"])
    rows = csv_rows(_caseload(browser, "csv", risk_level="tinggi"))
    assert column(rows, "Full name") == ["Ahmad Fauzi"]
    assert column(rows, "NIK") == [caseload["own"].client.nik]
    rows = csv_rows(_caseload(browser, "csv", officer=str(users["pk2"].pk)))
    assert column(rows, "Full name") == ["'" + EVIL[0]]
    browser.post(reverse("clients:caseload"), {"q": "Fauzi"})
    rows = csv_rows(_caseload(browser, "csv"))
    assert column(rows, "Full name") == ["Ahmad Fauzi"]


def test_a_pk_exports_the_clients_they_cover_separately(users, caseload, login):
    caseload["colleague"].cover_pk = users["pk"]
    caseload["colleague"].save()
    browser = login(users["pk"])
    assert column(xlsx_rows(_caseload(browser)), "Full name") == ["Ahmad Fauzi"]
    assert column(xlsx_rows(_caseload(browser, view="cover")), "Full name") == [
        "'" + EVIL[0]]


def test_every_export_is_recorded_in_the_access_log(users, caseload, login):
    _caseload(login(users["supervisor"]), "csv", risk_level="tinggi")
    entry = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert entry.user == users["supervisor"] and entry.office == users["supervisor"].office
    assert entry.object_label == "Caseload list (1 rows, CSV)"
    assert "risk_level=tinggi" in entry.path


def test_an_unknown_format_is_not_found(users, caseload, login):
    assert _caseload(login(users["supervisor"]), "pdf").status_code == 404
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_the_caseload_export_runs_the_same_queries_for_3_or_30_clients(users, office, login):
    browser = login(users["supervisor"])

    def add(count):
        for _ in range(count):
            order = OrderFactory(client=ClientFactory(office=office), assigned_pk=users["pk"])
            ContactFactory(order=order)

    add(3)
    _caseload(browser)
    with CaptureQueriesContext(connection) as few:
        _caseload(browser)
    add(27)
    with CaptureQueriesContext(connection) as many:
        response = _caseload(browser)
    assert len(xlsx_rows(response)) == 31
    assert len(few) == len(many)


# --- Contacts -------------------------------------------------------------------------------------


@pytest.fixture
def contacts(caseload):
    now = timezone.now()
    past = ContactFactory(order=caseload["own"], planned_at=now - timedelta(days=3),
                          place="=cmd|calc")
    soon = ContactFactory(order=caseload["colleague"], planned_at=now + timedelta(days=2))
    ContactFactory(order=caseload["foreign"], planned_at=now - timedelta(days=1))
    return {"past": past, "soon": soon}


def test_awaiting_outcomes_export_lists_past_contacts_without_outcome(users, contacts, login):
    rows = xlsx_rows(login(users["supervisor"]).get(
        reverse("clients:export_awaiting", args=["xlsx"])))
    assert column(rows, "Client") == ["Ahmad Fauzi"]
    assert column(rows, "Days waiting") == [3]
    assert column(rows, "Place") == ["'=cmd|calc"]


def test_agenda_export_applies_the_pk_filter(users, contacts, login):
    browser = login(users["supervisor"])
    url = reverse("clients:export_agenda", args=["csv"])
    assert column(csv_rows(browser.get(url)), "Client") == ["'" + EVIL[0]]
    assert column(csv_rows(browser.get(url, {"pk": users["pk"].pk})), "Client") == []


@pytest.mark.parametrize(("role", "status"), [("pk", 200), ("head", 200), ("operator", 403),
                                              ("partner", 404), ("regional", 403)])
def test_contact_exports_follow_the_page_permissions(role, status, users, contacts, login):
    browser = login(users[role])
    for name in ("clients:export_awaiting", "clients:export_agenda"):
        assert browser.get(reverse(name, args=["csv"])).status_code == status


# --- Referrals ------------------------------------------------------------------------------------


@pytest.fixture
def referrals(users, caseload, partner):
    service = ServiceFactory(name="Konseling psikososial")
    shared = ReferralFactory(order=caseload["own"], partner=partner, service=service,
                             created_by=users["pk"], share_nik=True, share_offence=True)
    advance(shared, "accepted", officer=users["pk"], partner_user=users["partner"])
    private = ReferralFactory(order=caseload["colleague"], partner=partner, service=service,
                              created_by=users["pk2"])
    advance(private, "sent", officer=users["pk2"], partner_user=users["partner"])
    other = PartnerFactory(name="Dinas Kesehatan", offices=[caseload["own"].client.office])
    elsewhere = ReferralFactory(order=caseload["own"], partner=other, service=service,
                                created_by=users["pk"])
    advance(elsewhere, "sent", officer=users["pk"], partner_user=users["partner"])
    return {"shared": shared, "private": private, "elsewhere": elsewhere}


def test_partner_staff_export_only_their_referrals_and_only_shared_fields(users, referrals,
                                                                         login):
    response = login(users["partner"]).get(reverse("partners:export_portal", args=["xlsx"]))
    rows = xlsx_rows(response)
    by_client = {row[rows[0].index("Client")]: row for row in rows[1:]}
    assert set(by_client) == {"Ahmad Fauzi", "'" + EVIL[0]}  # not the other partner's
    shared, private = by_client["Ahmad Fauzi"], by_client["'" + EVIL[0]]
    header = rows[0]
    assert shared[header.index("NIK")] == referrals["shared"].order.client.nik
    assert shared[header.index("Offence")] == "Pencurian"
    assert private[header.index("NIK")] is None  # not shared: empty
    assert private[header.index("Offence")] is None
    assert "Register number" not in header and "Risk level" in header
    assert private[header.index("Risk level")] is None
    assert AccessLog.objects.filter(user=users["partner"], action="export").exists()


def test_a_closed_referral_exports_only_the_clients_name(users, referrals, login):
    from partners import services

    services.referral_transition(referral=referrals["shared"], to_status="ended_early",
                                 by=users["pk"], reason="Klien pindah")
    rows = xlsx_rows(login(users["partner"]).get(
        reverse("partners:export_portal", args=["xlsx"]), {"tab": "closed"}))
    assert column(rows, "Client") == ["Ahmad Fauzi"]
    assert column(rows, "NIK") == [None] and column(rows, "Phone") == [None]


def test_officers_export_the_referral_list_with_its_filters(users, referrals, partner, login):
    browser = login(users["supervisor"])
    url = reverse("partners:export_referrals", args=["csv"])
    assert len(csv_rows(browser.get(url))) == 4
    rows = csv_rows(browser.get(url, {"status": "accepted"}))
    assert column(rows, "Client") == ["Ahmad Fauzi"]
    rows = csv_rows(browser.get(url, {"partner": partner.pk}))
    assert len(rows) == 3
    pk_rows = csv_rows(login(users["pk2"]).get(url))
    assert column(pk_rows, "Client") == ["'" + EVIL[0]]


@pytest.mark.parametrize(("role", "name", "status"), [
    ("partner", "partners:export_referrals", 404),
    ("partner", "partners:export_directory", 404),
    ("pk", "partners:export_portal", 404),
    ("supervisor", "partners:export_portal", 404),
    ("operator", "partners:export_referrals", 403),
    ("regional", "partners:export_directory", 403),
])
def test_partner_exports_refuse_the_other_side(role, name, status, users, referrals, login):
    assert login(users[role]).get(reverse(name, args=["csv"])).status_code == status


def test_the_directory_export_applies_its_filters(users, office, partner, login):
    PartnerFactory(name="Pokmas Lipas Kaliwates", kind="pokmas", pokmas_group="social",
                   offices=[office])
    PartnerFactory(name="Mitra kantor lain")
    browser = login(users["operator"])
    url = reverse("partners:export_directory", args=["xlsx"])
    names = column(xlsx_rows(browser.get(url)), "Name")
    assert names == ["Dinas Sosial Kabupaten Jember", "Pokmas Lipas Kaliwates"]
    assert column(xlsx_rows(browser.get(url, {"kind": "pokmas"})), "Name") == [
        "Pokmas Lipas Kaliwates"]


# --- Meetings -------------------------------------------------------------------------------------


def test_the_meeting_export_follows_the_tab_filters_and_scoping(users, office, other_office,
                                                                partner, login):
    MeetingFactory(office=office, title="Rapat mitra", partners=[partner],
                   created_by=users["supervisor"])
    MeetingFactory(office=office, title="Sidang TPP", kind="tpp", created_by=users["head"])
    MeetingFactory(office=office, title="Rapat lalu", created_by=users["head"],
                   starts_at=timezone.now() - timedelta(days=30))
    MeetingFactory(office=other_office, title="Rapat Bondowoso")
    url = reverse("meetings:export", args=["xlsx"])
    browser = login(users["supervisor"])
    assert column(xlsx_rows(browser.get(url)), "Title") == ["Rapat mitra", "Sidang TPP"]
    assert column(xlsx_rows(browser.get(url, {"kind": "tpp"})), "Title") == ["Sidang TPP"]
    assert column(xlsx_rows(browser.get(url, {"tab": "past"})), "Title") == ["Rapat lalu"]
    rows = xlsx_rows(login(users["partner"]).get(url, {"tab": "all"}))
    assert column(rows, "Title") == ["Rapat mitra"]
    assert column(rows, "Invited organisations") == [partner.name]
    assert login(users["regional"]).get(url).status_code == 403


# --- The include ----------------------------------------------------------------------------------


def test_the_export_buttons_keep_the_filters_but_not_the_page(users, settings):
    request = RequestFactory().get("/clients/", {"risk_level": "tinggi", "page": "3"})
    request.user = users["supervisor"]
    html = Template('{% include "includes/export_buttons.html" with '
                    'export_url="clients:export_caseload" %}').render(
        Context({"request": request}))
    assert 'href="/clients/export/caseload.xlsx?risk_level=tinggi"' in html
    assert 'href="/clients/export/caseload.csv?risk_level=tinggi"' in html
    assert "page=" not in html


def test_the_export_buttons_render_nothing_for_an_unknown_url_name(users):
    request = RequestFactory().get("/")
    html = Template('{% include "includes/export_buttons.html" with export_url="nope:x" %}'
                    ).render(Context({"request": request}))
    assert "dropdown" not in html


def test_an_inactive_user_cannot_export(users, caseload, login):
    user = UserFactory(role=Role.SUPERVISOR, office=caseload["own"].client.office,
                       email="gone@test.local")
    browser = login(user)
    user.is_active = False
    user.save()
    assert _caseload(browser).status_code in {302, 403}


# --- Every export: the same queries for 3 rows or 30 ------------------------------------------


def _add_contacts(users, office, count):
    for _ in range(count):
        order = OrderFactory(client=ClientFactory(office=office), assigned_pk=users["pk"])
        ContactFactory(order=order, planned_at=timezone.now() - timedelta(days=2))  # awaiting
        ContactFactory(order=order, planned_at=timezone.now() + timedelta(days=2))  # agenda


def _add_partners(users, office, count):
    for _ in range(count):
        PartnerFactory(offices=[office])


def _add_referrals(users, office, count):
    service = ServiceFactory(name="Pelatihan kerja")
    for _ in range(count):
        order = OrderFactory(client=ClientFactory(office=office), assigned_pk=users["pk"])
        referral = ReferralFactory(order=order, partner=users["partner"].partner,
                                   service=service, created_by=users["pk"])
        advance(referral, "sent", officer=users["pk"], partner_user=users["partner"])


def _add_meetings(users, office, count):
    for _ in range(count):
        MeetingFactory(office=office, created_by=users["supervisor"],
                       partners=[users["partner"].partner], invitees=[users["pk"]])


@pytest.mark.parametrize(("name", "role", "add"), [
    ("clients:export_awaiting", "pk", _add_contacts),
    ("clients:export_agenda", "pk", _add_contacts),
    ("partners:export_directory", "supervisor", _add_partners),
    ("partners:export_referrals", "pk", _add_referrals),
    ("partners:export_portal", "partner", _add_referrals),
    ("meetings:export", "supervisor", _add_meetings),
])
def test_every_export_runs_the_same_queries_for_3_or_30_rows(name, role, add, users, office,
                                                             login):
    browser = login(users[role])
    url = reverse(name, args=["xlsx"])
    add(users, office, 3)
    browser.get(url)  # warm: sessions, caches
    with CaptureQueriesContext(connection) as few:
        rows_few = xlsx_rows(browser.get(url))
    add(users, office, 27)
    with CaptureQueriesContext(connection) as many:
        rows_many = xlsx_rows(browser.get(url))
    assert len(rows_many) - len(rows_few) == 27  # the new rows are in the export
    assert len(few) == len(many), (len(few), len(many))
