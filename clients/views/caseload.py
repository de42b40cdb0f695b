"""Caseload lists, search, assignment of orders to PKs and caseload sizes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bapas.audit import log_access
from bapas.models import AccessLog, Office, Role, User
from bapas.roles import can, capability_required
from bapas.scoping import ALL, get_scoped_or_404, office_ids_for

from ..filters import (
    ENDING_DAYS,
    SORT_ALIASES,
    SORTS,
    CaseloadFilter,
    annotate_caseload,
    interval_days,
    office_officers,
    reporting_intervals,
    stage_expression,
)
from ..models import (
    OrderStatus,
    Program,
    ReportingInterval,
    RiskLevel,
    Stage,
    SupervisionOrder,
)
from ..search import RANK, search_clients
from ..selectors import consecutive_missed, window_page
from ..services.assignment import orders_assign
from ..timeline_sources import short_date_maker, url_maker

SEARCH_SESSION_KEY = "clients.caseload.search"
# What the list's rows read (template and _decorate): the query compiles, sends and builds
# a third of the columns of the order, its client and two users (the export reads them all).
LIST_COLUMNS = (
    "status", "program", "risk_level", "supervision_start", "supervision_end",
    "client", "client__full_name", "client__section", "client__register_number",
    "office", "assigned_pk", "assigned_pk__full_name", "cover_pk", "cover_pk__full_name",
)
PAGE_SIZE = 25

PROGRAM_SHORT = {
    Program.PB: "PB",
    Program.CB: "CB",
    Program.CMB: "CMB",
    Program.ASSIMILATION: "Asimilasi",
    Program.CONDITIONAL: "Pid. Bersyarat",
    Program.SUPERVISED: "Pid. Pengawasan",
    Program.DIVERSION: "Diversi",
}
STAGE_BADGE = {
    Stage.EARLY: "badge-stage-early",
    Stage.MIDDLE: "badge-stage-middle",
    Stage.LATE: "badge-stage-late",
}
RISK_BADGE = {
    RiskLevel.LOW: "text-bg-success",
    RiskLevel.MEDIUM: "text-bg-warning",
    RiskLevel.HIGH: "text-bg-danger",
}
STATUS_BADGE = {
    OrderStatus.ACTIVE: "text-bg-primary",
    OrderStatus.COMPLETED: "text-bg-secondary",
    OrderStatus.REVOKED: "text-bg-danger",
    OrderStatus.TRANSFERRED: "text-bg-info",
    OrderStatus.DECEASED: "text-bg-dark",
}


# --- The list ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseloadQuery:
    """The caseload as the request asks for it: the page shows it 25 rows at a time, the
    export all of it, so both apply exactly the same scope, filters, search and order."""

    rows: QuerySet
    filterset: CaseloadFilter
    is_pk: bool
    view_mode: str  # a PK's "own" or "cover" list; "" for everyone else
    term: str  # the search term kept in the session
    intervals: dict
    now: datetime
    officer_offices: list | None  # the offices whose PKs may be chosen (None: pick one first)
    officers: list[User] | None  # the PK filter's choices (None: no PK filter)


def caseload_query(request: HttpRequest) -> CaseloadQuery:
    user = request.user
    is_pk = user.role == Role.PK
    scope = SupervisionOrder.objects.for_user(user)
    view_mode = ""
    if is_pk:
        view_mode = "cover" if request.GET.get("view") == "cover" else "own"
        scope = scope.filter(cover_pk=user) if view_mode == "cover" else scope.filter(
            assigned_pk=user
        )
    now = timezone.now()
    office_ids = office_ids_for(user)
    all_offices, all_intervals = _reference()
    intervals = all_intervals if office_ids is ALL else {
        key: days for key, days in all_intervals.items() if key[0] in office_ids
    }
    # Users of several offices (administrators) filter by office first; the PKs to filter by
    # or assign to are those of the chosen office (not every PK of the country).
    offices = None if is_pk else _office_choices(office_ids, all_offices)
    officer_offices = office_ids if offices is None else _chosen_office(request, offices)
    officers = (None if is_pk or officer_offices is None
                else list(office_officers(officer_offices, with_orders_of=scope)))
    filterset = CaseloadFilter(
        request.GET,
        queryset=annotate_caseload(
            scope.select_related("client", "assigned_pk", "cover_pk"), now
        ),
        user=user, scope=scope, intervals=intervals, officers=officers, now=now,
        offices=offices,
    )
    rows = filterset.qs
    term = request.session.get(SEARCH_SESSION_KEY, "")
    if term:
        rows = search_clients(rows, term, client_path="client__")
    sort = filterset.sort_value
    if sort:
        rows = rows.alias(**SORT_ALIASES.get(sort, {})).order_by(*SORTS[sort])
    elif term:
        rows = rows.order_by(f"-{RANK}", "client__full_name", "pk")
    else:
        rows = rows.order_by(*SORTS["name"])
    return CaseloadQuery(rows=rows, filterset=filterset, is_pk=is_pk, view_mode=view_mode,
                         term=term, intervals=intervals, now=now,
                         officer_offices=officer_offices, officers=officers)


@never_cache
@login_required
@capability_required("clients.view")
def caseload(request: HttpRequest) -> HttpResponse:
    """A PK's own caseload (or the clients they cover); the whole office for everyone else."""
    if request.method == "POST":
        return _remember_search(request)
    return _render_list(request)


