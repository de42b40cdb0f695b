"""The monthly figures of an office (or several): one definition used by the PDF, the XLSX,
the dashboards and the tests.

Counting rules (stated once, so the report reconciles):
- An order is *active on day D* when it started on or before D and it was still active at the
  end of D: its status is "aktif", or it changed status after D (status_changed_at > D).
- *At the start of the month* = active on the day before the 1st; *new* = started within the
  month; *completed / revoked / transferred / deceased* = changed to that status within the
  month; *at the end* = active on the last day. So start + new - closed = end, always.
- Counts are of orders (a client with two orders of different programs counts under each);
  the section (adult/child) is the client's.
- Contacts are those planned within the month and not cancelled; *done* = an outcome was
  recorded; the attendance rate = attended / (done - acceptable absences). A *visit* (home,
  workplace or guarantor's house) counts as carried out once its outcome is recorded: the PK
  went, whether or not the client was found.
- Caseload = orders active at the end of the month, per assigned PK (active PKs of the office
  with no order are listed with 0; orders without a PK under "not assigned").
- Referrals per partner: *sent* = sent to the partner within the month; *completed* / *ended*
  (declined, withdrawn or ended early) = closed within the month; *open at the end* = sent on
  or before the last day and not closed by then. Sessions = service sessions dated within the
  month (attended = the client attended), with their total duration.
- Meetings held = not cancelled and started within the month, up to now.
"""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from bapas.models import Office, Role, User
from clients.models import (
    ATTENDED_OUTCOMES,
    VISIT_KINDS,
    Client,
    Contact,
    ContactKind,
    OrderStatus,
    Outcome,
    Program,
    SupervisionOrder,
)
from meetings.models import Attendance, Meeting, MeetingKind
from partners.models import Referral, ReferralStatus, ServiceSession

CLOSED_STATUSES = (OrderStatus.COMPLETED, OrderStatus.REVOKED, OrderStatus.TRANSFERRED,
                   OrderStatus.DECEASED)
SECTIONS = (Client.Section.ADULT, Client.Section.CHILD)
FLOW_FIELDS = ("start", "new", "completed", "revoked", "transferred", "deceased", "end")
ENDED_REFERRAL_STATUSES = (ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN,
                           ReferralStatus.ENDED_EARLY)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def previous_month(day: date) -> tuple[int, int]:
    return (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)


def _aware(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=timezone.get_current_timezone())


def day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """The moments of a range of local days, for filtering datetimes."""
    return _aware(first, time.min), _aware(last, time.max)


def active_on(orders, day: date):
    return orders.filter(supervision_start__lte=day).filter(
        Q(status=OrderStatus.ACTIVE) | Q(status_changed_at__gt=day)
    )


def rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# --- Rows ------------------------------------------------------------------------------------

@dataclass
class ProgramRow:
    program: str
    section: str
    start: int = 0
    new: int = 0
    completed: int = 0
    revoked: int = 0
    transferred: int = 0
    deceased: int = 0
    end: int = 0

    @property
    def label(self) -> str:
        return str(Program(self.program).label)

    @property
    def section_label(self) -> str:
        return str(Client.Section(self.section).label)

    @property
    def closed(self) -> int:
        return self.completed + self.revoked + self.transferred + self.deceased

    def values(self) -> list[int]:
        return [getattr(self, name) for name in FLOW_FIELDS]


@dataclass
class ContactFigures:
    planned: int = 0
    done: int = 0
    attended: int = 0
    excused: int = 0
    missed: int = 0
    home_visits: int = 0
    noncompliant: int = 0  # attended but failed to comply: a part of ``attended``

    @property
    def open(self) -> int:
        return self.planned - self.done

    @property
    def attendance_rate(self) -> float | None:
        return rate(self.attended, self.done - self.excused)

    def add(self, kind: str, outcome: str, n: int = 1) -> None:
        """Count ``n`` contacts of this kind and outcome."""
        self.planned += n
        if not outcome:
            return
        self.done += n
        if kind in VISIT_KINDS:
            self.home_visits += n
        if outcome in ATTENDED_OUTCOMES:
            self.attended += n
            if outcome == Outcome.ATTENDED_NONCOMPLIANT:
                self.noncompliant += n
        elif outcome == Outcome.EXCUSED:
            self.excused += n
        elif outcome == Outcome.MISSED:
            self.missed += n


@dataclass
class ContactKindRow:
    kind: str
    figures: ContactFigures

    @property
    def label(self) -> str:
        return str(ContactKind(self.kind).label)


@dataclass
class CaseloadRow:
    name: str
    nip: str
    count: int


