"""Generating a reporting schedule (wajib lapor) from an order's dates and risk level."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from clients.models import Contact, ContactKind, OrderStatus, ReportingInterval, RiskLevel
from clients.services.contacts import reporting_days, schedule_generate
from tests.factories import ContactFactory


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read the English source messages, whatever the catalogues hold."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def next_monday(after: date | None = None) -> date:
    after = after or timezone.localdate()
    return after + timedelta(days=7 - after.weekday())


def local(day: date, hour=9, minute=0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def period(own_order):
    """own_order supervised for ten weeks from next Monday."""
    start = next_monday()
    own_order.supervision_start = start
    own_order.supervision_end = start + timedelta(days=70)
    own_order.save()
    return start, own_order.supervision_end


def preview_url(order) -> str:
    return reverse("clients:schedule_generate", args=[order.pk])


def confirm(client, order, start: date | str = "", at: str = "09:00"):
    start = start.isoformat() if isinstance(start, date) else start
    preview = client.post(preview_url(order), {"start": start, "time": at, "action": "preview"})
    return client.post(
        preview_url(order),
        {"start": start, "time": at, "action": "confirm",
         "previewed": preview.context["signature"]},
    )


# --- The calendar arithmetic ----------------------------------------------------------------


def test_weekend_days_move_to_the_next_monday():
    saturday = date(2026, 1, 3)
    days = reporting_days(saturday, saturday + timedelta(days=19), 7)
    assert [d for d, _moved in days] == [date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19)]
    assert all(moved for _d, moved in days)
    assert all(d.weekday() < 5 for d, _moved in days)


def test_steps_follow_the_nominal_dates_so_the_schedule_does_not_drift():
    friday = date(2026, 1, 2)
    days = [d for d, _m in reporting_days(friday, date(2026, 3, 31), 15)]
    # 2 Jan, 17 Jan (Sat -> 19 Jan), 1 Feb (Sun -> 2 Feb), 16 Feb, 3 Mar, 18 Mar
    assert days == [date(2026, 1, 2), date(2026, 1, 19), date(2026, 2, 2), date(2026, 2, 16),
                    date(2026, 3, 3), date(2026, 3, 18)]


def test_daily_interval_never_repeats_the_monday():
    saturday = date(2026, 1, 3)
    days = [d for d, _m in reporting_days(saturday, date(2026, 1, 6), 1)]
    assert days == [date(2026, 1, 5), date(2026, 1, 6)]


def test_last_weekend_day_after_the_end_moves_back_to_friday():
    days = [d for d, _m in reporting_days(date(2026, 1, 2), date(2026, 1, 11), 7)]
    # 2 Jan (Fri), 9 Jan (Fri); and with the end on a Sunday, a Saturday report goes to Friday
    assert days == [date(2026, 1, 2), date(2026, 1, 9)]
    # A period that is only a weekend has no working day to report on.
    assert reporting_days(date(2026, 1, 3), date(2026, 1, 4), 30) == []
    # With the end on a Saturday, the last report falls on the Friday before it.
    days = [d for d, _m in reporting_days(date(2026, 1, 5), date(2026, 1, 10), 5)]
    assert days == [date(2026, 1, 5), date(2026, 1, 9)]


# --- Intervals from the office and the risk level -------------------------------------------


@pytest.mark.parametrize("risk,interval,count", [
    (RiskLevel.LOW, 30, 3),      # day 0, 30, 60
    (RiskLevel.MEDIUM, 14, 6),   # day 0, 14, ..., 70
    (RiskLevel.HIGH, 7, 11),     # every Monday
])
def test_default_intervals_follow_the_risk_level(login, users, own_order, period, risk,
                                                 interval, count):
    own_order.risk_level = risk
    own_order.save()
    response = login(users["pk"]).get(preview_url(own_order))
    proposal = response.context["proposal"]
    assert proposal.interval_days == interval
    assert len(proposal.contacts) == count
    assert not Contact.objects.exists()  # a preview saves nothing


def test_office_interval_overrides_the_default(login, users, own_order, office, period):
    ReportingInterval.objects.create(office=office, risk_level=RiskLevel.LOW, interval_days=10)
    response = login(users["pk"]).get(preview_url(own_order))
    assert response.context["proposal"].interval_days == 10
    days = [timezone.localdate(c.planned_at) for c in response.context["proposal"].contacts]
    start, _end = period
    assert days[0] == start and days[1] == start + timedelta(days=10)


def test_preview_lists_the_dates_with_weekday_names(login, users, own_order, period):
    response = login(users["pk"]).post(
        preview_url(own_order), {"start": "", "time": "10.30", "action": "preview"}
    )
    body = response.content.decode()
    start, _end = period
    assert start.strftime("%d/%m/%Y") in body
    assert all(timezone.localtime(c.planned_at).time() == time(10, 30)
               for c in response.context["proposal"].contacts)


# --- Creating the schedule ------------------------------------------------------------------


def test_confirm_creates_the_reporting_contacts_with_history(login, users, own_order, period):
    own_order.risk_level = RiskLevel.HIGH
    own_order.save()
    response = confirm(login(users["pk"]), own_order, at="08:30")
    assert response.status_code == 302
    contacts = list(Contact.objects.filter(order=own_order).order_by("planned_at"))
    start, _end = period
    assert len(contacts) == 11
    assert [timezone.localdate(c.planned_at) for c in contacts] == [
        start + timedelta(days=7 * n) for n in range(11)
    ]
    assert all(c.kind == ContactKind.REPORT for c in contacts)
    assert all(c.officer == users["pk"] and c.created_by == users["pk"] for c in contacts)
    assert all(timezone.localtime(c.planned_at).time() == time(8, 30) for c in contacts)
    history = Contact.history.filter(id__in=[c.pk for c in contacts])
    assert history.count() == 11
    assert set(history.values_list("history_user", flat=True)) == {users["pk"].pk}


def test_weekend_start_moves_every_report_to_monday(login, users, own_order, period):
    start, _end = period
    saturday = start + timedelta(days=5)
    own_order.risk_level = RiskLevel.HIGH
    own_order.save()
    confirm(login(users["supervisor"]), own_order, start=saturday)
    days = [timezone.localdate(at) for at in
            Contact.objects.filter(order=own_order).values_list("planned_at", flat=True)]
    assert days and all(day.weekday() == 0 for day in days)


def test_existing_contacts_on_the_same_day_are_not_duplicated(login, users, own_order, period):
    start, _end = period
    own_order.risk_level = RiskLevel.HIGH
    own_order.save()
    existing = ContactFactory(order=own_order, kind=ContactKind.HOME_VISIT,
                              planned_at=local(start + timedelta(days=7), 15))
    client = login(users["pk"])
    response = client.get(preview_url(own_order))
    assert response.context["proposal"].skipped == [start + timedelta(days=7)]
    confirm(client, own_order)
    days = [timezone.localdate(at) for at in
            Contact.objects.filter(order=own_order).exclude(pk=existing.pk)
            .values_list("planned_at", flat=True)]
    assert len(days) == 10 and len(set(days)) == 10
    assert start + timedelta(days=7) not in days
    # Generating again adds nothing.
    again = confirm(client, own_order)
    assert again.status_code == 200
    assert "nothing to add" in again.content.decode()
    assert Contact.objects.filter(order=own_order).count() == 11


def test_a_weekend_start_anchors_the_schedule_on_the_next_monday(own_order, period, users):
    start, _end = period
    contacts = schedule_generate(order=own_order, start=start + timedelta(days=6),  # Sunday
                                 time=time(9), by=users["pk"], commit=False)
    assert timezone.localdate(contacts[0].planned_at) == start + timedelta(days=7)
    assert not any(c.moved_off_weekend for c in contacts)  # monthly steps from a Monday


def test_cancelled_contacts_do_not_block_a_day(own_order, period, users):
    start, _end = period
    ContactFactory(order=own_order, planned_at=local(start), cancelled_at=timezone.now())
    created = schedule_generate(order=own_order, start=None, time=time(9), by=users["pk"],
                                commit=True)
    assert timezone.localdate(created[0].planned_at) == start


def test_confirm_without_a_matching_preview_only_previews(login, users, own_order, period):
    client = login(users["pk"])
    response = client.post(preview_url(own_order), {"start": "", "time": "09:00",
                                                    "action": "confirm", "previewed": "x"})
    assert response.status_code == 200
    assert response.context["proposal"].contacts
    assert not Contact.objects.exists()


def test_schedule_starts_today_when_supervision_already_started(own_order, users):
    today = timezone.localdate()
    own_order.supervision_start = today - timedelta(days=100)
    own_order.supervision_end = today + timedelta(days=100)
    own_order.save()
    contacts = schedule_generate(order=own_order, start=None, time=time(23, 59),
                                 by=users["pk"], commit=False)
    first = timezone.localdate(contacts[0].planned_at)
    assert today <= first <= today + timedelta(days=2)
    assert not Contact.objects.exists()


def test_times_already_past_today_are_left_out(own_order, users):
    today = timezone.localdate()
    own_order.supervision_start = today - timedelta(days=10)
    own_order.save()
    contacts = schedule_generate(order=own_order, start=today, time=time(0, 0),
                                 by=users["pk"], commit=False)
    assert all(c.planned_at > timezone.now() for c in contacts)


# --- Bad input ------------------------------------------------------------------------------


def test_start_in_the_past_is_refused(login, users, own_order):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = login(users["pk"]).post(
        preview_url(own_order), {"start": yesterday.isoformat(), "time": "09:00",
                                 "action": "confirm", "previewed": f"{yesterday}|09:00"},
    )
    assert response.status_code == 200
    assert "cannot start in the past" in response.content.decode()
    assert f'value="{yesterday.isoformat()}"' in response.content.decode()  # the value stays
    assert not Contact.objects.exists()


def test_start_after_the_end_is_refused(login, users, own_order):
    late = own_order.supervision_end + timedelta(days=1)
    response = login(users["pk"]).post(
        preview_url(own_order), {"start": late.isoformat(), "time": "09:00", "action": "preview"}
    )
    assert response.context["form"].errors["start"]
    assert response.context["proposal"] is None


def test_missing_time_is_refused(login, users, own_order):
    response = login(users["pk"]).post(preview_url(own_order),
                                       {"start": "", "time": "", "action": "confirm"})
    assert response.context["form"].errors["time"]
    assert not Contact.objects.exists()


def test_closed_order_gets_no_schedule(login, users, own_order):
    own_order.status = OrderStatus.REVOKED
    own_order.save()
    client = login(users["pk"])
    assert "only be generated for an active order" in client.get(
        preview_url(own_order)).content.decode()
    client.post(preview_url(own_order), {"start": "", "time": "09:00", "action": "confirm",
                                         "previewed": "|09:00"})
    assert not Contact.objects.exists()
    with pytest.raises(ValidationError):
        schedule_generate(order=own_order, start=None, time=time(9), by=users["pk"], commit=True)


@pytest.mark.parametrize("role,status", {
    "pk": 302, "supervisor": 302, "head": 302, "pk2": 404, "other_pk": 404, "operator": 403,
    "partner": 404, "regional": 403, "admin": 403,
}.items())
def test_schedule_confirm_per_role(login, users, own_order, period, role, status):
    client = login(users[role])
    response = client.post(preview_url(own_order), {"start": "", "time": "09:00",
                                                    "action": "confirm",
                                                    "previewed": "|09:00"})
    assert response.status_code == status
    assert Contact.objects.exists() == (status == 302)