def _render_list(request: HttpRequest, base_template: str = "base.html") -> HttpResponse:
    """The list as GET shows it; ``base_template`` "base_main.html" gives the main part only."""
    user = request.user
    query = caseload_query(request)
    # Rows and count: one query.
    page = window_page(query.rows.only(*LIST_COLUMNS), request.GET.get("page"), PAGE_SIZE)
    can_assign = can(user, "clients.assign")
    _decorate(page.object_list, query.intervals, query.now,
              assign_next=request.get_full_path() if can_assign else None)
    log_access(
        request, None, AccessLog.Action.SEARCH if query.term else AccessLog.Action.VIEW,
        label=_("Caseload list"), office_id=user.office_id,
    )
    return render(request, "clients/caseload/list.html", {
        "base_template": base_template,
        "page": page,
        "filter": query.filterset,
        "search_term": query.term,
        "view_mode": query.view_mode,
        "is_pk": query.is_pk,
        "can_assign": can_assign,
        # The active ones among the PK filter's choices (the office's PKs, and deactivated
        # ones who still hold orders): the same list as _active_officers, without a query.
        "bulk_officers": ([officer for officer in query.officers if officer.is_active]
                          if can_assign and query.officers is not None else []),
        "status_filter": query.filterset.form["status"].value(),
        "filters_active": _count_filters(request, query.filterset),
    })


def _count_filters(request: HttpRequest, filterset: CaseloadFilter) -> int:
    """How many filters differ from the default list (active orders, everything else open)."""
    count = 0
    for name in filterset.form.fields:
        value = request.GET.get(name)
        if name == "status":
            count += value is not None and value != OrderStatus.ACTIVE
        elif name != "sort":
            count += bool(value)
    return count


def _remember_search(request: HttpRequest) -> HttpResponse:
    """Keep the search term in the session, never in the URL (it is personal data).

    A plain form post is answered with a redirect to the list (post/redirect/get). The search
    form posts through htmx when JavaScript runs: then the list itself is the answer, its main
    part only, and the address bar shows the list's URL, which reloads the same list from the
    session. One request per search instead of two.
    """
    term = request.POST.get("q", "").strip()[:100]
    if "clear_search" in request.POST or not term:
        request.session.pop(SEARCH_SESSION_KEY, None)
    else:
        request.session[SEARCH_SESSION_KEY] = term
    query = request.GET.copy()
    query.pop("page", None)
    url = reverse("clients:caseload")
    url = f"{url}?{query.urlencode()}" if query else url
    if not request.htmx:
        return redirect(url)
    # The first page of the list, with the filters of the form's URL (links built from it too).
    request.GET = query
    request.META["QUERY_STRING"] = query.urlencode()
    response = _render_list(request, base_template="base_main.html")
    response["HX-Push-Url"] = url
    return response


