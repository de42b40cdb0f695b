"""Referrals appear on the client's timeline for the PK and supervisor, in constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.timeline import build_timeline
from partners.models import ReferralStatus
from partners.timeline import referral_entries
from tests.factories.partners import log_session

S = ReferralStatus


def test_referral_events_and_sessions_are_on_the_timeline(users, make_referral):
    referral = make_referral(S.IN_PROGRESS)
    log_session(referral, users["partner"], activity="Konseling individu pertama")
    entries = [e for e in build_timeline(referral.order.client, users["pk"])
               if e.category == "referral"]
    badges = [e.badge for e in entries]
    assert len(entries) == 5  # draft, sent, accepted, in progress, one session
    assert str(S.ACCEPTED.label) in badges
    session = next(e for e in entries if e.detail == "Konseling individu pertama")
    assert session.url == reverse("partners:referral_detail", args=[referral.pk])


@pytest.mark.parametrize("role", ["partner", "regional"])
def test_partner_staff_and_regional_get_no_entries(users, make_referral, role):
    referral = make_referral(S.SENT)
    assert list(referral_entries(referral.order.client, users[role])) == []


def test_operators_see_entries_without_links(users, make_referral):
    referral = make_referral(S.SENT)
    entries = list(referral_entries(referral.order.client, users["operator"]))
    assert entries and all(e.url == "" for e in entries)


def test_timeline_source_runs_constant_queries(users, make_referral, service):
    first = make_referral(S.IN_PROGRESS)
    log_session(first, users["partner"])
    client = first.order.client
    with CaptureQueriesContext(connection) as one:
        list(referral_entries(client, users["pk"]))
    for _ in range(4):
        referral = make_referral(S.IN_PROGRESS)
        log_session(referral, users["partner"])
        log_session(referral, users["partner"])
    with CaptureQueriesContext(connection) as many:
        entries = list(referral_entries(client, users["pk"]))
    assert len(entries) > 10
    assert len(one) == len(many)


def test_pk_sees_the_referral_on_the_client_page(login, users, make_referral):
    referral = make_referral(S.COMPLETED)
    response = login(users["pk"]).get(
        reverse("clients:detail", args=[referral.order.client.pk]) + "?show=referral"
    )
    assert response.status_code == 200
    assert referral.partner.name in response.content.decode()
