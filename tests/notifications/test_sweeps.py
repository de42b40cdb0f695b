"""Sweeps: each reminder once, reschedules move it, the digest says the right things."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from bapas.models import Role
from bapas.notifications import engine
from bapas.notifications.models import (
    Channel,
    ClientMessageConsent,
    Notification,
    NotificationPreference,
    Status,
)
from bapas.notifications.tasks import dispatch_due, run_reminder_sweeps
from clients import reminders
from clients.models import ContactKind, Outcome
from tests.factories import ClientFactory, ContactFactory, OrderFactory, UserFactory
from tests.notifications.conftest import MONDAY, at

pytestmark = pytest.mark.django_db

TUESDAY = MONDAY + timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)


def client_reminders():
    return Notification.objects.filter(kind=reminders.KIND_CLIENT_REMINDER)


@pytest.fixture
def english(users):
    """Staff who read English, so assertions read the source messages whatever the catalogue."""
    for key in ("pk", "pk2", "supervisor"):
        NotificationPreference.objects.create(user=users[key], language="en")


@pytest.fixture
def consent(own_client, users):
    return ClientMessageConsent.objects.create(
        client=own_client, phone="081234567890", recorded_by=users["pk"]
    )


@pytest.fixture
def whatsapp_file(settings, tmp_path):
    settings.WHATSAPP_GATEWAY = "file"
    settings.VAR_DIR = tmp_path
    return tmp_path / "messages" / "whatsapp.jsonl"


# --- Unique keys -----------------------------------------------------------------------------


def test_sweep_run_twice_creates_each_notification_once(own_order, users, consent, whatsapp_file):
    ContactFactory(order=own_order, planned_at=at(MONDAY, 10))  # today: digest
    ContactFactory(order=own_order, planned_at=at(TUESDAY, 9))  # tomorrow: client reminder
    missed = ContactFactory(
        order=own_order,
        planned_at=at(MONDAY, 8),
        outcome=Outcome.MISSED,
        recorded_at=at(MONDAY, 8, 30),
    )
    now = at(MONDAY, 9)

    first = engine.run_sweeps(now=now)
    rows = list(Notification.objects.values_list("unique_key", flat=True))
    second = engine.run_sweeps(now=now)

    assert first.errors == [] and second.errors == []
    assert first.created == len(rows) > 0
    assert second.created == 0
    assert sorted(Notification.objects.values_list("unique_key", flat=True)) == sorted(rows)
    kinds = set(Notification.objects.values_list("kind", "channel"))
    assert kinds == {
        (reminders.KIND_DIGEST, Channel.IN_APP),
        (reminders.KIND_DIGEST, Channel.EMAIL),
        (reminders.KIND_CLIENT_REMINDER, Channel.WHATSAPP),
        (reminders.KIND_MISSED, Channel.IN_APP),
        (reminders.KIND_MISSED, Channel.EMAIL),
    }
    assert Notification.objects.filter(object_id=missed.pk, kind=reminders.KIND_MISSED).count() == 2


def test_sweep_task_twice_sends_each_message_once(own_order, users, consent, whatsapp_file, clock):
    ContactFactory(order=own_order, planned_at=at(MONDAY, 10))
    ContactFactory(order=own_order, planned_at=at(TUESDAY, 10))
    clock.set(at(MONDAY, 9, 30))
    run_reminder_sweeps.delay()
    run_reminder_sweeps.delay()
    dispatch_due()

    assert len([m for m in mail.outbox if m.to == [users["pk"].email]]) == 1
    digest = Notification.objects.get(kind=reminders.KIND_DIGEST, channel=Channel.EMAIL)
    assert digest.status == Status.SENT and digest.attempts == 1
    assert len(whatsapp_file.read_text().splitlines()) == 1


def test_ensure_ignores_a_key_that_already_exists_even_within_one_batch(users):
    draft = engine.Draft(
        kind="test.kind",
        channel=Channel.IN_APP,
        due_at=at(MONDAY, 7),
        subject="Hello",
        recipient=users["pk"],
    )
    assert engine.ensure([draft, draft]) == 1
    assert engine.ensure([draft]) == 0
    assert Notification.objects.count() == 1


# --- Reschedules and cancellations -----------------------------------------------------------


def test_rescheduled_contact_moves_the_clients_reminder(own_order, consent, whatsapp_file):
    contact = ContactFactory(order=own_order, kind=ContactKind.REPORT, planned_at=at(TUESDAY, 10))
    engine.run_sweeps(now=at(MONDAY, 6))
    old = client_reminders().get()
    assert old.status == Status.PENDING
    assert old.due_at == at(MONDAY, 9)
    assert old.recipient_phone == "6281234567890" and old.channel == Channel.WHATSAPP

    # What contact_reschedule does: keep the first time, set the new one.
    contact.rescheduled_from, contact.planned_at = contact.planned_at, at(WEDNESDAY, 13)
    contact.save()
    engine.run_sweeps(now=at(MONDAY, 6, 5))
    old.refresh_from_db()
    assert old.status == Status.CANCELLED and old.cancel_reason == "no longer applies"
    assert client_reminders().filter(status=Status.PENDING).count() == 0  # not due until Tue

    engine.run_sweeps(now=at(TUESDAY, 6))
    new = client_reminders().get(status=Status.PENDING)
    assert new.due_at == at(TUESDAY, 9)
    assert new.object_id == contact.pk
    assert "13.00" in new.body or "13:00" in new.body


def test_reschedule_within_the_same_day_rewrites_the_pending_reminder(
    own_order, consent, whatsapp_file
):
    contact = ContactFactory(order=own_order, planned_at=at(TUESDAY, 10))
    engine.run_sweeps(now=at(MONDAY, 6))
    contact.planned_at = at(TUESDAY, 14)
    contact.save()
    engine.run_sweeps(now=at(MONDAY, 6, 5))

    reminder = client_reminders().get()  # the same row, brought back with the new time
    assert reminder.status == Status.PENDING
    assert "14" in reminder.body and "10.00" not in reminder.body and "10:00" not in reminder.body


def test_moved_away_and_back_leaves_one_pending_reminder(own_order, consent, whatsapp_file):
    contact = ContactFactory(order=own_order, planned_at=at(TUESDAY, 10))
    engine.run_sweeps(now=at(MONDAY, 6))
    contact.planned_at = at(WEDNESDAY, 10)
    contact.save()
    engine.run_sweeps(now=at(MONDAY, 6, 5))
    contact.planned_at = at(TUESDAY, 10)
    contact.save()
    engine.run_sweeps(now=at(MONDAY, 6, 10))

    assert client_reminders().count() == 1
    assert client_reminders().get().status == Status.PENDING


@pytest.mark.parametrize("change", ["cancelled", "outcome"])
def test_cancelled_or_recorded_contact_cancels_its_reminder(
    own_order, consent, whatsapp_file, change
):
    contact = ContactFactory(order=own_order, planned_at=at(TUESDAY, 10))
    engine.run_sweeps(now=at(MONDAY, 6))
    if change == "cancelled":
        contact.cancelled_at = at(MONDAY, 6, 1)
    else:
        contact.outcome = Outcome.ATTENDED
    contact.save()
    engine.run_sweeps(now=at(MONDAY, 6, 5))
    assert list(client_reminders().values_list("status", flat=True)) == [Status.CANCELLED]


def test_client_reminder_sent_once_to_the_file_gateway(own_order, consent, whatsapp_file, clock):
    ContactFactory(order=own_order, planned_at=at(TUESDAY, 10))
    engine.run_sweeps(now=at(MONDAY, 6))
    dispatch_due()
    assert not whatsapp_file.exists()  # due at 09:00
    clock.set(at(MONDAY, 9))
    dispatch_due()
    dispatch_due()
    lines = whatsapp_file.read_text().splitlines()
    assert len(lines) == 1
    assert '"to": "6281234567890"' in lines[0]
    assert "Muhammad" not in lines[0]  # the client's own phone: no name needed, none sent


# --- Consent -----------------------------------------------------------------------------------


def test_client_without_consent_gets_no_message(own_order, whatsapp_file):
    ContactFactory(order=own_order, planned_at=at(TUESDAY, 10))
    engine.run_sweeps(now=at(MONDAY, 6))
    assert not client_reminders().exists()


def test_consent_for_a_number_the_client_no_longer_has_does_not_count(
    own_client, own_order, users, whatsapp_file
):
    ClientMessageConsent.objects.create(
        client=own_client, phone="085700001111", recorded_by=users["pk"]
    )
    ContactFactory(order=own_order, planned_at=at(TUESDAY, 10))
    engine.run_sweeps(now=at(MONDAY, 6))
    assert not client_reminders().exists()


def test_withdrawn_consent_stops_a_pending_message(own_order, consent, users, whatsapp_file):
    from bapas.notifications.services import consent_withdraw

    ContactFactory(order=own_order, planned_at=at(TUESDAY, 10))
    engine.run_sweeps(now=at(MONDAY, 6))
    consent_withdraw(consent=consent, by=users["pk"])
    reminder = client_reminders().get()
    assert reminder.status == Status.CANCELLED
    assert reminder.cancel_reason == "consent withdrawn"
    engine.run_sweeps(now=at(MONDAY, 6, 5))
    assert client_reminders().get().status == Status.CANCELLED


def test_no_client_messages_when_no_gateway_is_configured(own_order, consent):
    ContactFactory(order=own_order, planned_at=at(TUESDAY, 10))
    engine.run_sweeps(now=at(MONDAY, 6))
    assert not client_reminders().exists()


def test_no_client_messages_in_the_evening(own_order, consent, whatsapp_file):
    ContactFactory(order=own_order, planned_at=at(TUESDAY, 10))
    engine.run_sweeps(now=at(MONDAY, 20, 30))
    assert not client_reminders().exists()


# --- Morning digest ------------------------------------------------------------------------------


@pytest.fixture
def pk_day(own_order, users, office):
    """users['pk']'s Monday: two contacts today, one past without outcome, one order ending."""
    ContactFactory(order=own_order, kind=ContactKind.REPORT, planned_at=at(MONDAY, 9))
    visit_order = OrderFactory(
        client=ClientFactory(office=office, full_name="Siti Aminah", register_number="REG-2"),
        assigned_pk=users["pk"],
        supervision_start=MONDAY - timedelta(days=300),
        supervision_end=MONDAY + timedelta(days=10),
    )
    ContactFactory(order=visit_order, kind=ContactKind.HOME_VISIT, planned_at=at(MONDAY, 13, 30))
    ContactFactory(
        order=own_order, kind=ContactKind.REPORT, planned_at=at(MONDAY, 9) - timedelta(days=7)
    )
    # someone else's work, which must not appear
    other = OrderFactory(
        client=ClientFactory(office=office, full_name="Bayu Saputra"), assigned_pk=users["pk2"]
    )
    ContactFactory(order=other, planned_at=at(MONDAY, 11))
    return own_order