def _decorate(rows, intervals: dict, now, assign_next: str | None = None) -> None:
    """Per-row facts for the template, from the annotations and one query for missed runs.

    Also what the row template would otherwise compute per row with tags and filters (URLs,
    choice labels, dates, phrases), as the tags would render them: the same HTML, less CPU.
    ``assign_next``: the list's path when the rows get their select box and assign link.
    """
    rows = list(rows)
    missed = consecutive_missed([row.pk for row in rows])
    today = timezone.localdate(now)
    labels = _choice_labels()
    detail_url = url_maker("clients:detail")
    order_url = url_maker("clients:order_detail", 2)
    assign_url = url_maker("clients:assign")
    next_query = "?next=" + quote(assign_next or "", safe="/")
    short_date = short_date_maker()
    for row in rows:
        active = row.status == OrderStatus.ACTIVE
        row.missed_in_a_row = missed.get(row.pk, 0)
        row.pk_name = _without_titles(row.assigned_pk)
        row.cover_name = _without_titles(row.cover_pk)
        row.program_short = PROGRAM_SHORT.get(row.program, row.program)
        row.program_label = str(labels["program"].get(row.program, row.program))
        row.risk_label = str(labels["risk_level"].get(row.risk_level, row.risk_level))
        row.status_label = str(labels["status"].get(row.status, row.status))
        row.detail_url = detail_url(row.client_id)
        row.order_url = order_url(row.client_id, row.pk)
        row.end_text = short_date(row.supervision_end)
        row.last_text = short_date(row.last_contact) or "—"
        row.next_text = short_date(row.next_contact) or "—"
        # As {% blocktranslate %} renders them: the phrase unescaped, the name escaped.
        if assign_next is not None and active:
            row.assign_url = assign_url(row.pk) + next_query
            row.select_label = mark_safe(  # noqa: S308 - the only value is escaped
                _("Select %(name)s") % {"name": conditional_escape(row.client.full_name)}
            )
        if row.cover_pk is not None:
            row.cover_note = mark_safe(  # noqa: S308 - the only value is escaped
                _("cover: %(name)s") % {"name": conditional_escape(row.cover_name)}
            )
        row.stage_label = Stage(row.stage_now).label if active else ""
        row.stage_badge = STAGE_BADGE.get(row.stage_now, "text-bg-secondary")
        row.risk_badge = RISK_BADGE.get(row.risk_level, "text-bg-secondary")
        row.status_badge = STATUS_BADGE.get(row.status, "text-bg-secondary")
        row.days_to_end = (row.supervision_end - today).days
        row.days_past_end = max(0, -row.days_to_end)
        row.end_note = mark_safe(  # noqa: S308 - a number only
            ngettext("ended %(days)s day ago", "ended %(days)s days ago", row.days_past_end)
            % {"days": row.days_past_end}
            if row.days_to_end < 0
            else ngettext("%(days)s day left", "%(days)s days left", row.days_to_end)
            % {"days": row.days_to_end}
        )
        row.flag_closing = active and row.supervision_end < today
        row.flag_ending = active and 0 <= row.days_to_end <= ENDING_DAYS
        days = interval_days(intervals, row.office_id, row.risk_level)
        last = row.last_contact
        stale = (last is None and (today - row.supervision_start).days >= days) or (
            last is not None and (now - last).days >= days
        )
        row.flag_overdue = active and (
            row.awaiting_count > 0 or (row.next_contact is None and stale)
        )


_CHOICE_LABELS: dict[str, dict] = {}


