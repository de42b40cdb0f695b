"""Data-subject rights and retention under UU PDP (Law 27/2022).

- ``client_data_export``: everything the system holds about one client, as a ZIP with a
  machine-readable JSON file, a readable PDF and the client's files (photo, documents, visit
  photos, generated client documents). A supervisor hands it over when a client asks for a copy.
- ``clients_due_for_anonymisation`` / ``client_anonymise``: clients whose last order closed more
  than the retention period ago lose everything that identifies them (name, NIK, addresses,
  phones, guarantor, photo, documents, free texts) while the figures the statistics count stay
  (office, section, sex, birth year, regency, programs, dates, statuses, outcomes, referrals).

The client's records live in the feature apps; this module reaches them through
``django.apps`` (never an import at module level), so ``bapas`` keeps not depending on them.
The PDF is rendered by the reports app's ``render_pdf`` like every printable of the site.
"""

from __future__ import annotations

import contextlib
import json
import re
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import AccessLog, ImportBatch, ImportRow, User

ANONYMISED_NAME = "ANONIM"
NEUTRAL_TEXT = "[dianonimkan]"  # what replaces a free text; the documents are in Indonesian
EXPORT_FORMAT_VERSION = 1


def retention_years() -> int:
    return settings.RETENTION_YEARS


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


# --- what belongs to one client ------------------------------------------------------------

@dataclass
class ClientRecords:
    """The client's rows in every table that holds data about them."""

    client: Any
    orders: list = field(default_factory=list)
    status_changes: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    revocations: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    contact_photos: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    documents: list = field(default_factory=list)
    referrals: list = field(default_factory=list)
    referral_goals: list = field(default_factory=list)
    referral_events: list = field(default_factory=list)
    sessions: list = field(default_factory=list)
    service_reports: list = field(default_factory=list)
    meeting_links: list = field(default_factory=list)
    consents: list = field(default_factory=list)
    reports: list = field(default_factory=list)

    def ids(self) -> dict[str, list[int]]:
        """Model label → ids: every record whose access or history is about the client."""
        pairs = {
            "clients.client": [self.client],
            "clients.supervisionorder": self.orders,
            "clients.warningletter": self.warnings,
            "clients.revocationproposal": self.revocations,
            "clients.contact": self.contacts,
            "clients.contactphoto": self.contact_photos,
            "clients.casenote": self.notes,
            "clients.clientdocument": self.documents,
            "partners.referral": self.referrals,
            "partners.referralgoal": self.referral_goals,
            "partners.servicesession": self.sessions,
            "partners.servicereport": self.service_reports,
            "meetings.meetingclient": self.meeting_links,
            "bapas.clientmessageconsent": self.consents,
            "reports.generatedreport": self.reports,
        }
        return {label: [obj.pk for obj in objs] for label, objs in pairs.items() if objs}


def client_records(client) -> ClientRecords:
    records = ClientRecords(client=client)
    order_model = _model("clients.SupervisionOrder")
    records.orders = list(order_model.objects.filter(client=client)
                          .select_related("assigned_pk", "cover_pk").order_by("supervision_start"))
    orders = [o.pk for o in records.orders]
    records.status_changes = list(_model("clients.OrderStatusChange").objects.filter(
        order_id__in=orders).select_related("changed_by").order_by("changed_at", "id"))
    records.warnings = list(_model("clients.WarningLetter").objects.filter(
        order_id__in=orders).select_related("issued_by").order_by("issued_on", "id"))
    records.revocations = list(_model("clients.RevocationProposal").objects.filter(
        order_id__in=orders).select_related("proposed_by", "decided_by").order_by("proposed_at"))
    records.contacts = list(_model("clients.Contact").objects.filter(order_id__in=orders)
                            .select_related("officer").order_by("planned_at", "id"))
    records.contact_photos = list(_model("clients.ContactPhoto").objects.filter(
        contact_id__in=[c.pk for c in records.contacts]).order_by("uploaded_at", "id"))
    records.notes = list(_model("clients.CaseNote").objects.filter(client=client)
                         .select_related("author").order_by("created_at", "id"))
    records.documents = list(_model("clients.ClientDocument").objects.filter(client=client)
                             .select_related("uploaded_by").order_by("document_date", "id"))
    records.referrals = list(_model("partners.Referral").objects.filter(order_id__in=orders)
                             .select_related("partner", "service").order_by("created_at", "id"))
    referrals = [r.pk for r in records.referrals]
    records.referral_goals = list(_model("partners.ReferralGoal").objects.filter(
        referral_id__in=referrals).order_by("referral_id", "position", "id"))
    records.referral_events = list(_model("partners.ReferralEvent").objects.filter(
        referral_id__in=referrals).select_related("by").order_by("at", "id"))
    records.sessions = list(_model("partners.ServiceSession").objects.filter(
        referral_id__in=referrals).select_related("logged_by").order_by("date", "id"))
    records.service_reports = list(_model("partners.ServiceReport").objects.filter(
        referral_id__in=referrals).select_related("submitted_by"))
    records.meeting_links = list(_model("meetings.MeetingClient").objects.filter(client=client)
                                 .select_related("meeting").order_by("meeting__starts_at"))
    records.consents = list(_model("bapas.ClientMessageConsent").objects.filter(client=client)
                            .order_by("given_at", "id"))
    records.reports = list(_model("reports.GeneratedReport").objects.filter(client=client)
                           .order_by("requested_at", "id"))
    return records


