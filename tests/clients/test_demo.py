"""The clients' demo data: realistic, complete enough to show every feature, idempotent."""

from __future__ import annotations

import io
import time

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from bapas.models import Office, User
from clients.models import (
    CaseNote,
    Client,
    Contact,
    ContactKind,
    OrderStatus,
    OrderStatusChange,
    Outcome,
    Program,
    RevocationProposal,
    SupervisionOrder,
    WarningLetter,
)
from clients.nik import nik_warnings
from clients.selectors import consecutive_missed

COUNTED = [Client, SupervisionOrder, Contact, OrderStatusChange, RevocationProposal,
           WarningLetter, CaseNote]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """seed_demo run twice, shared by this module's tests and rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        started = time.monotonic()
        call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
        first_run = time.monotonic() - started
        first = counts()
        call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
        yield {"first": first, "second": counts(), "seconds": first_run}
        transaction.set_rollback(True)


@pytest.fixture
def jember(demo, db):
    return Office.objects.get(name="Bapas Kelas II Jember")


def test_second_run_creates_nothing_new(demo):
    assert demo["first"] == demo["second"]
    assert demo["first"]["Client"] == 64


def test_orders_carry_their_clients_office(demo, db):
    orders = SupervisionOrder.objects.all()
    assert orders.count() > 60 and len({o.office_id for o in orders}) == 2
    assert not orders.exclude(office_id=F("client__office_id")).exists()


def test_seeding_is_fast(demo):
    assert demo["seconds"] < 30


def test_about_sixty_clients_spread_over_three_pks(jember):
    clients = Client.objects.filter(office=jember)
    assert 55 <= clients.count() <= 65
    active = SupervisionOrder.objects.filter(client__office=jember, status=OrderStatus.ACTIVE)
    per_pk = {
        email: active.filter(assigned_pk__email=email).count()
        for email in ("pk1@demo.local", "pk2@demo.local", "pk3@demo.local")
    }
    assert all(count >= 10 for count in per_pk.values()), per_pk
    assert active.filter(assigned_pk__isnull=True).exists()  # waiting for assignment
    assert active.filter(cover_pk__email="pk1@demo.local").exists()


def test_every_program_and_stage_is_present(jember):
    active = SupervisionOrder.objects.filter(client__office=jember, status=OrderStatus.ACTIVE)
    assert set(active.values_list("program", flat=True)) == set(Program.values)
    today = timezone.localdate()
    running = [o for o in active if o.supervision_end >= today]
    assert {o.stage for o in running} == {"awal", "lanjutan", "akhir"}


def test_orders_to_close_and_closed_orders_with_their_history(jember):
    orders = SupervisionOrder.objects.filter(client__office=jember)
    assert orders.overdue_for_closing().count() >= 2
    assert orders.ending_within(30).exists()
    for status in (OrderStatus.COMPLETED, OrderStatus.REVOKED):
        closed = orders.filter(status=status)
        assert closed.exists()
        for order in closed:
            change = order.status_changes.get()
            assert (change.from_status, change.to_status) == (OrderStatus.ACTIVE, status)
            assert change.reason and change.effective_date == order.status_changed_at


def test_child_clients_offended_under_eighteen(jember):
    children = Client.objects.filter(office=jember, section=Client.Section.CHILD)
    assert children.count() >= 3
    assert SupervisionOrder.objects.filter(client__in=children,
                                           program=Program.DIVERSION).exists()
    for child in children:
        order = child.orders.first()
        assert child.age_on(order.offence_date) < 18


def test_identity_data_is_consistent(jember):
    for client in Client.objects.filter(office=jember).select_related("regency", "district"):
        assert client.nik.startswith("3509")
        assert nik_warnings(client.nik, client.birth_date, client.sex, client.regency,
                            client.district) == []
        assert client.village_id.startswith(client.district_id)
        assert client.phone and client.created_by is not None


def test_a_year_of_contacts_with_missed_awaiting_and_visits(jember):
    contacts = Contact.objects.filter(order__client__office=jember)
    assert contacts.count() > 600
    oldest = contacts.order_by("planned_at").first().planned_at
    assert (timezone.now() - oldest).days <= 372
    assert contacts.filter(outcome=Outcome.MISSED).count() >= 10
    assert contacts.filter(outcome=Outcome.EXCUSED).exists()
    assert contacts.filter(outcome=Outcome.ATTENDED_NONCOMPLIANT).exists()
    assert contacts.awaiting_outcome().count() >= 5
    assert contacts.upcoming().exists()
    visits = contacts.filter(kind=ContactKind.HOME_VISIT).exclude(outcome="")
    assert visits.count() >= 10
    assert all(visit.place for visit in visits)
    assert not contacts.exclude(outcome="").filter(planned_at__gt=timezone.now()).exists()


def test_one_pending_revocation_by_pk1_after_three_missed(jember):
    pending = RevocationProposal.objects.get(status=RevocationProposal.Status.PENDING)
    assert pending.proposed_by.email == "pk1@demo.local"
    assert pending.order.client.office == jember
    assert pending.order.assigned_pk.email == "pk1@demo.local"
    assert consecutive_missed([pending.order_id])[pending.order_id] == 3
    assert set(pending.order.warnings.values_list("level", flat=True)) == {"sp1", "sp2"}
    assert CaseNote.objects.filter(order=pending.order).exists()


def test_bondowoso_clients_belong_to_its_pk_and_are_invisible_to_pk1(demo, db):
    bondowoso = Office.objects.get(name="Bapas Kelas II Bondowoso")
    theirs = Client.objects.filter(office=bondowoso)
    assert theirs.count() == 4
    assert all(c.nik.startswith("3511") for c in theirs)
    pk1 = User.objects.get(email="pk1@demo.local")
    assert not Client.objects.for_user(pk1).filter(office=bondowoso).exists()
    their_pk = User.objects.get(email="pk@bondowoso.demo.local")
    assert set(Client.objects.for_user(their_pk)) == set(theirs)


def test_demo_caseloads_render_for_pk1_and_the_supervisor(demo, db, client):
    for email in ("pk1@demo.local", "kasubsi@demo.local"):
        client.force_login(User.objects.get(email=email))
        response = client.get(reverse("clients:caseload"), {"attention": "any"})
        assert response.status_code == 200
        assert len(response.context["page"]) > 0
    assert client.get(reverse("clients:caseload_sizes")).status_code == 200


def test_pk1_has_todays_morning_digest_in_the_inbox_and_by_email(demo, client):
    """Whatever the day or hour the demo is tried, pk1 has today's digest (once)."""
    from bapas.notifications.engine import run_sweeps
    from bapas.notifications.models import Channel, Notification, Status
    from clients.reminders import KIND_DIGEST

    pk1 = User.objects.get(email="pk1@demo.local")
    digests = Notification.objects.filter(recipient=pk1, kind=KIND_DIGEST)
    assert sorted(digests.values_list("channel", flat=True)) == sorted(
        [Channel.IN_APP, Channel.EMAIL])
    today = timezone.localdate()
    in_app = digests.get(channel=Channel.IN_APP)
    assert timezone.localtime(in_app.due_at).date() == today
    assert timezone.localtime(in_app.due_at).hour == 7
    names = Client.objects.filter(orders__assigned_pk=pk1).values_list("full_name", flat=True)
    assert any(name in in_app.body for name in names)  # it lists pk1's clients
    assert digests.get(channel=Channel.EMAIL).status == Status.PENDING  # the worker sends it

    # The beat's sweeps of the same day (07:00 on a working day, or later) add no second one.
    run_sweeps(now=max(timezone.now(), in_app.due_at))
    assert digests.count() == 2

    client.force_login(pk1)
    page = client.get(reverse("notifications:inbox")).content.decode()
    if timezone.now() >= in_app.due_at:
        assert Notification.objects.get(pk=in_app.pk).status == Status.SENT
        assert in_app.subject in page
    else:  # seeded before 07:00: it waits for its hour, like the real digest
        assert in_app.status == Status.PENDING