def _choice_labels() -> dict[str, dict]:
    """value -> label of the order's choice fields (``get_FOO_display`` rebuilds it per call)."""
    if not _CHOICE_LABELS:
        for name in ("program", "risk_level", "status"):
            _CHOICE_LABELS[name] = dict(SupervisionOrder._meta.get_field(name).flatchoices)
    return _CHOICE_LABELS


def _without_titles(user: User | None) -> str:
    """'Dewi Lestari, S.Psi.' -> 'Dewi Lestari': academic titles make a narrow column wrap."""
    return user.full_name.split(",")[0] if user is not None else ""


REFERENCE_KEY = "clients:caseload:reference"
REFERENCE_SECONDS = 300


def _reference() -> tuple[list[tuple[int, str]], dict[tuple[int, str], int]]:
    """Every office's (id, name) by name and every configured reporting interval.

    Reference data that every caseload request needs and that hardly ever changes: cached
    (one cache read instead of two queries and 90 + 270 rows), dropped whenever an office or
    an interval is saved or deleted, and at most REFERENCE_SECONDS old otherwise.
    """
    data = cache.get(REFERENCE_KEY)
    if data is None:
        data = (list(Office.objects.order_by("name").values_list("pk", "name")),
                reporting_intervals(ALL))
        cache.set(REFERENCE_KEY, data, REFERENCE_SECONDS)
    return data


@receiver([post_save, post_delete], sender=Office, dispatch_uid="caseload_reference_office")
@receiver([post_save, post_delete], sender=ReportingInterval,
          dispatch_uid="caseload_reference_interval")
def _reference_changed(**kwargs) -> None:
    cache.delete(REFERENCE_KEY)
    transaction.on_commit(lambda: cache.delete(REFERENCE_KEY))  # read again meanwhile


def _office_choices(office_ids, offices: list[tuple[int, str]]) -> list[tuple[int, str]] | None:
    """(id, name) of the offices the user sees, when there are several; else None."""
    if office_ids is not ALL and len(office_ids) <= 1:
        return None
    return offices if office_ids is ALL else [o for o in offices if o[0] in office_ids]


def _chosen_office(request: HttpRequest, offices: list[tuple[int, str]]) -> set[int] | None:
    chosen = request.GET.get("office", "")
    return {int(chosen)} if chosen.isdigit() and int(chosen) in dict(offices) else None


def _active_officers(office_ids):
    users = User.objects.filter(role=Role.PK, is_active=True)
    if office_ids is not ALL:
        users = users.filter(office_id__in=office_ids)
    return users.order_by("full_name")


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


# --- Assignment ----------------------------------------------------------------------------


class OfficerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name if obj.is_active else f"{obj.full_name} ({_('deactivated')})"