def client_access_condition(client, records: ClientRecords | None = None) -> Q:
    """The access-log filter that matches every row about the client: their record and every
    record of theirs (orders, contacts, visit photos, documents, referrals, generated
    documents). The audit page combines it with its other filters."""
    records = records or client_records(client)
    condition = Q()
    for label, ids in records.ids().items():
        content_type = ContentType.objects.get_for_model(_model(label))
        condition |= Q(content_type=content_type, object_id__in=[str(i) for i in ids])
    return condition


def client_access_log(client, records: ClientRecords | None = None):
    """Every access-log row about the client (see ``client_access_condition``)."""
    return AccessLog.objects.filter(client_access_condition(client, records)).select_related(
        "user", "content_type")


# --- export --------------------------------------------------------------------------------

def _display(obj: models.Model, field_obj: models.Field) -> Any:
    value = getattr(obj, field_obj.attname)
    if field_obj.choices and value not in (None, ""):
        return str(getattr(obj, f"get_{field_obj.name}_display")())
    if isinstance(field_obj, models.ForeignKey):
        related = getattr(obj, field_obj.name)
        return str(related) if related is not None else None
    if isinstance(field_obj, models.FileField):
        return value.name if value else ""
    return value


def _record(obj: models.Model, exclude: Iterable[str] = ()) -> list[tuple[str, str, Any]]:
    """(field name, label, value) of every concrete field, choices and relations readable."""
    skipped = {"search_name", *exclude}
    return [
        (f.name, str(f.verbose_name), _display(obj, f))
        for f in obj._meta.concrete_fields
        if f.name not in skipped and not f.name.startswith("_")
    ]


@dataclass
class Section:
    key: str
    title: str
    items: list[list[tuple[str, str, Any]]]


def _sections(records: ClientRecords, access_rows: list[AccessLog]) -> list[Section]:
    def rows(objs, exclude=()):
        return [_record(obj, exclude) for obj in objs]

    return [
        Section("identity", _("Identity"), rows([records.client])),
        Section("orders", _("Supervision orders"), rows(records.orders)),
        Section("status_changes", _("Status changes"), rows(records.status_changes)),
        Section("warnings", _("Warning letters"), rows(records.warnings)),
        Section("revocations", _("Revocation proposals"), rows(records.revocations)),
        Section("contacts", _("Contacts and visits"), rows(records.contacts)),
        Section("contact_photos", _("Visit photos"), rows(records.contact_photos)),
        Section("case_notes", _("Case notes"), rows(records.notes)),
        Section("documents", _("Documents"), rows(records.documents)),
        Section("referrals", _("Referrals to partners"), rows(records.referrals)),
        Section("referral_goals", _("Referral goals"), rows(records.referral_goals)),
        Section("referral_events", _("Referral status changes"), rows(records.referral_events)),
        Section("service_sessions", _("Service sessions"), rows(records.sessions)),
        Section("service_reports", _("End-of-service reports"), rows(records.service_reports)),
        Section("meetings", _("Meetings where the client was discussed"),
                rows(records.meeting_links)),
        Section("message_consents", _("Consents to reminders"), rows(records.consents)),
        Section("generated_documents", _("Generated documents"),
                rows(records.reports, exclude=("verification_code", "parameters", "error"))),
        # Who, what and when; the staff's own network details stay out of the client's copy.
        Section("access_log", _("Who accessed the client's data"),
                rows(access_rows, exclude=("user_agent", "content_type", "ip_address",
                                           "path"))),
    ]


