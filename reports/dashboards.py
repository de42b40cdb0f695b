"""What each role's dashboard shows. Every function runs a fixed number of queries, whatever
the size of the caseload (aggregates and short, limited lists).

Chart data is a Chart.js configuration (type, labels, datasets) that the template hands to
``static/js/dashboards.js`` with ``json_script``; options that need functions (percent axes)
are flags the script understands.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Count, Q, Sum, Window
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bapas.models import Office
from clients.models import Contact, OrderStatus, RiskLevel, Stage, SupervisionOrder
from meetings.models import Meeting
from partners.models import (
    EXPIRING_WITHIN_DAYS,
    Agreement,
    AgreementStatus,
    Referral,
    ReferralStatus,
    ServiceSession,
)

from .charts import PALETTE
from .figures import (
    attendance_trend,
    day_range,
    month_bounds,
    monthly_figures,
    office_rows,
)

LIST_LIMIT = 10
STAGE_COLORS = {Stage.EARLY: "#2e7d32", Stage.MIDDLE: "#1565c0", Stage.LATE: "#6a1b9a"}
RISK_COLORS = {RiskLevel.LOW: "#2e7d32", RiskLevel.MEDIUM: "#f9a825", RiskLevel.HIGH: "#c62828"}
REFERRAL_COLORS = {
    ReferralStatus.SENT: "#0dcaf0", ReferralStatus.ACCEPTED: "#0b3d6b",
    ReferralStatus.IN_PROGRESS: "#1565c0", ReferralStatus.COMPLETED: "#2e7d32",
    ReferralStatus.DECLINED: "#c62828", ReferralStatus.WITHDRAWN: "#6c757d",
    ReferralStatus.ENDED_EARLY: "#f9a825",
}


def chart(kind: str, labels, datasets, **flags) -> dict:
    """A Chart.js config; ``flags``: stacked, horizontal, percent, legend."""
    return {"type": kind, "labels": [str(label) for label in labels],
            "datasets": datasets, **flags}


def dataset(label, data, color=None, **extra) -> dict:
    result = {"label": str(label), "data": list(data), **extra}
    if color is not None:
        result["backgroundColor"] = color
        result["borderColor"] = color
    return result


def _month_label(day: date, short: bool = False) -> str:
    """"Nov 2026" in the reader's language (charts), or "November 2026"."""
    return date_format(day, "M Y" if short else "YEAR_MONTH_FORMAT")


def trend_chart(office_ids, today: date) -> dict:
    trend = attendance_trend(office_ids, today.year, today.month)
    return chart("line", [_month_label(day, short=True) for day, _rate in trend],
                 [dataset(_("Attendance rate"), [rate for _day, rate in trend], PALETTE[0],
                          spanGaps=True, tension=0.2)],
                 percent=True, legend=False)


def bar_height(rows: int) -> int:
    """Horizontal bar charts grow with their rows so long names stay readable on a phone."""
    return max(220, 60 + 28 * rows)


def stage_of(start: date, end: date, day: date) -> str:
    """The thirds of the supervision period, as ``SupervisionOrder.stage_on``."""
    length = (end - start).days or 1
    elapsed = (day - start).days
    if elapsed * 3 < length:
        return Stage.EARLY
    if elapsed * 3 < length * 2:
        return Stage.MIDDLE
    return Stage.LATE


def first_and_count(queryset, limit: int = LIST_LIMIT) -> tuple[list, int]:
    """The first ``limit`` rows and how many there are in all, in one query."""
    rows = list(queryset.annotate(_total=Window(Count("pk")))[:limit])
    return rows, (rows[0]._total if rows else 0)


# --- PK --------------------------------------------------------------------------------------