class AssignForm(forms.Form):
    to_pk = OfficerField(label=gettext_lazy("PK"), queryset=User.objects.none())
    cover_pk = OfficerField(
        label=gettext_lazy("Covering PK (read-only)"), queryset=User.objects.none(),
        required=False,
        help_text=gettext_lazy("Optional: a colleague who may read this case, e.g. during "
                               "the PK's leave."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, max_length=255,
        help_text=gettext_lazy("Kept in the order's history."),
    )

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_pk"].queryset = officers
        self.fields["cover_pk"].queryset = officers

    def clean(self):
        data = super().clean()
        if data.get("to_pk") and data.get("cover_pk") == data.get("to_pk"):
            self.add_error("cover_pk", _("The covering PK must be someone other than the "
                                         "assigned PK."))
        return data


class BulkAssignForm(forms.Form):
    orders = forms.ModelMultipleChoiceField(
        queryset=SupervisionOrder.objects.none(),
        error_messages={
            "required": gettext_lazy("Select at least one client in the list."),
            "invalid_choice": gettext_lazy("One of the selected orders is not active or not "
                                           "in your office."),
            "invalid_pk_value": gettext_lazy("One of the selected orders is not valid."),
        },
    )
    to_pk = OfficerField(
        label=gettext_lazy("Move to PK"), queryset=User.objects.none(),
        error_messages={"required": gettext_lazy("Choose the PK who takes over.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=255,
        error_messages={"required": gettext_lazy("Give a reason, e.g. the PK's transfer.")},
    )

    def __init__(self, *args, orders, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["orders"].queryset = orders
        self.fields["to_pk"].queryset = officers


class MoveCaseloadForm(forms.Form):
    from_pk = OfficerField(
        label=gettext_lazy("Move all active orders of"), queryset=User.objects.none()
    )
    to_pk = OfficerField(label=gettext_lazy("to PK"), queryset=User.objects.none())
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=255,
        error_messages={"required": gettext_lazy("Give a reason, e.g. the PK's transfer.")},
    )

    def __init__(self, *args, sources, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_pk"].queryset = sources
        self.fields["to_pk"].queryset = officers

    def clean(self):
        data = super().clean()
        if data.get("from_pk") and data.get("from_pk") == data.get("to_pk"):
            self.add_error("to_pk", _("Choose a different PK from the one who hands over."))
        return data


def _apply(form: forms.Form, **kwargs) -> list[SupervisionOrder] | None:
    """Run orders_assign, putting its validation errors on the form. None when it failed."""
    try:
        return orders_assign(**kwargs)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return None


@never_cache
@login_required
@capability_required("clients.assign")
def assign(request: HttpRequest, order_pk: int) -> HttpResponse:
    order = get_scoped_or_404(
        SupervisionOrder.objects.for_user(request.user).select_related(
            "client", "assigned_pk", "cover_pk"
        ),
        pk=order_pk,
    )
    officers = _active_officers({order.client.office_id})
    form = AssignForm(
        request.POST or None, officers=officers,
        initial={"to_pk": order.assigned_pk_id, "cover_pk": order.cover_pk_id},
    )
    back = _next_url(request, reverse("clients:caseload"))
    if order.status != OrderStatus.ACTIVE:
        form.add_error(None, _("Only active orders are assigned; this order is %(status)s.")
                       % {"status": order.get_status_display()})
    elif request.method == "POST" and form.is_valid():
        changed = _apply(
            form, orders=[order], to_pk=form.cleaned_data["to_pk"], by=request.user,
            reason=form.cleaned_data["reason"], cover_pk=form.cleaned_data["cover_pk"],
        )
        if changed is not None:
            if changed:
                messages.success(request, _("%(client)s is now on the caseload of %(pk)s.") % {
                    "client": order.client.full_name,
                    "pk": _without_titles(form.cleaned_data["to_pk"]),
                })
            else:
                messages.info(request, _("Nothing changed."))
            return redirect(back)
    log_access(request, order.client, AccessLog.Action.VIEW)
    return render(request, "clients/caseload/assign.html", {
        "order": order, "form": form, "back": back,
        "active": order.status == OrderStatus.ACTIVE,
    })


@never_cache
@login_required
@capability_required("clients.assign")
@require_POST
def assign_bulk(request: HttpRequest) -> HttpResponse:
    """Move the orders ticked on the caseload list to another PK."""
    office_ids = office_ids_for(request.user)
    orders = SupervisionOrder.objects.for_user(request.user).active().select_related(
        "client", "assigned_pk"
    )
    form = BulkAssignForm(request.POST, orders=orders, officers=_active_officers(office_ids))
    back = _next_url(request, reverse("clients:caseload"))
    if form.is_valid():
        changed = _apply(
            form, orders=form.cleaned_data["orders"], to_pk=form.cleaned_data["to_pk"],
            by=request.user, reason=form.cleaned_data["reason"],
        )
        if changed is not None:
            messages.success(request, ngettext(
                "%(count)d order moved to %(pk)s.", "%(count)d orders moved to %(pk)s.",
                len(changed),
            ) % {"count": len(changed), "pk": _without_titles(form.cleaned_data["to_pk"])})
            return redirect(back)
    ticked = [value for value in request.POST.getlist("orders") if value.isdigit()]
    selected = list(orders.filter(pk__in=ticked).order_by("client__full_name"))
    return render(request, "clients/caseload/assign_bulk.html", {
        "form": form, "selected": selected, "back": back,
    }, status=200)


@never_cache
@login_required
@capability_required("clients.assign")
def caseload_move(request: HttpRequest) -> HttpResponse:
    """Hand over every active order of one PK (who leaves, say) to another."""
    office_ids = office_ids_for(request.user)
    scope = SupervisionOrder.objects.for_user(request.user)
    sources = office_officers(office_ids, with_orders_of=scope)
    form = MoveCaseloadForm(
        request.POST or None, sources=sources, officers=_active_officers(office_ids),
        initial={"from_pk": request.GET.get("from")},
    )
    if request.method == "POST" and form.is_valid():
        orders = list(scope.active().filter(assigned_pk=form.cleaned_data["from_pk"]))
        if not orders:
            form.add_error("from_pk", _("%(name)s has no active orders to hand over.")
                           % {"name": form.cleaned_data["from_pk"].full_name})
        else:
            changed = _apply(
                form, orders=orders, to_pk=form.cleaned_data["to_pk"], by=request.user,
                reason=form.cleaned_data["reason"],
            )
            if changed is not None:
                messages.success(request, ngettext(
                    "%(count)d order handed over from %(from)s to %(to)s.",
                    "%(count)d orders handed over from %(from)s to %(to)s.", len(changed),
                ) % {"count": len(changed),
                     "from": _without_titles(form.cleaned_data["from_pk"]),
                     "to": _without_titles(form.cleaned_data["to_pk"])})
                return redirect("clients:caseload_sizes")
    return render(request, "clients/caseload/move.html", {"form": form})


# --- Caseload sizes ------------------------------------------------------------------------


@never_cache
@login_required
@capability_required("clients.assign")
def caseload_sizes(request: HttpRequest) -> HttpResponse:
    """Active orders per PK by risk level and stage, with totals."""
    office_ids = office_ids_for(request.user)
    scope = SupervisionOrder.objects.for_user(request.user)
    officers = list(office_officers(office_ids, with_orders_of=scope))
    active = scope.active().annotate(stage_now=stage_expression(timezone.localdate()))
    counts: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in (active.order_by().values("assigned_pk", "risk_level", "stage_now")
                .annotate(n=Count("pk"))):
        cell = counts[row["assigned_pk"]]
        cell[row["risk_level"]] += row["n"]
        cell[row["stage_now"]] += row["n"]
        cell["total"] += row["n"]
    covers = dict(
        active.filter(cover_pk__isnull=False).order_by().values("cover_pk")
        .annotate(n=Count("pk")).values_list("cover_pk", "n")
    )
    keys = [*RiskLevel.values, *Stage.values, "total"]

    def line(officer, key):
        cell = counts.get(key, {})
        return {"officer": officer, "values": [cell.get(k, 0) for k in keys],
                "cover": covers.get(key, 0)}

    lines = [line(officer, officer.pk) for officer in officers]
    unassigned = line(None, None)
    totals = [sum(cell.get(k, 0) for cell in counts.values()) for k in keys]
    return render(request, "clients/caseload/sizes.html", {
        "lines": lines,
        "unassigned": unassigned,
        "totals": totals,
        "risk_labels": RiskLevel.labels,
        "stage_labels": Stage.labels,
    })


urlpatterns = [
    path("", caseload, name="caseload"),
    path("caseload/assign/<int:order_pk>/", assign, name="assign"),
    path("caseload/assign/", assign_bulk, name="assign_bulk"),
    path("caseload/move/", caseload_move, name="caseload_move"),
    path("caseload/sizes/", caseload_sizes, name="caseload_sizes"),
]