def _files(records: ClientRecords) -> list[tuple[str, Any]]:
    """(name inside the ZIP, FieldFile) of every stored file about the client."""
    found = []
    client = records.client
    if client.photo:
        found.append((f"files/photo{PurePosixPath(client.photo.name).suffix}", client.photo))
    for doc in records.documents:
        found.append((f"files/documents/{doc.pk}-{PurePosixPath(doc.file.name).name}", doc.file))
    for photo in records.contact_photos:
        found.append((f"files/visit-photos/{photo.pk}-{PurePosixPath(photo.image.name).name}",
                      photo.image))
    for report in records.reports:
        if report.file:
            found.append((f"files/generated/{report.pk}-{PurePosixPath(report.file.name).name}",
                          report.file))
    return found


def _pdf_text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _pdf_sections(sections: list[Section]) -> list[dict]:
    return [{"title": s.title,
             "items": [[(label, _pdf_text(value)) for _name, label, value in item]
                       for item in s.items]}
            for s in sections]


@dataclass
class ClientExport:
    filename: str
    file: IO[bytes]
    missing_files: list[str]


def client_data_export(*, client, by: User, request=None) -> ClientExport:
    """The ZIP of everything held about ``client``: data.json, a PDF of the same, and files.

    Files that are referenced but missing from storage are listed in the JSON (and returned)
    rather than failing the whole export.
    """
    from reports.pdf import render_pdf  # the one PDF service of the site

    records = client_records(client)
    access_rows = list(client_access_log(client, records).order_by("at", "id"))
    # Labels and choices in the site's language, like every printed document.
    with translation.override(settings.LANGUAGE_CODE):
        sections = _sections(records, access_rows)
        printable = _pdf_sections(sections)
    now = timezone.now()
    files = _files(records)
    missing = []
    spool = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)  # noqa: SIM115 (the caller streams and closes it)
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, field_file in files:
            try:
                with field_file.open("rb") as handle:
                    archive.writestr(name, handle.read())
            except (FileNotFoundError, OSError):
                missing.append(name)
        payload = {
            "format": "bapas-client-export",
            "version": EXPORT_FORMAT_VERSION,
            "exported_at": now,
            "exported_by": by.email,
            "office": client.office.name,
            "files": [name for name, _file in files if name not in missing],
            "missing_files": missing,
            **{s.key: [{name: value for name, _label, value in item} for item in s.items]
               for s in sections},
        }
        archive.writestr("data.json", json.dumps(payload, cls=DjangoJSONEncoder, indent=2,
                                                 ensure_ascii=False))
        pdf = render_pdf(
            "bapas/privacy/export_pdf.html",
            {"client": client, "sections": printable, "exported_at": now, "exported_by": by,
             "files": [name for name, _file in files if name not in missing]},
            office=client.office, request=request, confidential=True,
            title=_("Personal data held about the client"),
        )
        archive.writestr("data.pdf", pdf)
    spool.seek(0)
    stamp = timezone.localdate(now).isoformat()
    return ClientExport(filename=f"data-klien-{client.pk}-{stamp}.zip", file=spool,
                        missing_files=missing)


# --- retention -----------------------------------------------------------------------------

def retention_cutoff(years: int, today: date | None = None) -> date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def clients_due_for_anonymisation(*, years: int, today: date | None = None):
    """Clients with orders, none of them active, the last closed before the cutoff. A client
    without a closing date on an order counts from its supervision end."""
    client_model = _model("clients.Client")
    cutoff = retention_cutoff(years, today)
    return (
        client_model.objects.filter(orders__isnull=False)
        .exclude(orders__status="aktif")
        .exclude(full_name=ANONYMISED_NAME)
        .annotate(last_closed=Max(Coalesce("orders__status_changed_at",
                                           "orders__supervision_end")))
        .filter(last_closed__lt=cutoff)
        .order_by("pk")
    )


