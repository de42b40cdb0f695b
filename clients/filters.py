"""The caseload list's annotations and filters.

Everything the list shows per row (last and next contact, contacts awaiting an outcome, the
stage) is computed in the one query that fetches the page, so the number of queries does not
grow with the number of rows.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import django_filters
from django.db.models import (
    Case,
    Count,
    DateField,
    DateTimeField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bapas.models import Role, User
from bapas.scoping import ALL, office_ids_for
from bapas.widgets import PlainSelect

from .models import (
    ATTENDED_OUTCOMES,
    Client,
    Contact,
    OrderStatus,
    Program,
    ReportingInterval,
    RiskLevel,
    Stage,
)

EPOCH = date(1970, 1, 1)


class EpochDays(Func):
    """A date column as a whole number of days since 1970-01-01, on SQLite and PostgreSQL.

    Day numbers let the stage (the thirds of the supervision period) be computed with integer
    arithmetic exactly as ``SupervisionOrder.stage_on`` does, instead of interval arithmetic
    that the two databases do differently.
    """

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        template = "CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="(%(expressions)s - DATE '1970-01-01')", **extra
        )


def stage_expression(today: date) -> Case:
    """The stage today, in SQL: 3 x elapsed < length -> awal; < 2 x length -> lanjutan."""
    start = EpochDays(F("supervision_start"))
    length = EpochDays(F("supervision_end")) - start
    elapsed3 = (Value((today - EPOCH).days) - start) * 3
    return Case(
        When(LessThan(elapsed3, length), then=Value(Stage.EARLY.value)),
        When(LessThan(elapsed3, length * 2), then=Value(Stage.MIDDLE.value)),
        default=Value(Stage.LATE.value),
    )


RISK_RANK = Case(
    When(risk_level=RiskLevel.LOW, then=Value(1)),
    When(risk_level=RiskLevel.MEDIUM, then=Value(2)),
    When(risk_level=RiskLevel.HIGH, then=Value(3)),
    default=Value(0),
    output_field=IntegerField(),
)


def annotate_caseload(queryset: QuerySet, now: datetime | None = None) -> QuerySet:
    """Add last_contact, next_contact, awaiting_count and stage_now to orders (the sorts by
    risk add ``risk_rank``, see ``SORT_ALIASES``)."""
    now = now or timezone.now()
    contacts = Contact.objects.filter(order=OuterRef("pk"), cancelled_at__isnull=True)
    attended = (
        contacts.filter(outcome__in=ATTENDED_OUTCOMES)
        .annotate(at=Coalesce("happened_at", "planned_at"))
        .order_by("-at")
        .values("at")[:1]
    )
    upcoming = contacts.filter(outcome="", planned_at__gte=now).order_by("planned_at")
    awaiting = (
        contacts.filter(outcome="", planned_at__lt=now)
        .order_by()
        .values("order")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        last_contact=Subquery(attended),
        next_contact=Subquery(upcoming.values("planned_at")[:1]),
        awaiting_count=Coalesce(Subquery(awaiting, output_field=IntegerField()), 0),
        stage_now=stage_expression(timezone.localdate(now)),
    )


def reporting_intervals(office_ids: set[int] | None) -> dict[tuple[int, str], int]:
    """The offices' configured intervals, {(office_id, risk level): days}. One query."""
    rows = ReportingInterval.objects.all()
    if office_ids is not ALL:
        rows = rows.filter(office_id__in=office_ids)
    return {(r.office_id, r.risk_level): r.interval_days
            for r in rows.only("office_id", "risk_level", "interval_days")}


def interval_days(intervals: dict[tuple[int, str], int], office_id: int, risk: str) -> int:
    return intervals.get((office_id, risk), ReportingInterval.DEFAULT_DAYS[RiskLevel(risk)])