def pk_dashboard(user, now=None) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    active = SupervisionOrder.objects.filter(Q(assigned_pk=user) | Q(cover_pk=user),
                                             status=OrderStatus.ACTIVE)
    stages: Counter = Counter()
    risks: Counter = Counter()
    ending_soon = cover_orders = 0
    for start, end, risk, assigned_pk_id, cover_pk_id in active.values_list(
        "supervision_start", "supervision_end", "risk_level", "assigned_pk_id", "cover_pk_id"
    ):  # the PK's own orders and those they cover, in one query
        if cover_pk_id == user.pk:
            cover_orders += 1
        if assigned_pk_id != user.pk:
            continue
        stages[stage_of(start, end, today)] += 1
        risks[risk] += 1
        if today <= end <= today + timedelta(days=30):
            ending_soon += 1
    contacts = Contact.objects.for_user(user).select_related("order__client")
    start_of_day, end_of_day = day_range(today, today)
    todays = contacts.filter(cancelled_at__isnull=True, planned_at__gte=start_of_day,
                             planned_at__lte=end_of_day).order_by("planned_at", "id")
    awaiting = contacts.awaiting_outcome(now).filter(planned_at__lt=start_of_day)
    todays_contacts, todays_count = first_and_count(todays)
    overdue_contacts, overdue_count = first_and_count(awaiting.order_by("planned_at", "id"))
    return {
        "active_orders": sum(stages.values()),
        "cover_orders": cover_orders,
        "ending_soon": ending_soon,
        "todays_contacts": todays_contacts,
        "todays_count": todays_count,
        "overdue_contacts": overdue_contacts,
        "overdue_count": overdue_count,
        "stage_chart": chart(
            "doughnut", [Stage(s).label for s in Stage.values],
            [dataset(_("Orders"), [stages[s] for s in Stage.values],
                     [STAGE_COLORS[Stage(s)] for s in Stage.values])],
        ),
        "risk_chart": chart(
            "bar", [RiskLevel(r).label for r in RiskLevel.values],
            [dataset(_("Orders"), [risks[r] for r in RiskLevel.values],
                     [RISK_COLORS[RiskLevel(r)] for r in RiskLevel.values])],
            legend=False,
        ),
    }


# --- Supervisor and head ---------------------------------------------------------------------

DASHBOARD_CACHE_SECONDS = 300


def office_dashboard(user, now=None) -> dict:
    """The office's month so far. The figures walk every order, contact and referral of the
    office, so they are computed at most once per ``DASHBOARD_CACHE_SECONDS`` per office, day
    and language (``figures_at`` says when); the agreements are read each time."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    key = f"reports:office-dashboard:v1:{user.office_id}:{today.isoformat()}:{get_language()}"
    figures = cache.get(key)
    if figures is None:
        figures = office_figures(user.office_id, now)
        cache.set(key, figures, DASHBOARD_CACHE_SECONDS)
    agreements = Agreement.objects.for_user(user)
    expiring = agreements.with_status(AgreementStatus.EXPIRING, today)
    expired = agreements.with_status(AgreementStatus.EXPIRED, today)
    counts = agreements.aggregate(  # one query for both counts
        expiring=Count("id", filter=Q(pk__in=expiring.values("pk"))),
        expired=Count("id", filter=Q(pk__in=expired.values("pk"))),
    )
    return {
        **figures,
        "expiring_agreements": list(expiring.select_related("partner")
                                    .order_by("end_date")[:LIST_LIMIT]),
        "expiring_count": counts["expiring"],
        "expired_count": counts["expired"],
        "expiring_days": EXPIRING_WITHIN_DAYS,
    }


def office_figures(office_id: int, now) -> dict:
    """What the office dashboard shows of an office's month so far (cached by the caller)."""
    today = timezone.localdate(now)
    office_ids = [office_id]
    figures = monthly_figures(office_ids, today.year, today.month, until=today)
    caseload = figures.caseload
    referrals = (Referral.objects.filter(order__client__office_id=office_id)
                 .exclude(status=ReferralStatus.DRAFT).order_by()
                 .values_list("partner__name", "status").annotate(n=Count("id")))
    per_partner: dict[str, Counter] = {}
    for name, status, n in referrals:
        per_partner.setdefault(name, Counter())[status] = n
    partners = sorted(per_partner, key=lambda name: -sum(per_partner[name].values()))[:10]
    statuses = [s for s in ReferralStatus.values if s != ReferralStatus.DRAFT
                and any(per_partner[p][s] for p in partners)]
    awaiting = Contact.objects.filter(order__client__office_id=office_id).awaiting_outcome(now)
    totals = figures.totals()
    return {
        "figures": figures,
        "figures_at": now,
        "figures_minutes": DASHBOARD_CACHE_SECONDS // 60,
        "totals": totals,
        "closed_total": sum(totals[name] for name in ("completed", "revoked", "transferred",
                                                      "deceased")),
        "contacts_done_planned": f"{figures.contacts.done} / {figures.contacts.planned}",
        "month_label": _month_label(today.replace(day=1)),
        "awaiting_count": awaiting.count(),
        "trend_chart": trend_chart(office_ids, today),
        "caseload_chart": chart(
            "bar", [row.name for row in caseload],
            [dataset(_("Active orders"), [row.count for row in caseload], PALETTE[0])],
            horizontal=True, legend=False,
        ),
        "caseload_rows": len(caseload),
        "caseload_height": bar_height(len(caseload)),
        "referral_chart": chart(
            "bar", partners,
            [dataset(ReferralStatus(s).label, [per_partner[p][s] for p in partners],
                     REFERRAL_COLORS.get(ReferralStatus(s), PALETTE[0])) for s in statuses],
            horizontal=True, stacked=True,
        ),
        "referral_rows": len(partners),
        "referral_height": bar_height(len(partners)),
    }


