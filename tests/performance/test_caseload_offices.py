"""The administrator's caseload across every office: an office filter, and the PK filter only
once an office is chosen (not every PK of the country in one select); constant queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bapas.models import Role
from tests.factories import ClientFactory, OfficeFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("clients:caseload")


def _names(response) -> set[str]:
    return {row.client.full_name for row in response.context["page"]}


def test_admin_chooses_an_office_before_a_pk(login, users, office, other_office):
    OrderFactory(client=ClientFactory(office=office, full_name="Klien Jember"),
                 assigned_pk=users["pk"])
    OrderFactory(client=ClientFactory(office=other_office, full_name="Klien Bondowoso"),
                 assigned_pk=UserFactory(role=Role.PK, office=other_office))
    browser = login(users["admin"])
    everything = browser.get(URL)
    form = everything.context["filter"].form
    assert "office" in form.fields and "officer" not in form.fields
    assert {str(office.pk), str(other_office.pk)} <= {v for v, _ in form.fields["office"].choices}
    assert _names(everything) == {"Klien Jember", "Klien Bondowoso"}
    one = browser.get(URL, {"office": office.pk})
    assert _names(one) == {"Klien Jember"}
    officers = {label for value, label in one.context["filter"].form.fields["officer"].choices}
    assert users["pk"].full_name in officers
    assert not any(u.full_name in officers
                   for u in users.values() if u.office_id == other_office.pk)
    assert _names(browser.get(URL, {"office": office.pk, "officer": users["pk"].pk})) == {
        "Klien Jember"}


def test_office_staff_have_no_office_filter(login, users):
    form = login(users["supervisor"]).get(URL).context["filter"].form
    assert "office" not in form.fields and "officer" in form.fields


def test_admin_caseload_queries_do_not_grow_with_offices_and_pks(login, users, region):
    browser = login(users["admin"])
    browser.get(URL)  # warm per-process caches

    def grow(n):
        for _ in range(n):
            office = OfficeFactory(regional_office=region)
            pk = UserFactory(role=Role.PK, office=office)
            OrderFactory(client=ClientFactory(office=office), assigned_pk=pk)

    def count(params=None) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert browser.get(URL, params or {}).status_code == 200
        return len(captured)

    grow(3)
    few = count(), count({"office": users["pk"].office_id})
    grow(27)
    many = count(), count({"office": users["pk"].office_id})
    assert many == few and max(many) <= 20, (few, many)