def overdue_contact_q(intervals: dict[tuple[int, str], int], now: datetime,
                      only_office: int | None = None) -> Q:
    """Active orders whose reporting has lapsed.

    Either a past contact still has no outcome, or nothing is planned and the last attended
    contact (or, with none, the start of supervision) is older than the office's interval for
    the order's risk level. The cutoff is one CASE per row, so the query holds the last-contact
    subquery twice rather than twice per risk level and configured office.
    ``only_office``: every order filtered is that office's (a user of one office), so the
    cutoff depends on the risk level alone.
    """
    if only_office is not None:
        cutoffs = [
            (Q(risk_level=risk), now - timedelta(days=interval_days(intervals, only_office, risk)))
            for risk in RiskLevel
        ]
    else:  # (condition, cutoff): the offices' own intervals first, then the defaults
        cutoffs = [
            (Q(risk_level=risk, office_id=office_id), now - timedelta(days=days))
            for (office_id, risk), days in sorted(intervals.items())
        ] + [
            (Q(risk_level=risk), now - timedelta(days=ReportingInterval.DEFAULT_DAYS[risk]))
            for risk in RiskLevel
        ]
    cutoff = Case(*(When(condition, then=Value(at)) for condition, at in cutoffs),
                  output_field=DateTimeField())
    cutoff_day = Case(
        *(When(condition, then=Value(timezone.localdate(at))) for condition, at in cutoffs),
        output_field=DateField(),
    )
    lapsed = Q(last_contact__lt=cutoff) | Q(last_contact__isnull=True,
                                            supervision_start__lte=cutoff_day)
    return Q(status=OrderStatus.ACTIVE) & (
        Q(awaiting_count__gt=0) | (Q(next_contact__isnull=True) & lapsed)
    )


class Attention:
    ANY = "any"
    OVERDUE = "overdue"
    AWAITING = "awaiting"
    ENDING = "ending"
    CLOSING = "closing"

    CHOICES = [
        (ANY, _("Needs attention (any)")),
        (OVERDUE, _("Overdue contact")),
        (AWAITING, _("Outcome missing")),
        (ENDING, _("Ending within 30 days")),
        (CLOSING, _("Past its end date (needs closing)")),
    ]


ENDING_DAYS = 30

# Sort keys a user may pick, and what they mean. Anything else is ignored.
SORTS = {
    "name": ["client__full_name", "pk"],
    "-name": ["-client__full_name", "-pk"],
    "end": ["supervision_end", "client__full_name"],
    "-end": ["-supervision_end", "client__full_name"],
    "risk": ["-risk_rank", "supervision_end"],
    "-risk": ["risk_rank", "supervision_end"],
    "last_contact": [F("last_contact").asc(nulls_first=True), "client__full_name"],
    "-last_contact": [F("last_contact").desc(nulls_last=True), "client__full_name"],
}
# What a sort needs beyond annotate_caseload, added (not selected) only when it is chosen.
SORT_ALIASES = {"risk": {"risk_rank": RISK_RANK}, "-risk": {"risk_rank": RISK_RANK}}
SORT_CHOICES = [
    ("name", _("Name (A-Z)")),
    ("-name", _("Name (Z-A)")),
    ("end", _("Supervision end (soonest first)")),
    ("-end", _("Supervision end (latest first)")),
    ("risk", _("Risk (highest first)")),
    ("-risk", _("Risk (lowest first)")),
    ("last_contact", _("Last contact (longest ago first)")),
    ("-last_contact", _("Last contact (most recent first)")),
]
UNASSIGNED = "none"


