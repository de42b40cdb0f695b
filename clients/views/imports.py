"""Import pages: the template, the upload, the preview with its verdict per row, the confirmation,
the progress of a background import, and the list of earlier imports.

The page functions are shared by every kind of import (``ImportPages`` says which); this module
wires them for clients, ``partners.views_io`` for partners. Who may import: operators,
supervisors and heads (``clients.register``; a PK registers single clients, not whole
caseloads), for their own office only. Another office's import answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from bapas.audit import log_access
from bapas.exports import Column, check_format, export_response
from bapas.models import AccessLog, ImportBatch, ImportRow, Office, Role
from bapas.roles import can
from bapas.scoping import get_scoped_or_404

from ..imports.clients import ClientImporter
from ..imports.clients_spec import SHEET_HELP, client_sheets, office_client_sheets
from ..imports.engine import (
    Importer,
    import_confirm,
    import_refresh,
    import_reopen,
    import_upload,
)
from ..imports.reader import MAX_BYTES, MAX_ROWS
from ..imports.template import build_template

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A queued import that no worker has started after this long is reported on the page.
WORKER_LATE_AFTER_SECONDS = 10 * 60


@dataclass(frozen=True)
class ImportPages:
    """What differs between the clients and the partners import pages."""

    kind: str
    namespace: str  # URL namespace: "clients" or "partners"
    capability: str
    importer: type[Importer]
    sheets: Callable[[], tuple]
    intro: Callable[[], str]
    title: str
    template_stem: str
    done_url: str  # where the imported records are listed
    forbidden_roles: frozenset = frozenset()
    # The downloadable template of one office (its own allowed values), if it differs.
    office_sheets: Callable[[Office | None], tuple] | None = None
    hidden_roles: frozenset = frozenset()  # these get 404 (partner staff: no hint)
    office_choice: bool = False  # administrators pick the office they import into

    def url(self, name: str, *args) -> str:
        return reverse(f"{self.namespace}:{name}", args=args)

    def batches(self, user) -> QuerySet[ImportBatch]:
        qs = ImportBatch.objects.filter(kind=self.kind)
        if user.is_admin and self.office_choice:
            return qs
        return qs.filter(office_id=user.office_id) if user.office_id else qs.none()


def import_view(view: Callable) -> Callable:
    """Login, the capability and the role rules of the ``ImportPages``; never cached."""

    @never_cache
    @login_required
    @wraps(view)
    def wrapped(request, *args, pages: ImportPages, **kwargs):
        user = request.user
        if user.role in pages.hidden_roles:
            raise Http404
        if not can(user, pages.capability) or user.role in pages.forbidden_roles:
            raise PermissionDenied
        if not user.office_id and not (pages.office_choice and user.is_admin):
            raise PermissionDenied
        return view(request, *args, pages=pages, **kwargs)

    return wrapped


def _batch(request, pages: ImportPages, batch_pk: int) -> ImportBatch:
    return get_scoped_or_404(
        pages.batches(request.user).select_related("office", "created_by", "confirmed_by"),
        pk=batch_pk,
    )


# --- Forms ------------------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled-in template (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={"required": gettext_lazy("Choose the file to import.")},
    )
    office = forms.ModelChoiceField(
        label=gettext_lazy("Office"), queryset=Office.objects.none(),
        help_text=gettext_lazy("The office whose records these are."),
    )

    def __init__(self, *args, office_choice: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if office_choice:
            self.fields["office"].queryset = Office.objects.filter(is_active=True)
        else:
            del self.fields["office"]


# --- Pages ------------------------------------------------------------------------------------


@import_view
def imports_list(request, *, pages: ImportPages):
    batches = pages.batches(request.user).select_related(
        "office", "created_by", "confirmed_by").order_by("-created_at", "-pk")
    page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "imports/list.html", {"page": page, "pages": pages})


@import_view
def template_download(request, *, pages: ImportPages):
    sheets = (pages.office_sheets(request.user.office) if pages.office_sheets
              else pages.sheets())
    content = build_template(sheets, intro=str(pages.intro()))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{pages.template_stem}.xlsx"'
    return response


@import_view
def upload(request, *, pages: ImportPages):
    user = request.user
    office_choice = pages.office_choice and user.is_admin
    bound = request.method == "POST"
    form = UploadForm(request.POST if bound else None, request.FILES if bound else None,
                      office_choice=office_choice)
    if request.method == "POST" and form.is_valid():
        office = form.cleaned_data["office"] if office_choice else user.office
        importer = pages.importer(office=office, by=user)
        try:
            batch = import_upload(importer=importer, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            return redirect(pages.url("import_preview", batch.pk))
    return render(request, "imports/upload.html", {
        "form": form, "pages": pages, "max_mb": MAX_BYTES // (1024 * 1024),
        "max_rows": f"{MAX_ROWS:,}".replace(",", "."),
    })


STATUS_TABS = [
    ("", gettext_lazy("All rows")),
    (ImportRow.Status.ERROR, gettext_lazy("Errors")),
    (ImportRow.Status.NEW, gettext_lazy("New")),
    (ImportRow.Status.MATCH, gettext_lazy("Matches")),
    (ImportRow.Status.EXISTS, gettext_lazy("Already there")),
    (ImportRow.Status.IMPORTED, gettext_lazy("Imported")),
]
STATUS_BADGES = {
    ImportRow.Status.NEW: "text-bg-success",
    ImportRow.Status.MATCH: "text-bg-primary",
    ImportRow.Status.EXISTS: "text-bg-secondary",
    ImportRow.Status.ERROR: "text-bg-danger",
    ImportRow.Status.IMPORTED: "text-bg-success",
}


def _tabs(request, batch: ImportBatch) -> tuple[list[dict], str, list[str], str]:
    counts: dict[str, int] = {}
    sheets: list[str] = []
    for sheet, status in batch.rows.order_by().values_list("sheet", "status"):
        counts[status] = counts.get(status, 0) + 1
        if sheet not in sheets:
            sheets.append(sheet)
    wanted = request.GET.get("status", "")
    if wanted not in dict(STATUS_TABS):
        wanted = ""
    tabs = [
        {"value": value, "label": label,
         "count": sum(counts.values()) if not value else counts.get(value, 0),
         "active": value == wanted}
        for value, label in STATUS_TABS
        if not value or counts.get(value)
    ]
    sheet = request.GET.get("sheet", "")
    return tabs, wanted, sheets, sheet if sheet in sheets else ""


@import_view
def preview(request, batch_pk: int, *, pages: ImportPages):
    batch = _batch(request, pages, batch_pk)
    tabs, status, sheets, sheet = _tabs(request, batch)
    rows = batch.rows.all()
    if status:
        rows = rows.filter(status=status)
    if sheet:
        rows = rows.filter(sheet=sheet)
    rows = rows.order_by("pk")  # stored in file order, sheet by sheet
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        row.badge = STATUS_BADGES.get(row.status, "text-bg-secondary")
        row.problems = [(column, row.values.get(column, "") if column else "", message)
                        for column, messages_ in row.errors.items() for message in messages_]
    log_access(request, batch, AccessLog.Action.VIEW)
    waiting_since = (batch.confirmed_at if batch.status == ImportBatch.Status.QUEUED
                     else batch.created_at if batch.status == ImportBatch.Status.CHECKING
                     else None)
    late = waiting_since is not None and (
        (timezone.now() - waiting_since).total_seconds() > WORKER_LATE_AFTER_SECONDS)
    return render(request, "imports/preview.html", {
        "batch": batch, "pages": pages, "page": page, "tabs": tabs, "status": status,
        "sheets": sheets if len(sheets) > 1 else [], "sheet": sheet,
        "signature": batch.error_report.get("signature", ""),
        "notes": batch.error_report.get("notes", []),
        "failure": batch.error_report.get("failure", ""),
        "summary": summary_lines(batch),
        "worker_late": late,
        "can_confirm": batch.is_open and batch.importable_count > 0,
    })


@import_view
def progress(request, batch_pk: int, *, pages: ImportPages):
    """Polled by the preview page while an import runs; reloads the page when it ends."""
    batch = _batch(request, pages, batch_pk)
    if not batch.is_busy and request.htmx:
        return HttpResponseClientRefresh()
    return render(request, "imports/_progress.html", {"batch": batch, "pages": pages})


@import_view
@require_POST
def confirm(request, batch_pk: int, *, pages: ImportPages):
    batch = _batch(request, pages, batch_pk)
    try:
        batch = import_confirm(batch=batch, by=request.user,
                               signature=request.POST.get("signature", ""),
                               skip_errors=request.POST.get("skip_errors") == "1")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(pages.url("import_preview", batch.pk))
    if batch.status == ImportBatch.Status.DONE:
        messages.success(request, _summary_message(batch))
    elif batch.status == ImportBatch.Status.FAILED:
        messages.error(request, batch.error_report.get("failure", _("The import failed.")))
    else:
        messages.info(request, _("The import runs in the background. This page shows its "
                                 "progress; you may leave it and come back later."))
    return redirect(pages.url("import_preview", batch.pk))


SUMMARY_LABELS = {
    "clients": gettext_lazy("new clients"),
    "orders": gettext_lazy("orders"),
    "contacts": gettext_lazy("contacts"),
    "partners": gettext_lazy("new partners"),
    "agreements": gettext_lazy("agreements"),
    "contact_people": gettext_lazy("contact people"),
}


def summary_lines(batch: ImportBatch) -> list[tuple[str, int]]:
    summary = batch.error_report.get("summary", {})
    return [(str(SUMMARY_LABELS.get(key, key)), value) for key, value in summary.items()]


def _summary_message(batch: ImportBatch) -> str:
    parts = ", ".join(f"{label}: {value}" for label, value in summary_lines(batch))
    return _("Imported %(count)d rows (%(parts)s).") % {"count": batch.imported_count,
                                                        "parts": parts}


@import_view
@require_POST
def recheck(request, batch_pk: int, *, pages: ImportPages):
    """Judge the stored file again: after a failure, or when the register has changed."""
    batch = _batch(request, pages, batch_pk)
    try:
        if batch.status == ImportBatch.Status.FAILED:
            import_reopen(batch, request.user)
        elif batch.is_open:
            import_refresh(batch, pages.importer(office=batch.office, by=request.user))
        else:
            raise ValidationError(_("This import is finished; upload the file again to import "
                                    "more rows."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.info(request, _("The file was checked again."))
    return redirect(pages.url("import_preview", batch.pk))


@import_view
def original_file(request, batch_pk: int, *, pages: ImportPages):
    batch = _batch(request, pages, batch_pk)
    try:
        handle = batch.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    log_access(request, batch, AccessLog.Action.DOWNLOAD)
    response = FileResponse(handle, as_attachment=True, filename=batch.original_name,
                            content_type="application/octet-stream")
    response["Cache-Control"] = "no-store, private"
    return response


@import_view
def report(request, batch_pk: int, fmt: str, *, pages: ImportPages):
    """Every row with its verdict and problems, to fix the original file with."""
    check_format(fmt)
    batch = _batch(request, pages, batch_pk)
    rows = batch.rows.order_by("pk")
    if request.GET.get("status") in ImportRow.Status.values:
        rows = rows.filter(status=request.GET["status"])

    def problems(row: ImportRow) -> str:
        return "; ".join(f"{column}: {message}" if column else message
                         for column, messages_ in row.errors.items() for message in messages_)

    columns = [
        Column(_("Sheet"), "sheet"),
        Column(_("Row"), "number"),
        Column(_("Verdict"), "get_status_display"),
        Column(_("Summary"), "summary"),
        Column(_("Problems"), problems),
        Column(_("Warnings"), lambda row: "; ".join(row.warnings)),
        Column(_("Record"), "target"),
    ]
    return export_response(
        rows, columns, f"import-{batch.pk}", fmt, request=request,
        label=_("Import report %(file)s") % {"file": batch.original_name},
        office_id=batch.office_id,
    )


# --- Clients ----------------------------------------------------------------------------------

CLIENT_PAGES = ImportPages(
    kind=ImportBatch.Kind.CLIENTS,
    namespace="clients",
    capability="clients.register",
    importer=ClientImporter,
    sheets=client_sheets,
    office_sheets=office_client_sheets,
    intro=lambda: str(SHEET_HELP),
    title=gettext_lazy("Import clients"),
    template_stem="template-impor-klien",
    done_url="clients:caseload",
    forbidden_roles=frozenset({Role.PK}),
    hidden_roles=frozenset({Role.PARTNER}),
)


def _wired(view):
    return lambda request, *args, **kwargs: view(request, *args, pages=CLIENT_PAGES, **kwargs)


urlpatterns = [
    path("imports/", _wired(imports_list), name="imports"),
    path("imports/template.xlsx", _wired(template_download), name="import_template"),
    path("imports/upload/", _wired(upload), name="import_upload"),
    path("imports/<int:batch_pk>/", _wired(preview), name="import_preview"),
    path("imports/<int:batch_pk>/progress/", _wired(progress), name="import_progress"),
    path("imports/<int:batch_pk>/confirm/", _wired(confirm), name="import_confirm"),
    path("imports/<int:batch_pk>/recheck/", _wired(recheck), name="import_recheck"),
    path("imports/<int:batch_pk>/file/", _wired(original_file), name="import_file"),
    path("imports/<int:batch_pk>/report.<str:fmt>", _wired(report), name="import_report"),
]