# --- Partner staff ---------------------------------------------------------------------------

def partner_dashboard(user, now=None) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    referrals = Referral.objects.for_partner(user)
    by_status = dict(referrals.values_list("status").annotate(n=Count("id")))
    first, last = month_bounds(today.year, today.month)
    sessions = ServiceSession.objects.filter(referral__in=referrals, date__gte=first,
                                             date__lte=last)
    totals = sessions.aggregate(
        n=Count("id"),
        attended=Count("id", filter=Q(attendance=ServiceSession.Attendance.ATTENDED)),
        minutes=Sum("duration_minutes"),
    )
    statuses = [s for s in ReferralStatus.values if s in by_status]
    meetings = (Meeting.objects.for_user(user).upcoming(now).filter(cancelled_at__isnull=True)
                .select_related("office").order_by("starts_at")[:5])
    return {
        "by_status": [(ReferralStatus(s).label, by_status[s]) for s in statuses],
        "new_count": by_status.get(ReferralStatus.SENT, 0),
        "active_count": by_status.get(ReferralStatus.ACCEPTED, 0)
        + by_status.get(ReferralStatus.IN_PROGRESS, 0),
        "sessions_count": totals["n"],
        "sessions_attended": totals["attended"],
        "session_hours": round((totals["minutes"] or 0) / 60, 1),
        "month_label": _month_label(first),
        "upcoming_meetings": list(meetings),
        "status_chart": chart(
            "doughnut", [ReferralStatus(s).label for s in statuses],
            [dataset(_("Referrals"), [by_status[s] for s in statuses],
                     [REFERRAL_COLORS.get(ReferralStatus(s), PALETTE[0]) for s in statuses])],
        ),
    }


# --- Regional viewer -------------------------------------------------------------------------

def regional_dashboard(user, now=None) -> dict:
    """Per-office comparison of the month so far: counts and rates only, no personal data."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    office_ids = list(Office.objects.filter(regional_office_id=user.regional_office_id)
                      .values_list("pk", flat=True))
    first = today.replace(day=1)
    rows = office_rows(office_ids, first, today)
    names = [row.name for row in rows]
    return {
        "rows": rows,
        "month_label": _month_label(first),
        "totals": {
            "end": sum(r.end for r in rows), "new": sum(r.new for r in rows),
            "closed": sum(r.closed for r in rows), "pks": sum(r.pks for r in rows),
            "contacts_planned": sum(r.contacts_planned for r in rows),
            "contacts_done": sum(r.contacts_done for r in rows),
        },
        "active_chart": chart(
            "bar", names, [dataset(_("Active orders"), [r.end for r in rows], PALETTE[0]),
                           dataset(_("New this month"), [r.new for r in rows], PALETTE[1])],
            horizontal=True,
        ),
        "attendance_chart": chart(
            "bar", names, [dataset(_("Attendance rate"), [r.attendance_rate for r in rows],
                                   PALETTE[2])],
            horizontal=True, percent=True, legend=False,
        ),
        "trend_chart": trend_chart(office_ids, today),
        "office_count": len(rows),
        "chart_height": bar_height(len(rows)),
    }
