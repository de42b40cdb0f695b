"""A page shows a link only to those it would let in: no button that answers 403.

Found by the smoke crawl (tests/smoke): the caseload's "Awaiting outcome", the order page's
"Plan a contact" and the timeline's contact entries were shown to roles without case work.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ContactFactory

# The roles that open these pages (the others get 404 there); shown = holds clients.casework
# and, on the order page, works on this order.
VIEWERS = [("pk", True), ("operator", False), ("supervisor", True), ("head", True),
           ("admin", False)]


def _link_check(web, page_url: str, target: str) -> tuple[bool, int]:
    page = web.get(page_url)
    assert page.status_code == 200
    return f'href="{target}"' in page.content.decode(), web.get(target).status_code


@pytest.mark.parametrize(("role", "shown"), VIEWERS)
def test_awaiting_outcome_link_only_for_case_work(login, users, own_order, role, shown):
    target = reverse("clients:awaiting_outcomes")
    present, status = _link_check(login(users[role]), reverse("clients:caseload"), target)
    assert present == shown
    assert status == (200 if shown else 403)


@pytest.mark.parametrize(("role", "shown"), VIEWERS)
def test_plan_a_contact_only_for_who_works_on_the_order(login, users, own_order, role, shown):
    page_url = reverse("clients:order_detail", args=[own_order.client_id, own_order.pk])
    target = reverse("clients:contact_plan", args=[own_order.pk])
    present, status = _link_check(login(users[role]), page_url, target)
    assert present == shown
    assert status == (200 if shown else 403)


@pytest.mark.parametrize(("role", "shown"), VIEWERS)
def test_timeline_links_contacts_only_for_case_work(login, users, own_order, role, shown):
    contact = ContactFactory(order=own_order, planned_at=timezone.now() - timedelta(days=1))
    page_url = reverse("clients:detail", args=[own_order.client_id])
    target = reverse("clients:contact_detail", args=[contact.pk])
    web = login(users[role])
    present, status = _link_check(web, page_url, target)
    assert present == shown
    assert status == (200 if shown else 403)
    timeline = web.get(page_url).context["timeline_page"]
    assert "contact" in {entry.category for entry in timeline}  # the entry itself is shown


@pytest.mark.parametrize(
    ("role", "shown"),
    [("pk", False), ("operator", False), ("supervisor", True), ("head", True), ("admin", False)],
)
def test_caseload_leads_the_deciders_to_the_revocation_proposals(
    login, users, own_order, role, shown
):
    """The list of proposals awaiting a decision was linked only from 'Orders to close', which
    itself was linked only from that list: a kasubsi could not find either page."""
    target = reverse("clients:revocations")
    present, status = _link_check(login(users[role]), reverse("clients:caseload"), target)
    assert present == shown
    if shown:
        assert status == 200


@pytest.mark.parametrize(("role", "shown"), [("pk", True), ("operator", True),
                                             ("supervisor", True), ("head", True),
                                             ("admin", False)])  # no case work or register
def test_client_page_links_the_progress_report_and_guidance_papers(login, users, own_order,
                                                                    role, shown):
    page_url = reverse("clients:detail", args=[own_order.client_id])
    target = reverse("reports:progress", args=[own_order.client_id])
    assert _link_check(login(users[role]), page_url, target) == (shown, 200)


def test_client_page_hides_the_papers_from_a_covering_pk(login, users, own_order):
    """A PK who only covers the order reads the file but does not write its reports."""
    own_order.cover_pk = users["pk2"]
    own_order.save()
    page = login(users["pk2"]).get(reverse("clients:detail", args=[own_order.client_id]))
    assert page.status_code == 200
    assert reverse("reports:progress", args=[own_order.client_id]) not in page.content.decode()