@dataclass
class PartnerRow:
    partner_id: int
    name: str
    sent: int = 0
    completed: int = 0
    ended: int = 0
    open_at_end: int = 0
    sessions: int = 0
    sessions_attended: int = 0
    minutes: int = 0

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


@dataclass
class MeetingRow:
    kind: str
    held: int = 0
    attendees: int = 0

    @property
    def label(self) -> str:
        return str(MeetingKind(self.kind).label)


@dataclass
class OfficeRow:
    """One office of a region: counts only, no personal data."""

    office_id: int
    name: str
    start: int = 0
    new: int = 0
    closed: int = 0
    end: int = 0
    contacts_planned: int = 0
    contacts_done: int = 0
    attended: int = 0
    excused: int = 0
    home_visits: int = 0
    pks: int = 0

    @property
    def attendance_rate(self) -> float | None:
        return rate(self.attended, self.contacts_done - self.excused)

    @property
    def caseload_average(self) -> float | None:
        return round(self.end / self.pks, 1) if self.pks else None


@dataclass
class MonthlyFigures:
    year: int
    month: int
    programs: list[ProgramRow]
    contacts: ContactFigures
    caseload: list[CaseloadRow]
    contacts_by_kind: list[ContactKindRow] = field(default_factory=list)
    partners: list[PartnerRow] = field(default_factory=list)
    meetings: list[MeetingRow] = field(default_factory=list)
    offices: list[OfficeRow] = field(default_factory=list)  # filled for regional reports

    @property
    def first_day(self) -> date:
        return month_bounds(self.year, self.month)[0]

    @property
    def last_day(self) -> date:
        return month_bounds(self.year, self.month)[1]

    def total(self, attribute: str) -> int:
        return sum(getattr(row, attribute) for row in self.programs)

    def totals(self) -> dict[str, int]:
        return {name: self.total(name) for name in FLOW_FIELDS}

    def section_rows(self, section: str) -> list[ProgramRow]:
        return [row for row in self.programs if row.section == section]

    def totals_by_section(self) -> dict[str, dict[str, int]]:
        return {
            section: {name: sum(getattr(row, name) for row in self.section_rows(section))
                      for name in FLOW_FIELDS}
            for section in SECTIONS
        }

    def end_by_program(self) -> list[tuple[str, int, int]]:
        """(program, adults, children) active at the end of the month: the bar chart's data."""
        result = []
        for program in Program.values:
            adult = sum(r.end for r in self.programs
                        if r.program == program and r.section == Client.Section.ADULT)
            child = sum(r.end for r in self.programs
                        if r.program == program and r.section == Client.Section.CHILD)
            result.append((program, adult, child))
        return result

    @property
    def caseload_total(self) -> int:
        return sum(row.count for row in self.caseload)

    @property
    def meetings_held(self) -> int:
        return sum(row.held for row in self.meetings)

    def partner_totals(self) -> PartnerRow:
        total = PartnerRow(partner_id=0, name=_("Total"))
        for row in self.partners:
            for name in ("sent", "completed", "ended", "open_at_end", "sessions",
                         "sessions_attended", "minutes"):
                setattr(total, name, getattr(total, name) + getattr(row, name))
        return total


# --- Orders ----------------------------------------------------------------------------------

def _closed_in(status: str, first: date, last: date) -> Q:
    return Q(status=status, status_changed_at__gte=first, status_changed_at__lte=last)


def program_rows(orders, first: date, last: date) -> list[ProgramRow]:
    """Start, new, the four closings and end per program and section, in one grouped query."""
    day_before = first - timedelta(days=1)

    def active(day: date) -> Q:
        return Q(supervision_start__lte=day) & (
            Q(status=OrderStatus.ACTIVE) | Q(status_changed_at__gt=day)
        )

    columns = {
        "start": active(day_before),
        "new": Q(supervision_start__gte=first, supervision_start__lte=last),
        "end": active(last),
    }
    for name, status in zip(("completed", "revoked", "transferred", "deceased"),
                            CLOSED_STATUSES, strict=True):
        columns[name] = _closed_in(status, first, last)
    relevant = Q()
    for condition in columns.values():
        relevant |= condition
    counts = {
        (program, section): values
        for program, section, *values in (
            orders.filter(relevant).order_by().values_list("program", "client__section")
            .annotate(**{name: Count("id", filter=condition)
                         for name, condition in columns.items()})
            .values_list("program", "client__section", *columns)
        )
    }
    rows = []
    for section in SECTIONS:
        for program in Program.values:
            row = ProgramRow(program=program, section=section)
            for name, value in zip(columns, counts.get((program, section), ()), strict=False):
                setattr(row, name, value)
            rows.append(row)
    return rows


