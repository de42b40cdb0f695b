"""Contacts and visits: the one place where contacts are planned, recorded, moved and cancelled.

Every change to a contact goes through a function here, so the reminders and notifications that
will follow reschedules and cancellations have a single place to hook into. Each function checks
the business rules, raises ``ValidationError`` with translated messages keyed by form field, saves
inside a transaction and keeps django-simple-history rows attributed to ``by``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from bapas.models import MANAGER_ROLES, Role
from bapas.uploads import validate_image

from ..models import (
    ATTENDED_OUTCOMES,
    Contact,
    ContactKind,
    ContactPhoto,
    Outcome,
    ReportingInterval,
    SupervisionOrder,
)

MAX_PHOTOS_PER_CONTACT = 10
# Roles that may be named as the officer of a contact.
OFFICER_ROLES = frozenset({Role.PK, Role.SUPERVISOR, Role.HEAD})


# --- Who may change what ------------------------------------------------------------------------


def is_manager(user) -> bool:
    return user.is_superuser or user.role in MANAGER_ROLES or user.role == Role.ADMIN


def can_edit_order(user, order: SupervisionOrder) -> bool:
    """Managers of the office change any case; a PK only their own (cover is read-only).

    The caller has already fetched ``order`` through ``for_user``, so the office is right.
    """
    if not user.is_authenticated:
        return False
    if is_manager(user):
        return True
    return user.role == Role.PK and order.assigned_pk_id == user.pk


def can_correct_outcome(user, contact: Contact) -> bool:
    """An outcome once recorded is corrected only by whoever recorded it, or by a manager."""
    if not can_edit_order(user, contact.order):
        return False
    return is_manager(user) or contact.recorded_by_id in (None, user.pk)


def _save(obj, by) -> None:
    obj._history_user = by  # services may run outside a request (Celery, shell)
    obj.save()


def _local_day(moment: datetime) -> date:
    return timezone.localdate(moment)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def _check_active(order: SupervisionOrder, action: str) -> None:
    if not order.is_active:
        raise ValidationError(
            _("This order is %(status)s: %(action)s is only possible for an active order.")
            % {"status": order.get_status_display(), "action": action}
        )


def _check_in_period(order: SupervisionOrder, moment: datetime, field_name: str) -> None:
    day = _local_day(moment)
    if day < order.supervision_start or day > order.supervision_end:
        raise ValidationError(
            {
                field_name: _(
                    "The date must fall within the supervision period "
                    "(%(start)s to %(end)s)."
                )
                % {
                    "start": date_format(order.supervision_start, "SHORT_DATE_FORMAT"),
                    "end": date_format(order.supervision_end, "SHORT_DATE_FORMAT"),
                }
            }
        )


def officer_choices(order: SupervisionOrder):
    """Officers who may carry out a contact of this order: the office's PKs and managers."""
    from bapas.models import User

    return User.objects.filter(
        office_id=order.client.office_id, role__in=OFFICER_ROLES, is_active=True
    ).order_by("full_name")


# --- Planning -----------------------------------------------------------------------------------


def contact_plan(
    *,
    order: SupervisionOrder,
    kind: str,
    planned_at: datetime,
    by,
    officer=None,
    place: str = "",
    remote_justification: str = "",
) -> Contact:
    """Plan one contact. The officer defaults to the order's assigned PK."""
    _check_active(order, _("planning a contact"))
    errors: dict[str, str] = {}
    if kind not in ContactKind.values:
        errors["kind"] = _("Choose a kind of contact.")
    remote_justification = (remote_justification or "").strip()
    if kind == ContactKind.REMOTE_REPORT and not remote_justification:
        errors["remote_justification"] = _(
            "Remote reporting is an exception: write why the client cannot report in person."
        )
    officer = officer or order.assigned_pk
    if officer is not None and (
        officer.office_id != order.client.office_id or officer.role not in OFFICER_ROLES
    ):
        errors["officer"] = _("The officer must be a PK or supervisor of the client's office.")
    if errors:
        raise ValidationError(errors)
    _check_in_period(order, planned_at, "planned_at")
    contact = Contact(
        order=order,
        kind=kind,
        planned_at=planned_at,
        officer=officer,
        place=(place or "").strip(),
        remote_justification=remote_justification if kind == ContactKind.REMOTE_REPORT else "",
        created_by=by,
    )
    with transaction.atomic():
        _save(contact, by)
    return contact