def test_morning_digest_lists_the_pks_day(pk_day, users, english):
    engine.run_sweeps(now=at(MONDAY, 7))
    digest = Notification.objects.get(
        kind=reminders.KIND_DIGEST, recipient=users["pk"], channel=Channel.IN_APP
    )
    assert digest.status == Status.SENT  # in-app: delivered at once
    assert digest.subject == "Your day, 7 December 2026"
    body = digest.body
    assert "Today's contacts: 2" in body
    assert "09:00" in body and "Muhammad Rizky (REG-1)" in body
    assert "13:30" in body and "Siti Aminah (REG-2)" in body
    assert "Contacts waiting for an outcome: 1" in body and "30/11/2026" in body
    assert "Orders ending within 30 days: 1" in body
    assert "REG-2" in body.split("Orders ending")[1] and "in 10 days" in body
    assert "Bayu" not in body
    assert digest.link  # to the caseload (or the inbox until that page exists)

    pk2_digest = Notification.objects.get(
        kind=reminders.KIND_DIGEST, recipient=users["pk2"], channel=Channel.IN_APP
    )
    assert "Bayu Saputra" in pk2_digest.body and "Muhammad" not in pk2_digest.body


def test_digest_email_carries_no_client_names(pk_day, users, clock, english):
    clock.set(at(MONDAY, 7))
    engine.run_sweeps()
    dispatch_due()
    message = next(m for m in mail.outbox if m.to == [users["pk"].email])
    assert message.subject == "[Bapas] Your day, 7 December 2026"
    assert "REG-1" in message.body and "REG-2" in message.body
    assert "Muhammad" not in message.body and "Siti" not in message.body
    assert "https://bapas.test/" in message.body
    assert message.extra_headers["Message-ID"].startswith("<notification-")


