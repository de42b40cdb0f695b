"""The clients app's own timeline sources: contacts, status changes, case notes, documents,
warning letters and revocation proposals.

Each source runs a fixed number of queries (one, with its joins) however long the client's
history is, and reads only what the viewer may see: orders through ``for_user``, case notes
only with the case-notes capability.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Count, Window
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from bapas.models import Role
from bapas.roles import can

from .models import (
    CaseNote,
    ClientDocument,
    Contact,
    ContactKind,
    OrderStatus,
    OrderStatusChange,
    Outcome,
    Program,
    RevocationProposal,
    SupervisionOrder,
    WarningLetter,
)
from .timeline import SourcePage, TimelineEntry, register_source

# Filter keys and their labels, in the order the client page offers them. Other apps' categories
# (referrals, meetings) are listed so their filters read well once they register sources.
CATEGORY_LABELS = {
    "contact": _("Contacts and visits"),
    "note": _("Case notes"),
    "document": _("Documents"),
    "status": _("Status changes"),
    "breach": _("Warnings and revocation"),
    "referral": _("Referrals"),
    "meeting": _("Meetings"),
}

OUTCOME_BADGES = {
    Outcome.ATTENDED: "text-bg-success",
    Outcome.ATTENDED_NONCOMPLIANT: "text-bg-warning",
    Outcome.EXCUSED: "text-bg-info",
    Outcome.MISSED: "text-bg-danger",
}
STATUS_BADGES = {
    OrderStatus.ACTIVE: "text-bg-primary",
    OrderStatus.COMPLETED: "text-bg-success",
    OrderStatus.REVOKED: "text-bg-danger",
    OrderStatus.TRANSFERRED: "text-bg-secondary",
    OrderStatus.DECEASED: "text-bg-dark",
}
REVOCATION_BADGES = {
    RevocationProposal.Status.PENDING: "text-bg-warning",
    RevocationProposal.Status.APPROVED: "text-bg-danger",
    RevocationProposal.Status.REJECTED: "text-bg-success",
    RevocationProposal.Status.WITHDRAWN: "text-bg-secondary",
}
CONTACT_ICONS = {
    "wajib_lapor": "building-check",
    "lapor_daring": "camera-video",
    "kunjungan_rumah": "house-door",
    "kunjungan_kerja": "briefcase",
    "kunjungan_penjamin": "people",
    "telepon": "telephone",
    "video": "camera-video",
    "kelompok": "people-fill",
}

# What a contact's entry reads: the query sends and builds a third of the columns.
CONTACT_ROW = (
    "id", "kind", "planned_at", "outcome", "happened_at", "notes", "place", "reschedule_reason",
    "cancel_reason", "cancelled_at", "order__program", "officer__full_name",
)

_missing_urls: set[str] = set()


def optional_url(name: str, *args) -> str:
    """The URL of a page another part of the app provides, or "" while it does not exist."""
    if name in _missing_urls:
        return ""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        _missing_urls.add(name)
        return ""


_URL_IDS = (987654321, 987654322)  # stand-ins for the ids of a route's <int:…> arguments
_url_formats: dict[tuple[str, int], object] = {}


def url_maker(name: str, count: int = 1):
    """``f(*ids)``: ``optional_url(name, *ids)`` from one reverse() per route and process
    ("" when the route does not exist): a timeline builds the URL of every entry."""
    key = (name, count)
    maker = _url_formats.get(key)
    if maker is None:
        try:
            url = reverse(name, args=_URL_IDS[:count])
        except NoReverseMatch:
            return lambda *ids: ""
        parts = url.replace("{", "{{").replace("}", "}}")
        for stand_in in _URL_IDS[:count]:
            parts = parts.replace(str(stand_in), "{}")
        if parts.count("{}") != count:  # pragma: no cover - an unusual route
            return lambda *ids: reverse(name, args=ids)
        maker = _url_formats[key] = parts.format
    return maker


def at_start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def short_date_maker():
    """``f(value)``: ``value|date:"SHORT_DATE_FORMAT"`` as a template renders it (local
    time; "" for None), the format looked up once and each distinct value formatted once:
    lists format a date or two per row."""
    fmt = get_format("SHORT_DATE_FORMAT")
    seen: dict = {}

    def short_date(value) -> str:
        if value is None:
            return ""
        text = seen.get(value)
        if text is None:
            text = seen[value] = dateformat.format(timezone.template_localtime(value), fmt)
        return text

    return short_date


# The orders' relations whose timeline sources the client page can skip: it reads, with the
# orders, which of them have any row (see ``_orders``).
ORDER_RELATIONS = {"status_changes": OrderStatusChange, "warnings": WarningLetter,
                   "revocations": RevocationProposal}


def _orders(client, user, having: str | None = None):
    """The client's orders the user sees: their ids when the client page has read them for
    this user (a plain IN list: nothing to compile twice), else the query.

    ``having`` (one of ``ORDER_RELATIONS``): only the orders with rows of that relation, when
    the page has read which; an empty list then means the source has nothing to show and
    needs no query."""
    visible = getattr(client, "_visible_orders", None)
    if visible is not None and visible[0] == user.pk:
        ids, with_rows = visible[1], visible[2]
        if having in with_rows:
            return [pk for pk in ids if pk in with_rows[having]]
        return list(ids)
    return SupervisionOrder.objects.for_user(user).filter(client=client)


def _none_to_read(orders) -> bool:
    """True when ``_orders`` already knows there is nothing (a list, not a query, and empty)."""
    return isinstance(orders, list) and not orders


def choice_labels(choices) -> dict[str, str]:
    """``{value: label}`` of a ``TextChoices``, translated once into the active language: a
    timeline labels every entry, and ``get_<field>_display()`` rebuilds and translates the
    field's whole list of choices on each call."""
    return {value: str(name) for value, name in choices.choices}