# --- Reporting schedules (wajib lapor) ----------------------------------------------------------


@dataclass
class ScheduleProposal:
    """What a schedule generation would create, for the preview and for the commit."""

    interval_days: int
    start: date
    end: date
    contacts: list[Contact] = field(default_factory=list)
    skipped: list[date] = field(default_factory=list)  # days the order already has a contact


def reporting_days(start: date, end: date, interval_days: int) -> list[tuple[date, bool]]:
    """Every ``interval_days`` from ``start`` to ``end``; weekends move to the next Monday.

    The steps follow the nominal dates, so one move does not shift the rest of the schedule.
    A Monday that would fall after ``end`` becomes the Friday before instead, so the last report
    of the period is not lost. Returns (day, moved) pairs without repeats.
    """
    days: list[tuple[date, bool]] = []
    seen: set[date] = set()
    nominal = start
    while nominal <= end:
        day = nominal
        if day.weekday() >= 5:
            day = day + timedelta(days=7 - day.weekday())
            if day > end:
                day = nominal - timedelta(days=nominal.weekday() - 4)
        if start <= day <= end and day not in seen:
            seen.add(day)
            days.append((day, day != nominal))
        nominal += timedelta(days=interval_days)
    return sorted(days)


def schedule_propose(
    *, order: SupervisionOrder, start: date | None, at_time: time, by
) -> ScheduleProposal:
    """The contacts a schedule from ``start`` would add (nothing is saved)."""
    _check_active(order, _("generating a reporting schedule"))
    today = timezone.localdate()
    start = start or max(today, order.supervision_start)
    if start < today:
        raise ValidationError({"start": _("The schedule cannot start in the past.")})
    if start < order.supervision_start:
        raise ValidationError(
            {"start": _("The schedule cannot start before supervision starts (%(date)s).")
             % {"date": date_format(order.supervision_start, "SHORT_DATE_FORMAT")}}
        )
    if start > order.supervision_end:
        raise ValidationError(
            {"start": _("Supervision ends on %(date)s; the schedule must start before that.")
             % {"date": date_format(order.supervision_end, "SHORT_DATE_FORMAT")}}
        )
    if start.weekday() >= 5:
        # Anchor the schedule on a working day, or every later report would move too.
        start += timedelta(days=7 - start.weekday())
    interval = ReportingInterval.days_for(order.client.office_id, order.risk_level)
    proposal = ScheduleProposal(interval_days=interval, start=start, end=order.supervision_end)
    first, last = _day_bounds(start)[0], _day_bounds(order.supervision_end)[1]
    taken = {
        _local_day(moment)
        for moment in Contact.objects.filter(
            order=order, cancelled_at__isnull=True, planned_at__gte=first, planned_at__lt=last
        ).values_list("planned_at", flat=True)
    }
    now = timezone.now()
    for day, moved in reporting_days(start, order.supervision_end, interval):
        if day in taken:
            proposal.skipped.append(day)
            continue
        planned_at = timezone.make_aware(datetime.combine(day, at_time))
        if planned_at <= now:
            continue  # today's time has already passed
        contact = Contact(
            order=order, kind=ContactKind.REPORT, planned_at=planned_at,
            officer=order.assigned_pk, created_by=by,
        )
        contact.moved_off_weekend = moved  # shown in the preview
        proposal.contacts.append(contact)
    return proposal