def caseload_per_pk(orders, office_ids, last: date) -> list[CaseloadRow]:
    counts: Counter = Counter(active_on(orders, last).values_list("assigned_pk_id", flat=True))
    people = {
        pk: (name, nip)
        for pk, name, nip in User.objects.filter(
            Q(pk__in=[pk for pk in counts if pk]) | Q(role=Role.PK, is_active=True,
                                                      office_id__in=office_ids)
        ).values_list("pk", "full_name", "nip")
    }
    rows = [CaseloadRow(name=name, nip=nip, count=counts.get(pk, 0))
            for pk, (name, nip) in people.items()]
    rows.sort(key=lambda row: (-row.count, row.name))
    if counts.get(None):
        rows.append(CaseloadRow(name=_("Not assigned to a PK"), nip="", count=counts[None]))
    return rows


# --- Contacts --------------------------------------------------------------------------------

def contact_figures(contacts, first: date, last: date) -> ContactFigures:
    return contact_breakdown(contacts, first, last)[0]


def contact_breakdown(contacts, first: date, last: date) -> tuple[ContactFigures,
                                                                  list[ContactKindRow]]:
    start, end = day_range(first, last)
    in_month = contacts.filter(cancelled_at__isnull=True, planned_at__gte=start,
                               planned_at__lte=end)
    total = ContactFigures()
    by_kind: dict[str, ContactFigures] = defaultdict(ContactFigures)
    for kind, outcome, n in (in_month.order_by().values_list("kind", "outcome")
                             .annotate(n=Count("id")).values_list("kind", "outcome", "n")):
        total.add(kind, outcome, n)
        by_kind[kind].add(kind, outcome, n)
    rows = [ContactKindRow(kind=kind, figures=by_kind[kind]) for kind in ContactKind.values
            if kind in by_kind]
    return total, rows


