"""Each role's home page: its dashboard, its charts' data, and a constant number of queries."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bapas.models import Role
from clients.models import ContactKind, Outcome, RiskLevel
from partners.models import ReferralStatus, ServiceSession
from tests.factories import (
    ClientFactory,
    ContactFactory,
    OfficeFactory,
    OrderFactory,
    PartnerFactory,
    UserFactory,
)
from tests.factories.partners import AgreementFactory
from tests.reports.conftest import referral, session

pytestmark = pytest.mark.django_db

TEMPLATES = {
    "pk": "reports/dashboards/pk.html",
    "supervisor": "reports/dashboards/office.html",
    "head": "reports/dashboards/office.html",
    "partner": "reports/dashboards/partner.html",
    "regional": "reports/dashboards/regional.html",
    "operator": "bapas/home.html",
    "admin": "bapas/home.html",
}


def chart_data(response, chart_id: str) -> dict:
    page = response.content.decode()
    start = page.index(f'<script id="{chart_id}" type="application/json">')
    start = page.index(">", start) + 1
    return json.loads(page[start:page.index("</script>", start)])


def early_today():
    """A moment of the local today, whatever the hour: month figures count it as this month."""
    return timezone.localtime().replace(hour=0, minute=1, second=0, microsecond=0)


def queries(browser, path="/") -> int:
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", list(TEMPLATES))
@pytest.mark.parametrize("path", ["/", "/reports/dashboard/"])
def test_every_role_gets_its_home_page(login, users, role, path):
    response = login(users[role]).get(path)
    assert response.status_code == 200
    assert TEMPLATES[role] in [t.name for t in response.templates]


def test_home_keeps_its_url_name():
    assert reverse("home") == "/"


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get("/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_charts_come_from_the_project_without_inline_script(login, users):
    page = login(users["supervisor"]).get("/").content.decode()
    assert "/static/vendor/chartjs/chart.umd.min.js" in page
    assert "/static/js/dashboards.js" in page
    assert "cdn" not in page.lower()
    scripts = page.split("<script")[1:]
    assert all('type="application/json"' in s.split(">")[0] or "src=" in s.split(">")[0]
               for s in scripts)


# --- PK ------------------------------------------------------------------------------------------

def pk_caseload(pk, office, n):
    now = timezone.localtime()  # "today" is the local day, whatever the hour in UTC
    for i in range(n):
        order = OrderFactory(
            client=ClientFactory(office=office), assigned_pk=pk,
            risk_level=[RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH][i % 3],
            supervision_start=timezone.localdate() - timedelta(days=10 + 100 * (i % 3)),
            supervision_end=timezone.localdate() + timedelta(days=290 - 90 * (i % 3)),
        )
        ContactFactory(order=order, planned_at=now.replace(hour=23, minute=30 - i % 30),
                       officer=pk)
        ContactFactory(order=order, planned_at=now - timedelta(days=3 + i), officer=pk)


def test_pk_dashboard_shows_the_caseload_today_and_what_is_overdue(login, users, office):
    pk_caseload(users["pk"], office, 3)
    OrderFactory(client=ClientFactory(office=office), assigned_pk=users["pk2"])  # not theirs
    response = login(users["pk"]).get("/")
    ctx = response.context
    assert ctx["active_orders"] == 3 and ctx["todays_count"] == 3 and ctx["overdue_count"] == 3
    assert sum(chart_data(response, "chart-stage")["datasets"][0]["data"]) == 3
    assert chart_data(response, "chart-risk")["datasets"][0]["data"] == [1, 1, 1]
    assert reverse("clients:awaiting_outcomes") in response.content.decode()


def test_pk_dashboard_queries_do_not_grow_with_the_caseload(login, users, office):
    browser = login(users["pk"])
    browser.get("/")  # warm per-process caches
    pk_caseload(users["pk"], office, 3)
    few = queries(browser)
    pk_caseload(users["pk"], office, 27)
    assert queries(browser) == few


# --- Supervisor and head -------------------------------------------------------------------------

def office_activity(office, supervisor, n, partner):
    today = timezone.localdate()
    pks = [UserFactory(role=Role.PK, office=office) for _ in range(max(1, n // 5))]
    for i in range(n):
        order = OrderFactory(client=ClientFactory(office=office), assigned_pk=pks[i % len(pks)],
                             supervision_start=today.replace(day=1))
        ContactFactory(order=order, planned_at=early_today(),
                       outcome=Outcome.ATTENDED, officer=order.assigned_pk)
        target = partner if i % 2 else PartnerFactory(offices=[office])
        referral(order, target, ReferralStatus.IN_PROGRESS, sent=timezone.now(),
                 officer=order.assigned_pk)
        AgreementFactory(partner=target, office=office, end_date=today + timedelta(days=10 + i))


@pytest.mark.parametrize("role", ["supervisor", "head"])
def test_office_dashboard_shows_the_month_trend_caseload_referrals_and_agreements(
    login, users, office, partner, role
):
    office_activity(office, users["supervisor"], 3, partner)
    response = login(users[role]).get("/")
    ctx = response.context
    assert ctx["totals"]["new"] == 3 and ctx["totals"]["end"] == 3
    assert ctx["figures"].contacts.attended == 3
    assert len(chart_data(response, "chart-trend")["labels"]) == 12
    assert chart_data(response, "chart-trend")["datasets"][0]["data"][-1] == 100.0
    caseload = chart_data(response, "chart-caseload")
    assert sum(caseload["datasets"][0]["data"]) == 3
    referrals = chart_data(response, "chart-referrals")
    assert sum(sum(d["data"]) for d in referrals["datasets"]) == 3
    assert ctx["expiring_count"] == 3


def test_office_dashboard_queries_do_not_grow_with_the_office(login, users, office, partner):
    browser = login(users["supervisor"])
    browser.get("/")  # warm per-process caches
    office_activity(office, users["supervisor"], 3, partner)
    few = queries(browser)
    office_activity(office, users["supervisor"], 27, partner)
    assert queries(browser) == few


def test_office_dashboard_counts_only_its_office(login, users, office, other_office, partner):
    office_activity(other_office, users["supervisor"], 3, partner)
    response = login(users["supervisor"]).get("/")
    assert response.context["totals"]["end"] == 0
    assert response.context["expiring_count"] == 0


# --- Partner staff -------------------------------------------------------------------------------

def partner_work(users, office, partner, n):
    today = timezone.localdate()
    for i in range(n):
        order = OrderFactory(client=ClientFactory(office=office), assigned_pk=users["pk"])
        status = [ReferralStatus.SENT, ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED][i % 3]
        r = referral(order, partner, status, sent=timezone.now(), officer=users["pk"])
        session(r, today.replace(day=1), ServiceSession.Attendance.ATTENDED, 60, users["partner"])


def test_partner_dashboard_shows_their_referrals_and_sessions(login, users, office, partner):
    partner_work(users, office, partner, 3)
    other = PartnerFactory(offices=[office])
    referral(OrderFactory(client=ClientFactory(office=office)), other, ReferralStatus.SENT,
             sent=timezone.now(), officer=users["pk"])
    response = login(users["partner"]).get("/")
    ctx = response.context
    assert ctx["new_count"] == 1 and ctx["active_count"] == 1
    assert ctx["sessions_count"] == 3 and ctx["session_hours"] == 3.0
    assert sum(chart_data(response, "chart-partner-status")["datasets"][0]["data"]) == 3


def test_partner_dashboard_queries_do_not_grow(login, users, office, partner):
    browser = login(users["partner"])
    browser.get("/")  # warm per-process caches
    partner_work(users, office, partner, 3)
    few = queries(browser)
    partner_work(users, office, partner, 27)
    assert queries(browser) == few


# --- Regional viewer -----------------------------------------------------------------------------

def region_activity(region, n):
    today = timezone.localdate()
    for _ in range(n):
        office = OfficeFactory(regional_office=region)
        i = office.pk
        pk = UserFactory(role=Role.PK, office=office, full_name=f"Petugas Rahasia {i}")
        order = OrderFactory(client=ClientFactory(office=office, full_name=f"Klien Rahasia {i}"),
                             assigned_pk=pk, supervision_start=today.replace(day=1))
        ContactFactory(order=order, kind=ContactKind.REPORT,
                       planned_at=early_today(),
                       outcome=Outcome.ATTENDED, officer=pk)


def test_regional_dashboard_compares_offices_without_personal_data(login, users, region):
    region_activity(region, 3)
    response = login(users["regional"]).get("/")
    rows = response.context["rows"]
    assert len(rows) == 5  # Jember, Bondowoso and the three new offices
    assert response.context["totals"]["new"] == 3
    assert response.context["totals"]["contacts_done"] == 3
    page = response.content.decode()
    assert "Rahasia" not in page
    assert len(chart_data(response, "chart-offices")["labels"]) == 5


def test_regional_dashboard_queries_do_not_grow_with_offices(login, users, region):
    browser = login(users["regional"])
    browser.get("/")  # warm per-process caches
    region_activity(region, 3)
    few = queries(browser)
    region_activity(region, 27)
    assert queries(browser) == few


def test_unplaced_accounts_fall_back_to_the_start_page(login, db, office):
    loose = UserFactory(role=Role.SUPERVISOR, office=None)
    response = login(loose).get("/")
    assert "bapas/home.html" in [t.name for t in response.templates]