class CaseloadFilter(django_filters.FilterSet):
    """Filters of the caseload list. The queryset must come from ``annotate_caseload``.

    ``scope`` is the user's visible orders before any filter: with "all statuses" each client
    shows once, by its most relevant order (active first, then the most recent).
    """

    program = django_filters.ChoiceFilter(
        widget=PlainSelect,
        label=_("Program"), choices=Program.choices, empty_label=_("All programs")
    )
    stage = django_filters.ChoiceFilter(
        widget=PlainSelect,
        label=_("Stage"), choices=Stage.choices, empty_label=_("All stages"),
        field_name="stage_now",
    )
    risk_level = django_filters.ChoiceFilter(
        widget=PlainSelect,
        label=_("Risk"), choices=RiskLevel.choices, empty_label=_("All risk levels")
    )
    status = django_filters.ChoiceFilter(
        widget=PlainSelect,
        label=_("Status"), choices=OrderStatus.choices, empty_label=_("All statuses"),
        method="filter_status",
    )
    section = django_filters.ChoiceFilter(
        widget=PlainSelect,
        label=_("Section"), field_name="client__section", choices=Client.Section.choices,
        empty_label=_("All sections"),
    )
    office = django_filters.ChoiceFilter(
        widget=PlainSelect,
        label=_("Office"), empty_label=_("All offices"), field_name="office_id"
    )
    officer = django_filters.ChoiceFilter(
        widget=PlainSelect,
        label=_("PK"), empty_label=_("All PKs"), method="filter_officer"
    )
    attention = django_filters.ChoiceFilter(
        widget=PlainSelect,
        label=_("Needs attention"), choices=Attention.CHOICES, empty_label=_("Everything"),
        method="filter_attention",
    )
    sort = django_filters.ChoiceFilter(
        widget=PlainSelect,
        label=_("Sort by"), choices=SORT_CHOICES, empty_label=None, method="keep"
    )

    def __init__(self, data=None, *args, user: User, scope: QuerySet, intervals: dict,
                 officers: list[User] | None = None, now: datetime | None = None,
                 offices: list[tuple[int, str]] | None = None, **kwargs):
        data = data.copy() if data is not None else {}
        if "status" not in data:
            data["status"] = OrderStatus.ACTIVE  # the working list: active orders
        super().__init__(data, *args, **kwargs)
        self.user, self.scope, self.intervals = user, scope, intervals
        self.now = now or timezone.now()
        if offices is None:
            del self.filters["office"]  # users of one office
        else:
            self.filters["office"].extra["choices"] = [(str(pk), name) for pk, name in offices]
        if officers is None:
            # a PK's own list has no PK filter; users of several offices choose an office first
            del self.filters["officer"]
        else:
            self.filters["officer"].extra["choices"] = [
                (str(u.pk), u.full_name + ("" if u.is_active else f" ({_('deactivated')})"))
                for u in officers
            ] + [(UNASSIGNED, _("Not assigned"))]
        for name, field in self.form.fields.items():
            field.widget.attrs.update(
                {"class": "form-select form-select-sm js-autosubmit", "id": f"filter-{name}"}
            )

    @property
    def sort_value(self) -> str:
        if self.form.is_valid():
            return self.form.cleaned_data.get("sort") or ""
        return ""

    def keep(self, queryset, name, value):
        return queryset  # sorting is applied by the view, after search ranking

    def filter_status(self, queryset, name, value):
        return queryset.filter(status=value)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            relevant = (
                self.scope.filter(client=OuterRef("client_id"))
                .annotate(_inactive=Case(When(status=OrderStatus.ACTIVE, then=Value(0)),
                                         default=Value(1), output_field=IntegerField()))
                .order_by("_inactive", "-supervision_start", "-pk")
                .values("pk")[:1]
            )
            queryset = queryset.filter(pk=Subquery(relevant))
        return queryset

    def filter_officer(self, queryset, name, value):
        if value == UNASSIGNED:
            return queryset.filter(assigned_pk__isnull=True)
        return queryset.filter(assigned_pk_id=value)

    def filter_attention(self, queryset, name, value):
        today = timezone.localdate(self.now)
        ending = Q(status=OrderStatus.ACTIVE, supervision_end__gte=today,
                   supervision_end__lte=today + timedelta(days=ENDING_DAYS))
        closing = Q(status=OrderStatus.ACTIVE, supervision_end__lt=today)
        awaiting = Q(awaiting_count__gt=0)
        offices = office_ids_for(self.user)
        only_office = next(iter(offices)) if offices is not ALL and len(offices) == 1 else None
        overdue = overdue_contact_q(self.intervals, self.now, only_office)
        conditions = {
            Attention.ANY: overdue | awaiting | ending | closing,
            Attention.OVERDUE: overdue,
            Attention.AWAITING: awaiting,
            Attention.ENDING: ending,
            Attention.CLOSING: closing,
        }
        return queryset.filter(conditions[value])


def office_officers(office_ids: set[int] | None, *, with_orders_of: QuerySet | None = None):
    """PKs of the offices: the active ones, and deactivated ones who still hold orders."""
    users = User.objects.filter(role=Role.PK)
    if office_ids is not ALL:
        users = users.filter(office_id__in=office_ids)
    condition = Q(is_active=True)
    if with_orders_of is not None:
        condition |= Q(pk__in=with_orders_of.filter(status=OrderStatus.ACTIVE)
                       .values("assigned_pk"))
    return users.filter(condition).order_by("full_name")