def _user_name(user) -> str:
    return user.full_name if user is not None else ""


def contact_entries(client, user, limit: int | None = None) -> SourcePage:
    """The newest ``limit`` contacts (None: all) and how many there are, in one query.

    Read as named tuples (no model instances): the client page builds these on every view."""
    contacts = (
        Contact.objects.for_user(user)
        .filter(order__client=client)
        .order_by(Coalesce("happened_at", "planned_at").desc(), "-id")
    )
    if limit is None:
        rows = list(contacts.values_list(*CONTACT_ROW, named=True))
        total = len(rows)
    else:
        rows = list(contacts.annotate(total_rows=Window(Count("id")))
                    .values_list(*CONTACT_ROW, "total_rows", named=True)[:limit])
        total = rows[0].total_rows if rows else 0
    # The contact page is case work: others (operator, administrator) read the entry only.
    links = can(user, "clients.casework")
    return SourcePage(list(_contact_entries(rows, links=links)), total, "contact")


def _contact_entries(rows, *, links: bool = True):
    """Entries from ``CONTACT_ROW`` named tuples."""
    now = timezone.now()
    contact_url = url_maker("clients:contact_detail") if links else None
    kinds, programs = choice_labels(ContactKind), choice_labels(Program)
    outcomes = choice_labels(Outcome)
    for row in rows:
        if row.outcome:
            badge, badge_class = outcomes.get(row.outcome, row.outcome), OUTCOME_BADGES[row.outcome]
        elif row.cancelled_at:
            badge, badge_class = _("cancelled"), "text-bg-secondary"
        elif row.planned_at < now:
            badge, badge_class = _("outcome missing"), "text-bg-warning"
        else:
            badge, badge_class = _("planned"), "text-bg-light border"
        detail_parts = [row.notes, row.place, row.reschedule_reason, row.cancel_reason]
        yield TimelineEntry(
            at=row.happened_at or row.planned_at,
            category="contact",
            title=kinds.get(row.kind, row.kind),
            detail=" · ".join(part for part in detail_parts if part),
            url=contact_url(row.id) if links else "",
            icon=CONTACT_ICONS.get(row.kind, "person-check"),
            badge=str(badge),
            badge_class=badge_class,
            extra={"officer": row.officer__full_name or "",
                   "program": programs.get(row.order__program, row.order__program)},
        )

def status_entries(client, user):
    orders = _orders(client, user, having="status_changes")
    if _none_to_read(orders):
        return
    changes = OrderStatusChange.objects.filter(order__in=orders).select_related(
        "order", "changed_by"
    )
    for change in changes:
        yield TimelineEntry(
            at=at_start_of(change.effective_date),
            category="status",
            title=_("Status: %(from)s → %(to)s") % {
                "from": change.get_from_status_display(), "to": change.get_to_status_display()
            },
            detail=" · ".join(part for part in (change.reason, change.reference) if part),
            url=optional_url("clients:order_detail", client.pk, change.order_id),
            icon="flag",
            badge=change.get_to_status_display(),
            badge_class=STATUS_BADGES.get(change.to_status, "text-bg-secondary"),
            extra={"officer": _user_name(change.changed_by), "date_only": True,
                   "program": change.order.get_program_display()},
        )