def schedule_generate(
    *, order: SupervisionOrder, start: date | None, time: time, by, commit: bool
) -> list[Contact]:
    """Create the reporting schedule of an order (or, with ``commit=False``, only compute it)."""
    if not commit:
        return schedule_propose(order=order, start=start, at_time=time, by=by).contacts
    with transaction.atomic():
        # Lock the order so two clicks cannot create the schedule twice.
        SupervisionOrder.objects.select_for_update().filter(pk=order.pk).first()
        proposal = schedule_propose(order=order, start=start, at_time=time, by=by)
        if not proposal.contacts:
            raise ValidationError(
                _("There is nothing to add: every reporting day already has a contact.")
            )
        return bulk_create_with_history(proposal.contacts, Contact, default_user=by)


# --- Outcomes -----------------------------------------------------------------------------------


def contact_record_outcome(
    *,
    contact: Contact,
    outcome: str,
    happened_at: datetime | None,
    notes: str = "",
    place: str = "",
    photos: Sequence = (),
    by,
) -> Contact:
    """Record (or correct) what happened at a contact; photos only for visits."""
    now = timezone.now()
    if contact.cancelled_at is not None:
        raise ValidationError(_("This contact was cancelled, so it cannot have an outcome."))
    if _local_day(contact.planned_at) > timezone.localdate():
        raise ValidationError(
            _("A contact in the future cannot have an outcome yet. Reschedule it if it took "
              "place earlier.")
        )
    if contact.outcome and not can_correct_outcome(by, contact):
        raise ValidationError(
            _("Only the officer who recorded this outcome or a supervisor can correct it.")
        )
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose what happened.")]
    happened_at = happened_at or min(contact.planned_at, now)
    if happened_at > now:
        errors.setdefault("happened_at", []).append(_("This time is still in the future."))
    elif _local_day(happened_at) < contact.order.supervision_start:
        errors.setdefault("happened_at", []).append(
            _("This is before the supervision period started.")
        )
    place = (place or "").strip()
    if contact.is_visit and outcome != Outcome.EXCUSED and not place:
        errors["place"] = [_("Write where the visit took place.")]
    photos = list(photos or [])
    if photos and not contact.is_visit:
        errors["photos"] = [_("Photos can be added to visits only.")]
    elif len(photos) + (contact.photos.count() if photos else 0) > MAX_PHOTOS_PER_CONTACT:
        errors["photos"] = [
            _("A visit can have at most %(count)d photos.") % {"count": MAX_PHOTOS_PER_CONTACT}
        ]
    else:
        for photo in photos:
            try:
                validate_image(photo)
            except ValidationError as exc:
                errors.setdefault("photos", []).extend(
                    f"{photo.name}: {message}" for message in exc.messages
                )
    if errors:
        raise ValidationError(errors)

    contact.outcome = outcome
    contact.happened_at = happened_at
    contact.notes = (notes or "").strip()
    if contact.is_visit or place:
        contact.place = place
    contact.recorded_by = by
    contact.recorded_at = now
    if contact.officer_id is None and by.role in OFFICER_ROLES:
        contact.officer = by
    with transaction.atomic():
        _save(contact, by)
        for upload in photos:
            photo = ContactPhoto(contact=contact, image=upload, uploaded_by=by)
            _save(photo, by)
    return contact


# --- Reschedule and cancel ----------------------------------------------------------------------


def _check_open(contact: Contact, action: str) -> None:
    if contact.cancelled_at is not None:
        raise ValidationError(
            _("This contact was cancelled; %(action)s is no longer possible.") % {"action": action}
        )
    if contact.outcome:
        raise ValidationError(
            _("This contact already has an outcome; %(action)s is no longer possible.")
            % {"action": action}
        )