def test_digest_in_indonesian_unless_the_user_chose_english(pk_day, users):
    NotificationPreference.objects.create(user=users["pk2"], language="en", email=False)
    engine.run_sweeps(now=at(MONDAY, 7))
    digests = Notification.objects.filter(kind=reminders.KIND_DIGEST)
    mine = digests.filter(recipient=users["pk"])
    assert {(d.channel, d.language) for d in mine} == {
        (Channel.IN_APP, "id"),
        (Channel.EMAIL, "id"),
    }
    with translation.override("id"):
        expected = gettext("Your day, %(date)s") % {"date": "7 Desember 2026"}
    assert {d.subject for d in mine} == {expected}
    theirs = digests.filter(recipient=users["pk2"])
    assert [(d.channel, d.language, d.subject) for d in theirs] == [
        (Channel.IN_APP, "en", "Your day, 7 December 2026")
    ]


@pytest.mark.parametrize("when", [at(MONDAY, 6, 55), at(MONDAY - timedelta(days=2), 8)])
def test_no_digest_before_seven_or_at_the_weekend(pk_day, when):
    engine.run_sweeps(now=when)
    assert not Notification.objects.filter(kind=reminders.KIND_DIGEST).exists()


def test_no_digest_for_a_pk_with_nothing_to_do(users, own_order):
    engine.run_sweeps(now=at(MONDAY, 7))
    assert not Notification.objects.filter(kind=reminders.KIND_DIGEST).exists()