def _prefetched(client, name: str):
    """``client.<name>.all()`` if the caller prefetched it (the client page), else None."""
    if name in getattr(client, "_prefetched_objects_cache", {}):
        return getattr(client, name).all()
    return None


def note_entries(client, user):
    notes = _prefetched(client, "notes")
    if notes is None:
        notes = CaseNote.objects.filter(client=client).select_related("author")
    if not can(user, "clients.case_notes"):
        if user.role != Role.PARTNER:
            return  # operators and administrators see no case notes at all
        # partner staff: only notes meant to be shared
        notes = [note for note in notes if not note.confidential]
    for note in notes:
        yield TimelineEntry(
            at=note.created_at,
            category="note",
            title=_("Case note"),
            detail=note.text,
            icon="journal-text",
            badge=str(_("confidential")) if note.confidential else "",
            badge_class="text-bg-dark",
            extra={"officer": _user_name(note.author)},
        )


def document_entries(client, user):
    if not can(user, "clients.view"):
        return  # decrees and court decisions carry the offence: office staff only
    documents = _prefetched(client, "documents")
    if documents is None:
        documents = ClientDocument.objects.filter(client=client).select_related("uploaded_by")
    document_url = url_maker("clients:document", 2)
    for document in documents:
        yield TimelineEntry(
            at=at_start_of(document.document_date),
            category="document",
            title=document.title,
            detail=document.get_kind_display(),
            url=document_url(client.pk, document.pk),
            icon="file-earmark-text",
            badge=document.get_kind_display(),
            badge_class="text-bg-light border",
            extra={"officer": _user_name(document.uploaded_by), "date_only": True},
        )


def warning_entries(client, user):
    orders = _orders(client, user, having="warnings")
    if _none_to_read(orders):
        return
    letters = WarningLetter.objects.filter(order__in=orders).select_related("order", "issued_by")
    for letter in letters:
        yield TimelineEntry(
            at=at_start_of(letter.issued_on),
            category="breach",
            title=_("Warning letter %(number)s") % {"number": letter.number},
            detail=letter.reason,
            url=optional_url("clients:order_detail", client.pk, letter.order_id),
            icon="exclamation-triangle",
            badge=letter.get_level_display(),
            badge_class="text-bg-warning",
            extra={"officer": _user_name(letter.issued_by), "date_only": True,
                   "program": letter.order.get_program_display()},
        )


def revocation_entries(client, user):
    orders = _orders(client, user, having="revocations")
    if _none_to_read(orders):
        return
    proposals = RevocationProposal.objects.filter(order__in=orders).select_related(
        "order", "proposed_by", "decided_by"
    )
    for proposal in proposals:
        url = optional_url("clients:order_detail", client.pk, proposal.order_id)
        program = proposal.order.get_program_display()
        yield TimelineEntry(
            at=proposal.proposed_at,
            category="breach",
            title=_("Revocation proposed"),
            detail=proposal.reasons,
            url=url,
            icon="x-octagon",
            badge=proposal.get_status_display(),
            badge_class=REVOCATION_BADGES.get(proposal.status, "text-bg-secondary"),
            extra={"officer": _user_name(proposal.proposed_by), "program": program},
        )
        if proposal.decided_at:
            titles = {
                RevocationProposal.Status.APPROVED: _("Revocation approved"),
                RevocationProposal.Status.REJECTED: _("Revocation rejected"),
                RevocationProposal.Status.WITHDRAWN: _("Revocation proposal withdrawn"),
            }
            detail = " · ".join(
                part for part in (proposal.decree_number, proposal.decision_reason) if part
            )
            yield TimelineEntry(
                at=proposal.decided_at,
                category="breach",
                title=titles.get(proposal.status, proposal.get_status_display()),
                detail=detail,
                url=url,
                icon="hammer",
                badge=proposal.get_status_display(),
                badge_class=REVOCATION_BADGES.get(proposal.status, "text-bg-secondary"),
                extra={"officer": _user_name(proposal.decided_by), "program": program},
            )


register_source("clients.contacts", contact_entries, paged=True)
register_source("clients.status_changes", status_entries)
register_source("clients.case_notes", note_entries)
register_source("clients.documents", document_entries)
register_source("clients.warnings", warning_entries)
register_source("clients.revocations", revocation_entries)