def contact_reschedule(*, contact: Contact, planned_at: datetime, reason: str, by) -> Contact:
    """Move an open contact to a new time, keeping the original time and the reason."""
    _check_open(contact, _("rescheduling"))
    _check_active(contact.order, _("rescheduling"))
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("Give the reason for rescheduling.")
    if planned_at <= timezone.now():
        errors["planned_at"] = _("The new time must be in the future.")
    elif planned_at == contact.planned_at:
        errors["planned_at"] = _("This is the time already planned.")
    if errors:
        raise ValidationError(errors)
    _check_in_period(contact.order, planned_at, "planned_at")
    if contact.rescheduled_from is None:
        contact.rescheduled_from = contact.planned_at  # the first planned time; history has all
    contact.planned_at = planned_at
    contact.reschedule_reason = reason[:255]
    with transaction.atomic():
        _save(contact, by)
    return contact


def contact_cancel(*, contact: Contact, reason: str, by) -> Contact:
    _check_open(contact, _("cancelling"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    contact.cancelled_at = timezone.now()
    contact.cancel_reason = reason[:255]
    with transaction.atomic():
        _save(contact, by)
    return contact


# --- Front-desk check-in ------------------------------------------------------------------------


def todays_report(order: SupervisionOrder, day: date) -> list[Contact]:
    start, end = _day_bounds(day)
    return list(
        Contact.objects.filter(
            order=order, kind=ContactKind.REPORT, cancelled_at__isnull=True,
            planned_at__gte=start, planned_at__lt=end,
        ).order_by("planned_at", "id")
    )


def contact_checkin(*, order: SupervisionOrder, by, at: datetime | None = None) -> Contact:
    """The client reported at the front desk: mark today's wajib lapor attended, or add one."""
    at = at or timezone.now()
    _check_active(order, _("checking in"))
    with transaction.atomic():
        # Serialise check-ins of one order: two desks must not both create today's contact.
        SupervisionOrder.objects.select_for_update().filter(pk=order.pk).first()
        contacts = todays_report(order, _local_day(at))
        done = next(
            (c for c in contacts if c.checked_in_at or c.outcome in ATTENDED_OUTCOMES), None
        )
        if done is not None:
            moment = done.checked_in_at or done.happened_at or done.planned_at
            raise ValidationError(
                _("%(name)s has already reported today (at %(time)s).")
                % {"name": order.client.full_name,
                   "time": date_format(timezone.localtime(moment), "TIME_FORMAT")}
            )
        contact = next((c for c in contacts if c.is_open), None)
        if contact is None:
            contact = Contact(
                order=order, kind=ContactKind.REPORT, planned_at=at, officer=order.assigned_pk,
                created_by=by,
            )
        contact.checked_in_at = at
        contact.outcome = Outcome.ATTENDED
        contact.happened_at = at
        contact.place = contact.place or _("Front desk")
        contact.recorded_by = by
        contact.recorded_at = at
        _save(contact, by)
    return contact


# --- Office reporting intervals -----------------------------------------------------------------


def reporting_intervals_update(
    *, office, days: dict[str, int], by
) -> list[ReportingInterval]:
    """Set how often clients of each risk level report at ``office``; unchanged rows stay."""
    errors = {}
    for risk, value in days.items():
        if value is None or not 1 <= value <= 90:
            errors[risk] = _("Enter a number of days from 1 to 90.")
    if errors:
        raise ValidationError(errors)
    existing = {row.risk_level: row for row in ReportingInterval.objects.filter(office=office)}
    changed = []
    with transaction.atomic():
        for risk, value in days.items():
            row = existing.get(risk) or ReportingInterval(office=office, risk_level=risk)
            if row.pk and row.interval_days == value:
                continue
            row.interval_days = value
            _save(row, by)
            changed.append(row)
    return changed


def current_intervals(office) -> dict[str, int]:
    rows = dict(
        ReportingInterval.objects.filter(office=office).values_list("risk_level", "interval_days")
    )
    return {
        risk: rows.get(risk, default) for risk, default in ReportingInterval.DEFAULT_DAYS.items()
    }