def test_digest_for_each_pk_costs_the_same_queries(
    pk_day, office, django_assert_max_num_queries, users
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        reminders.build_digests(at(MONDAY, 7))
    for n in range(10):
        pk = UserFactory(role=Role.PK, office=office)
        order = OrderFactory(client=ClientFactory(office=office), assigned_pk=pk)
        ContactFactory(order=order, planned_at=at(MONDAY, 10, n))
    with CaptureQueriesContext(connection) as many:
        drafts = reminders.build_digests(at(MONDAY, 7))
    assert len(many) == len(few)
    assert len({d.recipient.pk for d in drafts}) == 12


def test_unsent_digest_is_cancelled_the_next_day(pk_day, users):
    engine.run_sweeps(now=at(MONDAY, 7))
    email = Notification.objects.get(
        kind=reminders.KIND_DIGEST, channel=Channel.EMAIL, recipient=users["pk"]
    )
    engine.run_sweeps(now=at(TUESDAY, 7))
    email.refresh_from_db()
    assert email.status == Status.CANCELLED


# --- Missed contacts --------------------------------------------------------------------------


def _miss(order, day, recorded=None):
    return ContactFactory(
        order=order,
        planned_at=at(day, 9),
        outcome=Outcome.MISSED,
        recorded_at=recorded or at(day, 12),
    )


def test_missed_contact_tells_the_pk_only(own_order, users, english):
    contact = _miss(own_order, MONDAY)
    engine.run_sweeps(now=at(MONDAY, 12, 5))
    rows = Notification.objects.filter(kind__startswith="clients.missed")
    rows = rows | Notification.objects.filter(kind=reminders.KIND_MISSED)
    assert {(n.recipient_id, n.kind) for n in rows} == {(users["pk"].pk, reminders.KIND_MISSED)}
    in_app = rows.get(channel=Channel.IN_APP)
    assert in_app.subject == "Missed contact: Muhammad Rizky (REG-1)"
    assert in_app.content_type == ContentType.objects.get_for_model(contact)
    email = rows.get(channel=Channel.EMAIL)
    assert email.subject == "Missed contact: REG-1"


def test_three_missed_in_a_row_tell_the_supervisor_as_well(own_order, users, english):
    _miss(own_order, MONDAY - timedelta(days=14), recorded=at(MONDAY - timedelta(days=14), 12))
    _miss(own_order, MONDAY - timedelta(days=7), recorded=at(MONDAY - timedelta(days=7), 12))
    engine.run_sweeps(now=at(MONDAY - timedelta(days=7), 12, 5))
    assert not Notification.objects.filter(kind=reminders.KIND_MISSED_IN_A_ROW).exists()

    third = _miss(own_order, MONDAY)
    engine.run_sweeps(now=at(MONDAY, 12, 5))
    engine.run_sweeps(now=at(MONDAY, 12, 10))
    streak = Notification.objects.filter(kind=reminders.KIND_MISSED_IN_A_ROW)
    assert {n.recipient for n in streak} == {users["supervisor"]}
    assert {n.object_id for n in streak} == {third.pk}
    assert streak.get(channel=Channel.IN_APP).subject == (
        "Muhammad Rizky (REG-1) missed 3 contacts in a row"
    )
    assert Notification.objects.filter(
        kind=reminders.KIND_MISSED, object_id=third.pk, recipient=users["pk"]
    ).exists()


def test_corrected_outcome_cancels_the_pending_missed_email(own_order, users):
    contact = _miss(own_order, MONDAY)
    engine.run_sweeps(now=at(MONDAY, 12, 5))
    contact.outcome = Outcome.EXCUSED
    contact.save()
    engine.run_sweeps(now=at(MONDAY, 12, 10))
    email = Notification.objects.get(kind=reminders.KIND_MISSED, channel=Channel.EMAIL)
    assert email.status == Status.CANCELLED


def test_old_missed_contacts_do_not_notify(own_order, users):
    _miss(own_order, MONDAY - timedelta(days=10), recorded=at(MONDAY - timedelta(days=10), 12))
    engine.run_sweeps(now=at(MONDAY, 12))
    assert not Notification.objects.exists()


def test_email_off_in_preferences_means_in_app_only(own_order, users):
    NotificationPreference.objects.create(user=users["pk"], email=False)
    _miss(own_order, MONDAY)
    engine.run_sweeps(now=at(MONDAY, 12, 5))
    assert set(Notification.objects.values_list("channel", flat=True)) == {Channel.IN_APP}


def test_deactivated_pk_gets_nothing(own_order, users):
    users["pk"].is_active = False
    users["pk"].save()
    _miss(own_order, MONDAY)
    engine.run_sweeps(now=at(MONDAY, 12, 5))
    assert not Notification.objects.exists()


def test_a_broken_rule_does_not_stop_the_others(users, own_order):
    def broken(now):
        raise RuntimeError("boom")

    _miss(own_order, MONDAY)
    rules = (engine.Rule(name="broken", kinds=("x",), build=broken), *reminders.RULES)
    result = engine.run_sweeps(now=at(MONDAY, 12, 5), rules=rules)
    assert result.errors == ["broken: boom"]
    assert Notification.objects.filter(kind=reminders.KIND_MISSED).exists()


def test_digest_is_not_rebuilt_once_it_exists(pk_day, users):
    engine.run_sweeps(now=at(MONDAY, 7))
    assert reminders.build_digests(at(MONDAY, 7, 5)) == []
    assert {d.recipient for d in reminders.build_digests(at(TUESDAY, 7))} == {
        users["pk"],
        users["pk2"],
    }


def test_old_delivered_notifications_are_purged_but_failures_kept(users):
    old = at(MONDAY, 7) - engine.KEEP_FOR - timedelta(days=1)
    for channel, status in [(Channel.IN_APP, Status.SENT), (Channel.EMAIL, Status.FAILED)]:
        engine.ensure(
            [
                engine.Draft(
                    kind="old", channel=channel, due_at=old, subject="Old", recipient=users["pk"]
                )
            ]
        )
        Notification.objects.filter(channel=channel).update(status=status)
    engine.ensure(
        [
            engine.Draft(
                kind="new",
                channel=Channel.IN_APP,
                due_at=at(MONDAY, 7),
                subject="New",
                recipient=users["pk"],
            )
        ]
    )
    assert engine.purge_old(now=at(MONDAY, 7)) == 1
    assert sorted(Notification.objects.values_list("kind", "channel")) == [
        ("new", Channel.IN_APP),
        ("old", Channel.EMAIL),
    ]