@dataclass
class AnonymisationCounts:
    clients: int = 0
    documents: int = 0
    photos: int = 0  # the client's photo and visit photos
    generated_documents: int = 0
    case_notes: int = 0
    import_rows: int = 0  # rows of uploaded spreadsheets that held the client's data
    meetings: int = 0  # meetings that discussed the client: their name goes from the texts
    history_rows: int = 0

    def add(self, other: AnonymisationCounts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def anonymisation_counts(client) -> AnonymisationCounts:
    records = client_records(client)
    return AnonymisationCounts(
        clients=1, documents=len(records.documents),
        photos=len(records.contact_photos) + (1 if client.photo else 0),
        generated_documents=len(records.reports), case_notes=len(records.notes),
        import_rows=client_import_rows(client).count(),
        meetings=len({link.meeting_id for link in records.meeting_links}),
    )


def client_import_rows(client):
    """The rows of uploaded client spreadsheets that held this client's cells: those that
    created or matched the client (their record label starts with the register number) and
    every row typed with the client's NIK, errors and duplicates included."""
    condition = Q(batch__office_id=client.office_id,
                  target__startswith=f"{client.register_number} · ")
    if client.nik:
        condition |= Q(values__NIK=client.nik)  # the heading of the NIK column of both sheets
    return models.QuerySet(model=ImportRow).filter(
        condition, batch__kind=ImportBatch.Kind.CLIENTS)


def _name_pattern(client) -> re.Pattern | None:
    """The client's name and aliases as written in free text: any case and spacing, whole
    words only. Names shorter than three letters would match ordinary words: left out."""
    names = [client.full_name, *re.split(r"[,;/\n]", client.aliases or "")]
    parts = {r"\s+".join(map(re.escape, name.split())) for name in names
             if len(name.strip()) >= 3}
    if not parts:
        return None
    alternatives = "|".join(sorted(parts, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


# Free texts of a meeting where the client's name may be written, by model: the field that
# leads to the meeting, and the text fields. Their history versions get the same treatment.
MEETING_TEXTS = {
    "meetings.Meeting": ("id", ("title", "minutes", "notes")),
    "meetings.Decision": ("meeting_id", ("text",)),
    "meetings.AgendaItem": ("meeting_id", ("title",)),
    "meetings.ActionItem": ("meeting_id", ("description", "completion_note")),
}


def _scrub_meeting_texts(records: ClientRecords) -> None:
    """Replace the client's name in the minutes, decisions, agenda and action items of the
    meetings that discussed them (the other clients and the decisions themselves stay)."""
    pattern = _name_pattern(records.client)
    meeting_ids = {link.meeting_id for link in records.meeting_links}
    if pattern is None or not meeting_ids:
        return
    for label, (path, names) in MEETING_TEXTS.items():
        model = _model(label)
        for target in (model, model.history.model):
            lengths = {name: target._meta.get_field(name).max_length for name in names}
            rows = models.QuerySet(model=target).filter(**{f"{path}__in": meeting_ids})
            for row in rows.only("pk", *names):
                changed = {}
                for name in names:
                    value = getattr(row, name) or ""
                    new = pattern.sub(NEUTRAL_TEXT, value)
                    if new != value:
                        changed[name] = new[:lengths[name]] if lengths[name] else new
                if changed:
                    models.QuerySet(model=target).filter(pk=row.pk).update(**changed)


def _update(objs: list, **values) -> None:
    """Overwrite fields without a history row (the history is purged afterwards). The base
    QuerySet bypasses append-only managers on purpose: anonymising is the one lawful change
    to those records (UU PDP: data past its retention is deleted or anonymised)."""
    if not objs:
        return
    model = type(objs[0])
    models.QuerySet(model=model).filter(pk__in=[o.pk for o in objs]).update(**values)


def _purge_history(ids: dict[str, list[int]]) -> int:
    """Delete the old versions (django-simple-history) of the client's records: they hold the
    personal data the anonymisation removes."""
    deleted = 0
    for label, pks in ids.items():
        model = _model(label)
        if not hasattr(model, "history"):
            continue
        historical = model.history.model
        deleted += historical._default_manager.filter(id__in=pks).delete()[0]
    return deleted


def client_anonymise(*, client, by: User | None = None) -> AnonymisationCounts:
    """Replace everything that identifies ``client``; keep what the statistics count.

    Files are deleted once the transaction commits, so a failure leaves them in place.
    """
    records = client_records(client)
    counts = anonymisation_counts(client)
    files = [field_file for _name, field_file in _files(records)]
    ids = records.ids()
    with transaction.atomic():
        _update(records.orders, decree_number="", court_decision_number="",
                special_conditions="")
        _update(records.status_changes, reason=NEUTRAL_TEXT, reference="")
        _update(records.warnings, number=NEUTRAL_TEXT, reason=NEUTRAL_TEXT)
        _update(records.revocations, reasons=NEUTRAL_TEXT, decision_reason="",
                decree_number="")
        _update(records.contacts, notes="", place="", remote_justification="",
                reschedule_reason="", cancel_reason="")
        _update(records.notes, text=NEUTRAL_TEXT)
        _update(records.referrals, note_for_partner="", closing_reason="")
        _update(records.referral_goals, description=NEUTRAL_TEXT, outcome_note="")
        _update(records.referral_events, reason="")
        _update(records.sessions, activity=NEUTRAL_TEXT, progress="")
        _update(records.service_reports, summary=NEUTRAL_TEXT, recommendation="")
        _update(records.meeting_links, note="")
        _scrub_meeting_texts(records)
        # The cells as typed in the spreadsheet; the row's verdict stays for the batch's counts.
        # The uploaded files those rows came from hold the same cells: they go too (once the
        # transaction commits); the batches' records and counts stay.
        batches = models.QuerySet(model=ImportBatch).filter(
            pk__in=set(client_import_rows(client).values_list("batch_id", flat=True)))
        for batch in batches.exclude(file=""):
            transaction.on_commit(partial(batch.file.storage.delete, batch.file.name))
        batches.update(file="")
        client_import_rows(client).update(values={}, errors={}, warnings=[],
                                          summary=NEUTRAL_TEXT, target="")
        _update([c for c in records.consents if c.withdrawn_at is None],
                withdrawn_at=timezone.now())
        _update(records.consents, phone="")
        _anonymise_notifications(records)
        for obj_list in (records.contact_photos, records.documents, records.reports):
            if obj_list:
                models.QuerySet(model=type(obj_list[0])).filter(
                    pk__in=[o.pk for o in obj_list]).delete()
        counts.history_rows = _purge_history(ids)
        client_model = type(client)
        birth_year = client.birth_date.year if client.birth_date else 1900
        models.QuerySet(model=client_model).filter(pk=client.pk).update(
            full_name=ANONYMISED_NAME, aliases="", search_name=ANONYMISED_NAME.lower(),
            nik=None, birth_place="", birth_date=date(birth_year, 1, 1), religion="",
            marital_status="", occupation="", address_street="", rt="", rw="",
            district=None, village=None, phone="", whatsapp="", photo="",
            guarantor_name="", guarantor_relationship="", guarantor_phone="",
            guarantor_address="",
        )
        # One history row records that (and by whom) the client was anonymised.
        client.refresh_from_db()
        client._history_user = by
        client._change_reason = "anonymised: retention period over"
        client.save()
        transaction.on_commit(lambda: _delete_files(files))
    return counts


def _anonymise_notifications(records: ClientRecords) -> None:
    """Reminders sent to the client carry their phone and name: delete them. Staff messages
    about the client's records keep their delivery facts but lose their text."""
    notification = _model("bapas.Notification")
    if records.consents:
        models.QuerySet(model=notification).filter(
            consent_id__in=[c.pk for c in records.consents]).delete()
    condition = Q()
    for label, pks in records.ids().items():
        content_type = ContentType.objects.get_for_model(_model(label))
        condition |= Q(content_type=content_type, object_id__in=pks)
    models.QuerySet(model=notification).filter(condition).update(
        subject=NEUTRAL_TEXT, body="", link="")


def _delete_files(files) -> None:
    for field_file in files:
        with contextlib.suppress(OSError):  # already gone: nothing left to protect
            field_file.storage.delete(field_file.name)


def anonymise_due_clients(*, years: int, dry_run: bool = False,
                          by: User | None = None) -> AnonymisationCounts:
    """Anonymise (or, in a dry run, count) every client past the retention period."""
    total = AnonymisationCounts()
    with translation.override(settings.LANGUAGE_CODE):
        for client in clients_due_for_anonymisation(years=years):
            if dry_run:
                total.add(anonymisation_counts(client))
            else:
                total.add(client_anonymise(client=client, by=by))
    return total


def is_anonymised(client) -> bool:
    return client.full_name == ANONYMISED_NAME
