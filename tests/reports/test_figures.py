"""The monthly figures reconcile with the hand-built October (tests/reports/expected.py)."""

from __future__ import annotations

import pytest

from clients.models import Client, Program
from reports.figures import FLOW_FIELDS, attendance_trend, monthly_figures
from tests.reports import expected as E

pytestmark = pytest.mark.django_db


def _rows(figures):
    return {(row.program, row.section): tuple(row.values()) for row in figures.programs}


def test_program_and_section_flows_match_the_hand_count(october, office):
    figures = monthly_figures([office.pk], 2026, 10)
    rows = _rows(figures)
    for key, values in rows.items():
        assert values == E.PROGRAMS.get(key, E.ZERO), key
    assert tuple(figures.totals()[name] for name in FLOW_FIELDS) == E.TOTALS
    by_section = figures.totals_by_section()
    for section, values in E.SECTION_TOTALS.items():
        assert tuple(by_section[section][name] for name in FLOW_FIELDS) == values


def test_start_plus_new_minus_closed_is_the_end_for_every_row(october, office):
    for row in monthly_figures([office.pk], 2026, 10).programs:
        assert row.start + row.new - row.closed == row.end, row


def test_contacts_attendance_and_visits(october, office):
    figures = monthly_figures([office.pk], 2026, 10)
    f = figures.contacts
    assert (f.planned, f.done, f.attended, f.excused, f.missed) == E.CONTACTS[:5]
    assert f.noncompliant == E.NONCOMPLIANT
    assert f.home_visits == E.HOME_VISITS
    assert f.attendance_rate == E.ATTENDANCE_RATE
    kinds = {row.kind: row.figures for row in figures.contacts_by_kind}
    assert set(kinds) == set(E.CONTACTS_BY_KIND)
    for kind, values in E.CONTACTS_BY_KIND.items():
        k = kinds[kind]
        assert (k.planned, k.done, k.attended, k.excused, k.missed) == values[:5], kind


def test_caseload_per_pk_counts_active_orders_at_the_end(october, office, users):
    caseload = {row.name: row.count for row in monthly_figures([office.pk], 2026, 10).caseload}
    assert caseload[users["pk"].full_name] == E.CASELOAD["pk"]
    assert caseload[users["pk2"].full_name] == E.CASELOAD["pk2"]
    assert sum(caseload.values()) == E.CASELOAD_TOTAL
    assert users["other_pk"].full_name not in caseload


def test_referrals_and_sessions_per_partner(october, office):
    figures = monthly_figures([office.pk], 2026, 10)
    rows = {row.partner_id: row for row in figures.partners}
    for key, values in E.PARTNERS.items():
        row = rows[october.partners[key].pk]
        assert (row.sent, row.completed, row.ended, row.open_at_end, row.sessions,
                row.sessions_attended) == values[:6], key
    assert figures.partner_totals().hours == 4.0


def test_meetings_held_by_kind_exclude_cancelled_and_other_months(october, office):
    figures = monthly_figures([office.pk], 2026, 10)
    assert {row.kind: (row.held, row.attendees) for row in figures.meetings} == E.MEETINGS
    assert figures.meetings_held == E.MEETINGS_HELD


def test_regional_figures_add_the_offices_and_name_no_pk(october, office, other_office):
    figures = monthly_figures([office.pk, other_office.pk], 2026, 10, regional=True)
    assert _rows(figures)[(Program.PB, Client.Section.ADULT)] == E.REGION_PB_ADULT
    assert tuple(figures.totals()[name] for name in FLOW_FIELDS) == E.REGION_TOTALS
    assert figures.caseload == []
    offices = {row.name: row for row in figures.offices}
    for name, values in E.REGION_OFFICES.items():
        row = offices[name]
        assert (row.start, row.new, row.closed, row.end, row.contacts_planned,
                row.contacts_done) == values[:6]
        assert row.home_visits == values[7] and row.pks == values[8]
    assert {row.kind: (row.held, row.attendees) for row in figures.meetings} == (
        E.REGION_MEETINGS)


def test_attendance_trend_buckets_contacts_by_local_month(october, office):
    trend = dict(attendance_trend([office.pk], 2026, 10))
    assert len(trend) == 12
    assert trend[next(d for d in trend if d.month == 10)] == E.ATTENDANCE_RATE
    assert trend[next(d for d in trend if d.month == 9)] == E.SEPTEMBER_RATE
    assert trend[next(d for d in trend if d.month == 8)] is None
