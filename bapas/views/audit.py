"""Browse the change history and the access log (supervisors for their office, admins all)."""

from __future__ import annotations

import csv
from datetime import datetime, time

from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..audit import audited_models, get_audited_model, log_access
from ..forms import DateRangeForm
from ..models import AccessLog, User
from ..privacy import client_access_condition
from ..roles import capability_required
from ..scoping import ALL, office_ids_for

PAGE_SIZE = 50


def _changed_fields(record, previous) -> list[dict]:
    if previous is None:
        return []
    delta = record.diff_against(previous)
    return [{"field": change.field, "old": change.old, "new": change.new}
            for change in delta.changes]


@login_required
@capability_required("audit.view")
def change_history(request):
    """Every create, update and delete of audited records, newest first, with what changed."""
    models_available = [m for m in audited_models()
                        if m.office_path or office_ids_for(request.user) is ALL]
    key = request.GET.get("model") or (models_available[0].key if models_available else "")
    entry = get_audited_model(key)
    if entry not in models_available:
        entry = models_available[0] if models_available else None
    page = None
    rows = []
    if entry is not None:
        history = entry.model.history.select_related("history_user")
        office_ids = office_ids_for(request.user)
        if office_ids is not ALL:
            history = history.filter(**{f"{entry.office_path}__in": office_ids})
        object_id = request.GET.get("object", "").strip()
        if object_id.isdigit():
            history = history.filter(id=int(object_id))
        page = Paginator(history.order_by("-history_date", "-history_id"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        # One query for the earlier versions of every object on this page, so the page's query
        # count does not grow with its rows.
        records = list(page.object_list)
        ids = {r.id for r in records}
        earlier: dict[int, list] = {}
        if records:
            for version in entry.model.history.filter(id__in=ids).order_by("history_date"):
                earlier.setdefault(version.id, []).append(version)
        for record in records:
            versions = earlier.get(record.id, [])
            previous = None
            for version in versions:
                if version.history_date < record.history_date or (
                    version.history_date == record.history_date
                    and version.history_id < record.history_id
                ):
                    previous = version
            rows.append({"record": record, "changes": _changed_fields(record, previous)})
    return render(
        request,
        "bapas/audit/changes.html",
        {"models": models_available, "entry": entry, "page": page, "rows": rows},
    )


class AccessLogFilterForm(DateRangeForm):
    user = forms.ModelChoiceField(
        label=gettext_lazy("User"), queryset=User.objects.none(), required=False
    )
    record_type = forms.ChoiceField(label=gettext_lazy("Record type"), required=False)
    record_id = forms.CharField(label=gettext_lazy("Record id"), required=False, max_length=64)
    # "Who accessed client X": the client's own record and every record of theirs.
    client = forms.IntegerField(label=gettext_lazy("Client (id)"), required=False, min_value=1)

    def __init__(self, *args, viewer: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        office_ids = office_ids_for(viewer)
        users = User.objects.all()
        if office_ids is not ALL:
            users = users.filter(office_id__in=office_ids) | users.filter(
                partner__offices__in=office_ids
            )
        self.fields["user"].queryset = users.distinct().order_by("full_name")
        types = ContentType.objects.filter(
            id__in=AccessLog.objects.values("content_type").distinct()
        )
        self.fields["record_type"].choices = [("", "---------")] + [
            (str(ct.id), str(ct.model_class()._meta.verbose_name) if ct.model_class() else ct.model)
            for ct in types
        ]

    def clean_client(self):
        """The client, if the viewer may see them; the same answer for one that does not exist
        and one of another office."""
        pk = self.cleaned_data.get("client")
        if pk is None:
            return None
        client_model = apps.get_model("clients", "Client")
        client = client_model.objects.for_user(self.viewer).filter(pk=pk).first()
        if client is None:
            raise forms.ValidationError(_("No client with this id in your office."))
        return client


def _filtered_access_log(request):
    form = AccessLogFilterForm(request.GET or None, viewer=request.user)
    qs = AccessLog.objects.select_related("user", "content_type", "office")
    office_ids = office_ids_for(request.user)
    if office_ids is not ALL:
        qs = qs.filter(office_id__in=office_ids)
    if form.is_bound and not form.is_valid():
        # A filter that cannot be applied answers nothing rather than the whole log, which
        # would look like the answer to the question asked.
        return form, qs.none()
    if form.is_bound:
        data = form.cleaned_data
        tz = timezone.get_current_timezone()
        if data.get("start"):
            qs = qs.filter(at__gte=datetime.combine(data["start"], time.min, tzinfo=tz))
        if data.get("end"):
            qs = qs.filter(at__lte=datetime.combine(data["end"], time.max, tzinfo=tz))
        if data.get("user"):
            qs = qs.filter(user=data["user"])
        if data.get("record_type"):
            qs = qs.filter(content_type_id=data["record_type"])
        if data.get("record_id"):
            qs = qs.filter(object_id=data["record_id"].strip())
        if data.get("client"):
            qs = qs.filter(client_access_condition(data["client"]))
    return form, qs


@login_required
@capability_required("audit.view")
def access_log(request):
    form, qs = _filtered_access_log(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    client = form.cleaned_data.get("client") if form.is_bound and form.is_valid() else None
    return render(request, "bapas/audit/access_log.html",
                  {"form": form, "page": page, "client": client})


@login_required
@capability_required("audit.view")
def access_log_csv(request):
    _form, qs = _filtered_access_log(request)
    log_access(request, None, AccessLog.Action.EXPORT, label=_("access log"),
               office_id=request.user.office_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="access-log.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow([_("time"), _("user"), _("email"), _("action"), _("record type"),
                     _("record id"), _("record"), _("address"), _("IP address")])
    for row in qs.iterator(chunk_size=2000):
        writer.writerow([
            timezone.localtime(row.at).isoformat(timespec="seconds"),
            _safe(row.user.full_name if row.user else ""),
            _safe(row.user.email if row.user else ""),
            row.get_action_display(),
            row.content_type.model if row.content_type else "",
            row.object_id,
            _safe(row.object_label),
            _safe(row.path),
            row.ip_address or "",
        ])
    return response


def _safe(value: str) -> str:
    """Defuse spreadsheet formula injection in exported cells."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
