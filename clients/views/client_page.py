"""The client page: identity, orders, timeline, case notes and documents; photo and downloads."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bapas.audit import log_access
from bapas.models import AccessLog, ClientMessageConsent, Role
from bapas.notifications.models import ConsentMethod
from bapas.notifications.services import consent_record, consent_withdraw
from bapas.roles import can
from bapas.scoping import get_scoped_or_404
from bapas.widgets import PlainSelect

from ..forms.casework import CaseNoteForm, DocumentForm
from ..models import CaseNote, Client, ClientDocument, SupervisionOrder
from ..selectors import consecutive_missed
from ..services.clients import case_note_add, document_upload
from ..timeline import timeline_window
from ..timeline_sources import CATEGORY_LABELS, ORDER_RELATIONS, STATUS_BADGES, optional_url

TIMELINE_PAGE_SIZE = 25
TABS = ("timeline", "notes", "documents")
STAGE_BADGES = {"awal": "badge-stage-early", "lanjutan": "badge-stage-middle",
                "akhir": "badge-stage-late"}


def _visible_client(request, client_pk: int) -> Client:
    return get_scoped_or_404(
        Client.objects.for_user(request.user).select_related(
            "office", "province", "regency", "district", "village"
        ),
        pk=client_pk,
    )


def _editable_client(request, client_pk: int) -> Client:
    """A client whose file the user may change. A covering PK gets a 404, as for any stranger."""
    return get_scoped_or_404(
        Client.objects.editable_by(request.user).select_related("office"), pk=client_pk
    )


def _shown_categories(request) -> set[str] | None:
    """?show=contact,note (or ?show=contact&show=note); None shows everything."""
    values = [part for value in request.GET.getlist("show") for part in value.split(",")]
    chosen = {value.strip() for value in values if value.strip()}
    return chosen or None


def _order_rows(client: Client, orders: list[SupervisionOrder], user, editable: bool):
    missed = consecutive_missed(order.pk for order in orders)
    rows = []
    for order in orders:
        mine = editable and (order.assigned_pk_id == user.pk or user.role != Role.PK)
        rows.append({
            "order": order,
            "missed": missed.get(order.pk, 0),
            "status_class": STATUS_BADGES.get(order.status, "text-bg-secondary"),
            "stage_class": STAGE_BADGES.get(order.stage, "text-bg-secondary"),
            "url": optional_url("clients:order_detail", client.pk, order.pk),
            "plan_url": (
                optional_url("clients:contact_plan", order.pk)
                if mine and order.is_active and can(user, "clients.casework") else ""
            ),
        })
    return rows


def _timeline_page(request, client: Client, user, shown: set[str] | None):
    """The page of the timeline asked for, building entries only up to that page."""
    try:
        number = max(1, int(request.GET.get("page", 1)))
    except (TypeError, ValueError):
        number = 1
    window = timeline_window(client, user, limit=number * TIMELINE_PAGE_SIZE, categories=shown)
    paginator = Paginator(window, TIMELINE_PAGE_SIZE)
    if number > paginator.num_pages:  # past the end: the last page, as Paginator.get_page does
        number = paginator.num_pages
        window = timeline_window(client, user, limit=number * TIMELINE_PAGE_SIZE,
                                 categories=shown)
        paginator = Paginator(window, TIMELINE_PAGE_SIZE)
    return paginator.page(number), window.present


def _timeline_rows(entries) -> list[dict]:
    """What _timeline.html shows of each entry, with its date formatted here as the ``date``
    filter would (local time, the language's short format), each distinct value once."""
    formats = {True: get_format("SHORT_DATE_FORMAT"), False: get_format("SHORT_DATETIME_FORMAT")}
    seen: dict = {}
    rows = []
    for entry in entries:
        extra = entry.extra
        key = (entry.at, bool(extra.get("date_only")))
        when = seen.get(key)
        if when is None:
            when = seen[key] = dateformat.format(timezone.template_localtime(entry.at),
                                                 formats[key[1]])
        rows.append({
            "icon": entry.icon, "url": entry.url, "title": entry.title, "badge": entry.badge,
            "badge_class": entry.badge_class, "when": when, "detail": entry.detail,
            "officer": extra.get("officer", ""), "program": extra.get("program", ""),
        })
    return rows


def _editable(user, orders: list[SupervisionOrder]) -> bool:
    """``Client.objects.editable_by(user)`` for a client the user sees through ``for_user``,
    from the client's orders the user sees (for a PK: all those assigned to or covered by them).
    """
    if user.role != Role.PK:
        return True
    return any(order.assigned_pk_id == user.pk for order in orders)


def _note_form(user, client: Client, orders: list[SupervisionOrder]) -> CaseNoteForm:
    """A blank case-note form whose order choices come from the orders already read."""
    form = CaseNoteForm(orders=SupervisionOrder.objects.for_user(user).filter(client=client))
    field = form.fields["order"]
    field.choices = [("", field.empty_label)] + [
        (order.pk, field.label_from_instance(order)) for order in orders
    ]
    return form


PANE_TEMPLATES = {"timeline": "clients/detail/_timeline.html",
                  "notes": "clients/detail/_notes.html",
                  "documents": "clients/detail/_documents.html"}


def _render_page(request, client: Client, *, note_form=None, document_form=None, tab=None):
    """The client page with its active tab (``?tab=``, the timeline by default) built and
    rendered; the other tabs load when opened (htmx asks for ``?tab=`` and gets the pane alone).
    """
    user = request.user
    sees_notes = can(user, "clients.case_notes")
    tab = tab or request.GET.get("tab")
    if tab not in TABS or (tab == "notes" and not sees_notes):
        tab = "timeline"
    orders = list(
        SupervisionOrder.objects.for_user(user).filter(client=client)
        .select_related("assigned_pk", "cover_pk")
        .annotate(**{f"has_{name}": Exists(model.objects.filter(order=OuterRef("pk")))
                     for name, model in ORDER_RELATIONS.items()})
    )
    # The timeline's status, warning and revocation sources filter on these orders' ids, and
    # read nothing when no order has such rows (most clients: an active order, no breach).
    client._visible_orders = (user.pk, tuple(order.pk for order in orders), {
        name: {order.pk for order in orders if getattr(order, f"has_{name}")}
        for name in ORDER_RELATIONS
    })
    editable = _editable(user, orders)
    can_edit = editable and can(user, "clients.register")
    # Notes and documents are read once, for the timeline and for their tabs (and counts).
    related = [Prefetch("documents", queryset=ClientDocument.objects.select_related("uploaded_by"))]
    if sees_notes or user.role == Role.PARTNER:
        related.append(Prefetch("notes", queryset=CaseNote.objects.select_related("author",
                                                                                  "order")))
    prefetch_related_objects([client], *related)

    context = {
        "client": client,
        "tab": tab,
        "sees_notes": sees_notes,
        "notes": list(client.notes.all()) if sees_notes else [],
        "documents": list(client.documents.all()),
        "can_edit": can_edit,
        "can_add_notes": sees_notes and editable,
        "can_upload": can_edit,
    }
    if tab == "timeline":
        shown = _shown_categories(request)
        timeline_page, present = _timeline_page(request, client, user, shown)
        categories = [
            {"key": key, "label": label, "active": shown is None or key in shown}
            for key, label in CATEGORY_LABELS.items() if key in present
        ]
        categories += [  # categories of apps that did not give a label
            {"key": key, "label": key.title(), "active": shown is None or key in shown}
            for key in sorted(present - set(CATEGORY_LABELS))
        ]
        context.update({
            "timeline_page": timeline_page,
            "timeline_rows": _timeline_rows(timeline_page.object_list),
            "categories": categories,
            "shown": ",".join(sorted(shown)) if shown else "",
        })
    elif tab == "notes":
        context["note_form"] = note_form or (_note_form(user, client, orders)
                                             if sees_notes and editable else None)
    else:
        context["document_form"] = document_form or (DocumentForm() if can_edit else None)
    log_access(request, client)
    if request.htmx and "tab" in request.GET:  # a tab opened on the page: its pane alone
        return render(request, PANE_TEMPLATES[tab], context)

    context.update({
        "orders": _order_rows(client, orders, user, editable),
        "active_order_count": sum(1 for order in orders if order.is_active),
        "consents": list(client.message_consents.current()),
        "consent_form": ConsentForm(client=client) if editable and (
            client.phone or client.whatsapp) else None,
        "order_create_url": (
            optional_url("clients:order_create", client.pk) if can_edit else ""
        ),
        # The progress report, guidance card and contract (the reports app), as on the order page.
        "papers_url": (
            optional_url("reports:progress", client.pk)
            if orders and editable and (can(user, "clients.casework")
                                        or can(user, "clients.register")) else ""
        ),
    })
    return render(request, "clients/detail/page.html", context)


@login_required
@never_cache
def client_detail(request, client_pk: int):
    return _render_page(request, _visible_client(request, client_pk))


@login_required
@never_cache
def client_photo(request, client_pk: int):
    client = _visible_client(request, client_pk)
    if not client.photo:
        raise Http404
    try:
        handle = client.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    log_access(request, client, label=f"{client} · {_('photo')}")
    content_type = mimetypes.guess_type(client.photo.name)[0] or "application/octet-stream"
    return FileResponse(handle, content_type=content_type)


@login_required
@never_cache
def document_download(request, client_pk: int, doc_pk: int):
    client = _visible_client(request, client_pk)
    document = get_scoped_or_404(ClientDocument.objects.filter(client=client), pk=doc_pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    log_access(
        request, document, AccessLog.Action.DOWNLOAD, office_id=client.office_id,
        label=f"{client.full_name} · {document.title}",
    )
    extension = Path(document.file.name).suffix.lower()
    filename = f"{slugify(document.title)[:80] or 'dokumen'}{extension}"
    return FileResponse(
        handle, as_attachment=True, filename=filename,
        content_type=document.content_type or "application/octet-stream",
    )


@login_required
@require_POST
@never_cache
def note_add(request, client_pk: int):
    client = _editable_client(request, client_pk)
    if not can(request.user, "clients.case_notes"):
        raise PermissionDenied
    orders = SupervisionOrder.objects.for_user(request.user).filter(client=client)
    form = CaseNoteForm(request.POST, orders=orders)
    if form.is_valid():
        try:
            case_note_add(client=client, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The case note has been added."))
            return redirect(f"{reverse('clients:detail', args=[client.pk])}?tab=notes")
    client = _visible_client(request, client_pk)
    return _render_page(request, client, note_form=form, tab="notes")


@login_required
@require_POST
@never_cache
def document_add(request, client_pk: int):
    client = _editable_client(request, client_pk)
    if not can(request.user, "clients.register"):
        raise PermissionDenied
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document_upload(client=client, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The document has been uploaded."))
            return redirect(f"{reverse('clients:detail', args=[client.pk])}?tab=documents")
    client = _visible_client(request, client_pk)
    return _render_page(request, client, document_form=form, tab="documents")


class ConsentForm(forms.Form):
    phone = forms.ChoiceField(label=_lazy("Number"), widget=PlainSelect)
    method = forms.ChoiceField(label=_lazy("How consent was given"),
                               choices=ConsentMethod.choices, widget=PlainSelect)

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        numbers = dict.fromkeys(n for n in (client.whatsapp, client.phone) if n)
        self.fields["phone"].choices = [(n, n) for n in numbers]
        for name in ("phone", "method"):
            self.fields[name].widget.attrs.update(
                {"class": "form-select form-select-sm", "id": f"id_consent_{name}"})


@login_required
@require_POST
@never_cache
def consent_add(request, client_pk: int):
    """Record the client's consent to reminders (WhatsApp/SMS) on a number they gave."""
    client = _editable_client(request, client_pk)
    if not can(request.user, "clients.casework") and not can(request.user, "clients.register"):
        raise PermissionDenied
    form = ConsentForm(request.POST, client=client)
    if form.is_valid():
        try:
            consent_record(client=client, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The client's consent to reminders has been recorded."))
    else:
        messages.error(request, _("Choose one of the client's numbers and how consent was given."))
    return redirect("clients:detail", client_pk=client.pk)


@login_required
@require_POST
@never_cache
def consent_withdraw_view(request, client_pk: int, consent_pk: int):
    client = _editable_client(request, client_pk)
    if not can(request.user, "clients.casework") and not can(request.user, "clients.register"):
        raise PermissionDenied  # as for recording consent
    consent = get_scoped_or_404(ClientMessageConsent.objects.filter(client=client),
                                pk=consent_pk)
    consent_withdraw(consent=consent, by=request.user)
    messages.success(request, _("Consent withdrawn: the client will get no more reminders on "
                                "that number."))
    return redirect("clients:detail", client_pk=client.pk)


urlpatterns = [
    path("<int:client_pk>/", client_detail, name="detail"),
    path("<int:client_pk>/consent/", consent_add, name="consent_add"),
    path("<int:client_pk>/consent/<int:consent_pk>/withdraw/", consent_withdraw_view,
         name="consent_withdraw"),
    path("<int:client_pk>/photo/", client_photo, name="photo"),
    path("<int:client_pk>/notes/", note_add, name="note_add"),
    path("<int:client_pk>/documents/", document_add, name="document_add"),
    path("<int:client_pk>/documents/<int:doc_pk>/", document_download, name="document"),
]