def attendance_trend(office_ids, year: int, month: int, months: int = 12
                     ) -> list[tuple[date, float | None]]:
    """[(first day of month, attendance rate or None)] for the months up to year/month, in one
    aggregated query (months in local time)."""
    y, m = year, month
    for _step in range(months - 1):
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    first = date(y, m, 1)
    start, end = day_range(first, month_bounds(year, month)[1])
    rows = (
        Contact.objects.filter(order__client__office_id__in=office_ids,
                               cancelled_at__isnull=True, planned_at__gte=start,
                               planned_at__lte=end)
        .annotate(month=TruncMonth("planned_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(done=Count("id", filter=~Q(outcome="")),
                  attended=Count("id", filter=Q(outcome__in=ATTENDED_OUTCOMES)),
                  excused=Count("id", filter=Q(outcome=Outcome.EXCUSED)))
        .values_list("month", "done", "attended", "excused")
    )
    rates = {}
    for moment, done, attended, excused in rows:
        day = moment.date() if isinstance(moment, datetime) else moment
        rates[(day.year, day.month)] = rate(attended, done - excused)
    result = []
    for _step in range(months):
        result.append((date(y, m, 1), rates.get((y, m))))
        y, m = (y, m + 1) if m < 12 else (y + 1, 1)
    return result


# --- Partners and meetings -------------------------------------------------------------------

def partner_rows(office_ids, first: date, last: date) -> list[PartnerRow]:
    start, end = day_range(first, last)
    referrals = Referral.objects.filter(order__client__office_id__in=office_ids)
    sessions = ServiceSession.objects.filter(referral__order__client__office_id__in=office_ids,
                                             date__gte=first, date__lte=last)
    rows: dict[int, PartnerRow] = {}

    def row(partner_id: int) -> PartnerRow:
        if partner_id not in rows:
            rows[partner_id] = PartnerRow(partner_id=partner_id, name="")
        return rows[partner_id]

    sent = Q(sent_at__gte=start, sent_at__lte=end)
    closed = Q(closed_at__gte=start, closed_at__lte=end)
    open_at_end = Q(sent_at__lte=end) & (Q(closed_at__isnull=True) | Q(closed_at__gt=end))
    for partner_id, name, *counts in (
        referrals.filter(sent | closed | open_at_end).order_by()
        .values_list("partner_id", "partner__name")
        .annotate(
            sent=Count("id", filter=sent),
            completed=Count("id", filter=closed & Q(status=ReferralStatus.COMPLETED)),
            ended=Count("id", filter=closed & Q(status__in=ENDED_REFERRAL_STATUSES)),
            open_at_end=Count("id", filter=open_at_end),
        )
        .values_list("partner_id", "partner__name", "sent", "completed", "ended", "open_at_end")
    ):
        target = row(partner_id)
        target.name = name
        target.sent, target.completed, target.ended, target.open_at_end = counts
    for partner_id, name, n, attended, minutes in (
        sessions.order_by().values_list("referral__partner_id", "referral__partner__name")
        .annotate(
            n=Count("id"),
            attended=Count("id", filter=Q(attendance=ServiceSession.Attendance.ATTENDED)),
            minutes=Sum("duration_minutes"),
        )
    ):
        target = row(partner_id)
        target.name = name
        target.sessions, target.sessions_attended, target.minutes = n, attended, minutes or 0
    return sorted(rows.values(), key=lambda r: (-r.sessions, -r.sent, r.name))


def meeting_rows(office_ids, first: date, last: date, now: datetime | None = None
                 ) -> list[MeetingRow]:
    start, end = day_range(first, last)
    end = min(end, now or timezone.now())
    held = Meeting.objects.filter(office_id__in=office_ids, cancelled_at__isnull=True,
                                  starts_at__gte=start, starts_at__lte=end)
    counts = dict(held.values_list("kind").annotate(n=Count("id")))
    attendees = dict(
        Attendance.objects.filter(meeting__in=held, present=True)
        .values_list("meeting__kind").annotate(n=Count("id"))
    )
    return [MeetingRow(kind=kind, held=counts.get(kind, 0), attendees=attendees.get(kind, 0))
            for kind in MeetingKind.values]


# --- Offices of a region ---------------------------------------------------------------------

def office_rows(office_ids, first: date, last: date) -> list[OfficeRow]:
    """Per-office comparison in a fixed number of queries (grouped by office)."""
    rows = {pk: OfficeRow(office_id=pk, name=name) for pk, name in
            Office.objects.filter(pk__in=office_ids).values_list("pk", "name")}
    orders = SupervisionOrder.objects.filter(office_id__in=office_ids)
    key = "office_id"

    def fill(attribute: str, qs) -> None:
        for office_id, n in qs.values_list(key).annotate(n=Count("id")):
            setattr(rows[office_id], attribute, n)

    fill("start", active_on(orders, first - timedelta(days=1)))
    fill("new", orders.filter(supervision_start__gte=first, supervision_start__lte=last))
    fill("closed", orders.filter(status__in=CLOSED_STATUSES, status_changed_at__gte=first,
                                 status_changed_at__lte=last))
    fill("end", active_on(orders, last))
    start, end = day_range(first, last)
    contacts = Contact.objects.filter(
        order__client__office_id__in=office_ids, cancelled_at__isnull=True,
        planned_at__gte=start, planned_at__lte=end,
    )
    for office_id, n, done, attended, excused, visits in (
        contacts.values_list("order__client__office_id").annotate(
            n=Count("id"),
            done=Count("id", filter=~Q(outcome="")),
            attended=Count("id", filter=Q(outcome__in=ATTENDED_OUTCOMES)),
            excused=Count("id", filter=Q(outcome=Outcome.EXCUSED)),
            visits=Count("id", filter=Q(kind__in=VISIT_KINDS) & ~Q(outcome="")),
        )
    ):
        target = rows[office_id]
        target.contacts_planned, target.contacts_done = n, done
        target.attended, target.excused, target.home_visits = attended, excused, visits
    for office_id, n in (User.objects.filter(role=Role.PK, is_active=True,
                                             office_id__in=office_ids)
                         .values_list("office_id").annotate(n=Count("id"))):
        rows[office_id].pks = n
    return sorted(rows.values(), key=lambda r: r.name)


# --- Everything ------------------------------------------------------------------------------

def monthly_figures(office_ids: set[int] | list[int], year: int, month: int, *,
                    regional: bool = False, until: date | None = None) -> MonthlyFigures:
    """The figures of the offices for the month. ``regional``: also compare the offices and
    replace the caseload per PK (names) by counts per office. ``until``: stop counting at that
    day (the dashboards' "this month so far")."""
    office_ids = list(office_ids)
    first, last = month_bounds(year, month)
    if until is not None:
        last = max(first, min(last, until))
    orders = SupervisionOrder.objects.filter(office_id__in=office_ids)
    contacts = Contact.objects.filter(order__client__office_id__in=office_ids)
    totals, by_kind = contact_breakdown(contacts, first, last)
    return MonthlyFigures(
        year=year,
        month=month,
        programs=program_rows(orders, first, last),
        contacts=totals,
        contacts_by_kind=by_kind,
        caseload=[] if regional else caseload_per_pk(orders, office_ids, last),
        partners=partner_rows(office_ids, first, last),
        meetings=meeting_rows(office_ids, first, last),
        offices=office_rows(office_ids, first, last) if regional else [],
    )
