"""Importing an office's existing caseload: clients with their orders, and past contacts.

Rows are judged with the same rules the registration and order forms use (the services'
validators), so what the preview accepts is what the commit can save. A client is matched by
NIK: the same NIK in the office with a similar name adds the order to that client (unless the
client already has an order with that decree number: then the row is already there); the same
NIK with another name, or in another office, is an error. The commit goes through
the registration service's validation and register numbers (see ``_register``) and
``order_create``, so numbers, child sections and history are what a hand registration writes.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from bapas.models import ImportBatch, ImportRow

from ..models import (
    VISIT_KINDS,
    Client,
    Contact,
    ContactKind,
    Outcome,
    Program,
    SupervisionOrder,
)
from ..nik import InvalidNik, nik_warnings
from ..nik import parse_nik as check_nik

# The services' own (private) validators, so the preview judges exactly as registration will.
from ..services.clients import IDENTITY_FIELDS, next_register_number
from ..services.clients import _apply as apply_identity
from ..services.clients import _similar_names as similar_names
from ..services.clients import _validate_identity as validate_identity
from ..services.orders import ORDER_FIELDS, assignable_pks, order_create
from ..services.orders import _validate_order as validate_order
from .clients_spec import EXAMPLE_NIK, client_sheets
from .engine import Importer, Judgement, ParsedRows, add_model_errors
from .values import short_date

S = ImportRow.Status
DEFAULT_CONTACT_TIME = time(9, 0)
CLIENT_SHEET, CONTACT_SHEET = "Klien", "Kontak"


def order_key(decree_number: str, court_decision_number: str = "") -> str:
    """How an order is recognised again: its decree number, else its court decision number."""
    decree = re.sub(r"\s+", "", decree_number or "").lower()
    if decree:
        return f"sk:{decree}"
    court = re.sub(r"\s+", "", court_decision_number or "").lower()
    return f"putusan:{court}" if court else ""


def order_keys(order) -> set[str]:
    """Every key an existing order answers to (a row without a decree matches its court
    decision number)."""
    keys = set()
    if order.decree_number.strip():
        keys.add(order_key(order.decree_number))
    if order.court_decision_number.strip():
        keys.add(order_key("", order.court_decision_number))
    return keys


@dataclass
class Seen:
    """The first valid row of a NIK in the file: its client (saved or not) and order keys."""

    number: int
    name: str
    client: Client
    existing: bool
    keys: dict[str, int]  # order key -> row number


@dataclass
class OrderRef:
    start: Any
    end: Any
    label: str
    source: tuple  # ("file", (nik, key)) or ("db", order id)


class ClientImporter(Importer):
    kind = ImportBatch.Kind.CLIENTS
    capability = "clients.register"

    @property
    def sheets(self):
        return client_sheets()

    # --- Judging ------------------------------------------------------------------------------

    def is_example(self, sheet: str, parsed: dict) -> bool:
        return parsed.get("nik") == EXAMPLE_NIK

    def example_note(self, number: int) -> str:
        return (_("Row %(row)d is the template's example (NIK %(nik)s) and was skipped.")
                % {"row": number, "nik": EXAMPLE_NIK})

    def _columns(self) -> dict[str, str]:
        """Model field (or column) name -> the column heading its errors go next to."""
        columns = {column.name: column.heading for column in self.sheets[0].columns}
        columns["assigned_pk"] = columns["pk_email"]
        return columns

    def judge_main(self, rows: ParsedRows) -> dict[str, Seen]:
        """Judge the client (and order) rows; returns the first valid row of each NIK."""
        columns = self._columns()
        niks = {parsed["nik"] for _row, parsed in rows if parsed.get("nik")}
        registered = {c.nik: c for c in Client.objects.filter(nik__in=niks).select_related(
            "office")}
        own_ids = [c.pk for c in registered.values() if c.office_id == self.office.pk]
        existing_keys: dict[int, dict[str, str]] = defaultdict(dict)
        for order in SupervisionOrder.objects.filter(client_id__in=own_ids).only(
            "client_id", "decree_number", "court_decision_number", "program"
        ):
            for k in order_keys(order):
                existing_keys[order.client_id][k] = order.get_program_display()
        pks = {user.email.lower(): user for user in assignable_pks(self.office.pk)}
        seen: dict[str, Seen] = {}
        today = timezone.localdate()
        for row, parsed in rows:
            nik = parsed.get("nik") or ""
            name = parsed.get("full_name") or ""
            row.summary = name
            if nik:
                try:
                    check_nik(nik)
                except InvalidNik as exc:
                    row.error(columns["nik"], str(exc))
            email = parsed.get("pk_email") or ""
            pk_user = pks.get(email) if email else None
            if email and pk_user is None:
                row.error(columns["pk_email"],
                          _("No active PK of %(office)s has the email %(email)s.")
                          % {"office": self.office.name, "email": email})
            identity = {f: parsed.get(f) for f in IDENTITY_FIELDS if f in parsed}
            identity = {f: ("" if v is None and f not in {"birth_date"} else v)
                        for f, v in identity.items()}
            order_data = {f: parsed.get(f) for f in ORDER_FIELDS if f in parsed}
            order_data = {f: ("" if v is None and not f.endswith(("_date", "_start", "_end"))
                              else v) for f, v in order_data.items()}
            order_data["risk_level"] = order_data.get("risk_level") or "rendah"
            order_data["assigned_pk"] = pk_user
            key = order_key(order_data.get("decree_number", ""),
                            order_data.get("court_decision_number", ""))
            client, mode = self._client_for(row, parsed, nik, identity, registered, seen,
                                            columns)
            status = S.NEW if mode == "new" else S.MATCH
            if client is not None and key:
                earlier = seen[nik].keys.get(key) if nik in seen else None
                if mode == "existing" and key in existing_keys.get(client.pk, {}):
                    status = S.EXISTS
                    row.summary = _("%(name)s (%(number)s) already has the order %(order)s.") % {
                        "name": client.full_name, "number": client.register_number,
                        "order": self._order_label(order_data)}
                elif earlier is not None:
                    status = S.EXISTS
                    row.summary = _("The same order as row %(row)d.") % {"row": earlier}
            if client is not None and client.birth_date and status != S.EXISTS:
                order = SupervisionOrder(client=client, created_by=self.by)
                for field_name, value in order_data.items():
                    setattr(order, field_name, value)
                try:
                    validate_order(order, by=self.by)
                except ValidationError as exc:
                    add_model_errors(row, exc, columns)
            if row.ok and status != S.EXISTS:
                end = order_data.get("supervision_end")
                if end and end < today:
                    row.warnings.append(
                        _("Supervision ended on %(date)s: the order will be listed as needing "
                          "closing.") % {"date": short_date(end)})
                if mode == "new":
                    row.summary = _("New client %(name)s with the order %(order)s.") % {
                        "name": name, "order": self._order_label(order_data)}
                    row.warnings.extend(nik_warnings(nik, identity.get("birth_date"),
                                                     identity.get("sex")))
                elif mode == "existing":
                    row.summary = _("Adds the order %(order)s to %(name)s (%(number)s).") % {
                        "order": self._order_label(order_data), "name": client.full_name,
                        "number": client.register_number}
                else:
                    row.summary = _("Adds the order %(order)s to the client of row %(row)d.") % {
                        "order": self._order_label(order_data), "row": seen[nik].number}
            row.status = status
            row.payload = {"nik": nik, "key": key, "identity": identity, "order": order_data,
                           "client_pk": client.pk if mode == "existing" else None}
            if row.ok and client is not None:
                if nik not in seen:
                    seen[nik] = Seen(row.number, name, client, mode == "existing", {})
                seen[nik].keys.setdefault(key, row.number)
        return seen

    def _client_for(self, row, parsed, nik, identity, registered, seen, columns):
        """The client this row belongs to, and how: 'new', 'existing' or 'file' (an earlier
        row of this file). ``None`` when the row cannot be matched."""
        name = parsed.get("full_name") or ""
        known = registered.get(nik) if nik else None
        if known is not None and known.office_id != self.office.pk:
            row.error(columns["nik"], _(
                "A client with this NIK is registered at %(office)s. An office imports only its "
                "own clients: ask that office to transfer the client.")
                % {"office": known.office.name})
            return None, ""
        if known is not None:
            names = [known.full_name, *(a for a in known.aliases.split(",") if a.strip())]
            if name and not any(similar_names(name, other) for other in names):
                row.error(columns["nik"], _(
                    "This NIK is already registered for %(name)s (%(number)s), not for "
                    "%(typed)s. Check the NIK and the name.") % {
                    "name": known.full_name, "number": known.register_number, "typed": name})
                return None, ""
            birth_date = identity.get("birth_date")
            if birth_date and birth_date != known.birth_date:
                row.warnings.append(_(
                    "The register has %(registered)s as the date of birth, the file %(typed)s; "
                    "the register is kept.") % {"registered": short_date(known.birth_date),
                                                 "typed": short_date(birth_date)})
            return known, "existing"
        if nik in seen:
            first = seen[nik]
            if name and not similar_names(name, first.name):
                row.error(columns["nik"], _(
                    "Row %(row)d has this NIK for %(name)s. One NIK is one person: check the "
                    "NIK and the name.") % {"row": first.number, "name": first.name})
                return None, ""
            return first.client, "existing" if first.existing else "file"
        client = Client(office=self.office, created_by=self.by)
        try:
            apply_identity(client, {k: v for k, v in identity.items() if v is not None})
            validate_identity(client)
        except ValidationError as exc:
            add_model_errors(row, exc, columns)
        return client, "new"

    @staticmethod
    def _order_label(data: dict) -> str:
        label = Program(data["program"]).label if data.get("program") else "?"
        number = data.get("decree_number") or data.get("court_decision_number") or ""
        return f"{label} {number}".strip()

    def judge_second(self, rows: ParsedRows, client_rows: ParsedRows,
                     seen: dict[str, Seen]) -> None:
        """Judge the contact rows: each belongs to an order of the file or of the register."""
        columns = {column.name: column.heading for column in self.sheets[1].columns}
        now = timezone.now()
        today = timezone.localdate(now)
        refs: dict[str, dict[str, OrderRef]] = defaultdict(dict)
        broken: dict[str, int] = {}
        for row, parsed in client_rows:
            nik, payload = parsed.get("nik"), row.payload or {}
            if not nik:
                continue
            if row.status == S.ERROR or not row.ok:
                broken.setdefault(nik, row.number)
            elif row.status in {S.NEW, S.MATCH} and payload.get("key"):
                data = payload["order"]
                refs[nik][payload["key"]] = OrderRef(
                    data["supervision_start"], data["supervision_end"],
                    self._order_label(data), ("file", (nik, payload["key"])))
        niks = {parsed["nik"] for _row, parsed in rows if parsed.get("nik")}
        db_orders = list(SupervisionOrder.objects.filter(
            client__office=self.office, client__nik__in=niks).select_related("client"))
        for order in db_orders:
            for k in order_keys(order):
                refs[order.client.nik].setdefault(k, OrderRef(
                    order.supervision_start, order.supervision_end,
                    f"{order.get_program_display()} {order.decree_number}".strip(),
                    ("db", order.pk)))
        taken = set()
        for contact in Contact.objects.filter(
            order__in=db_orders, cancelled_at__isnull=True
        ).values("order_id", "kind", "planned_at"):
            taken.add((("db", contact["order_id"]), contact["kind"],
                       timezone.localdate(contact["planned_at"])))
        in_file: dict[tuple, int] = {}
        for row, parsed in rows:
            nik = parsed.get("nik") or ""
            decree = parsed.get("decree_number") or ""
            options = refs.get(nik, {})
            ref = None
            if nik and decree:
                ref = options.get(order_key(decree))
                if ref is None:
                    ref = self._missing_order(row, nik, broken, columns["decree_number"],
                                              _("No order with this Nomor SK was found for this "
                                                "NIK, neither in the sheet Klien nor in the "
                                                "register of your office."))
            elif nik:
                unique = {id(r): r for r in options.values()}
                if len(unique) == 1:
                    ref = next(iter(unique.values()))
                elif not unique:
                    ref = self._missing_order(row, nik, broken, columns["nik"], _(
                        "No client with this NIK was found, neither in the sheet Klien nor in "
                        "the register of your office."))
                else:
                    row.error(columns["decree_number"], _(
                        "This client has several orders: give the Nomor SK of the order this "
                        "contact belongs to."))
            day, kind, outcome = parsed.get("date"), parsed.get("kind"), parsed.get("outcome")
            at_time = parsed.get("time") or DEFAULT_CONTACT_TIME
            if day and day > today:
                row.error(columns["date"], _("Only past contacts can be imported; plan future "
                                             "contacts in the application."))
            elif day and ref is not None and not ref.start <= day <= ref.end:
                row.error(columns["date"], _(
                    "The date must fall within the supervision period of %(order)s "
                    "(%(start)s to %(end)s).") % {"order": ref.label,
                                                 "start": short_date(ref.start),
                                                 "end": short_date(ref.end)})
            place, notes = parsed.get("place") or "", parsed.get("notes") or ""
            if kind in VISIT_KINDS and outcome and outcome != Outcome.EXCUSED and not place:
                row.error(columns["place"], _("Write where the visit took place."))
            if kind == ContactKind.REMOTE_REPORT and not notes:
                row.error(columns["notes"], _("Write in Catatan why the client reported "
                                              "remotely."))
            planned_at = None
            if day:
                planned_at = timezone.make_aware(datetime.combine(day, at_time))
                if planned_at > now:
                    planned_at = now.replace(microsecond=0)
            status = S.NEW
            if row.ok and ref is not None:
                mark = (ref.source, kind, day)
                if mark in taken:
                    status = S.EXISTS
                    row.summary = _("Already recorded: %(kind)s on %(date)s.") % {
                        "kind": ContactKind(kind).label, "date": short_date(day)}
                elif mark in in_file:
                    status = S.EXISTS
                    row.summary = _("The same contact as row %(row)d.") % {"row": in_file[mark]}
                else:
                    in_file[mark] = row.number
                    row.summary = _("%(kind)s on %(date)s: %(outcome)s (%(order)s).") % {
                        "kind": ContactKind(kind).label, "date": short_date(day),
                        "outcome": Outcome(outcome).label, "order": ref.label}
            row.status = status
            row.payload = {"source": ref.source if ref else None, "kind": kind,
                           "planned_at": planned_at, "outcome": outcome, "place": place,
                           "notes": notes}

    @staticmethod
    def _missing_order(row, nik, broken, column, message) -> None:
        if nik in broken:
            row.error(column, _("Row %(row)d of the sheet Klien, with this client's order, has "
                                "errors: fix it first.") % {"row": broken[nik]})
        else:
            row.error(column, message)
        return None

    # --- Committing ---------------------------------------------------------------------------

    def _register_numbers(self):
        """The office's next register numbers of the year, from ``next_register_number``.

        ``client_register`` looks the number up again for every client, which scans the year's
        numbers each time (thousands of rows make that quadratic). The import runs in one
        transaction, so it asks once and counts on; a registration by hand in the same moment
        makes the unique constraint fail the import as a whole, which can be confirmed again.
        """
        first = next_register_number(self.office, timezone.localdate().year)
        prefix, _slash, number = first.rpartition("/")
        start = int(number)
        return (f"{prefix}/{value:04d}" for value in itertools.count(start))

    def _register(self, identity: dict, numbers) -> Client:
        """What ``client_register`` does, with the register number from ``numbers``."""
        client = Client(office=self.office, created_by=self.by)
        apply_identity(client, identity)
        validate_identity(client)
        client._history_user = self.by
        client._change_reason = "registered"
        client.register_number = next(numbers)
        client.save()
        return client

    def commit(self, judgement: Judgement, progress: Callable[[int, int], None]) -> dict:
        rows = judgement.importable
        existing = {c.pk: c for c in Client.objects.filter(
            pk__in=[r.payload["client_pk"] for r in rows
                    if r.sheet == CLIENT_SHEET and r.payload["client_pk"]],
            office=self.office)}
        db_order_ids = [r.payload["source"][1] for r in rows
                        if r.sheet == CONTACT_SHEET and r.payload["source"][0] == "db"]
        db_orders = {o.pk: o for o in SupervisionOrder.objects.filter(
            pk__in=db_order_ids, client__office=self.office).select_related("client")}
        clients: dict[str, Client] = {}
        orders: dict[tuple, SupervisionOrder] = {}
        contacts: list[Contact] = []
        created_clients = 0
        now = timezone.now()
        numbers = self._register_numbers()
        for index, row in enumerate(rows, start=1):
            payload = row.payload
            if row.sheet == CLIENT_SHEET:
                nik = payload["nik"]
                client = clients.get(nik)
                if client is None and payload["client_pk"]:
                    client = existing[payload["client_pk"]]
                elif client is None:
                    client = self._register(payload["identity"], numbers)
                    created_clients += 1
                clients[nik] = client
                order = order_create(client=client, data=payload["order"], by=self.by)
                orders[(nik, payload["key"])] = order
                row.target = f"{client.register_number} · {client.full_name}"
            else:
                kind, ref = payload["source"]
                order = orders[ref] if kind == "file" else db_orders[ref]
                contacts.append(Contact(
                    order=order, kind=payload["kind"], planned_at=payload["planned_at"],
                    happened_at=payload["planned_at"], officer=order.assigned_pk,
                    outcome=payload["outcome"], notes=payload["notes"], place=payload["place"],
                    remote_justification=(payload["notes"][:255]
                                          if payload["kind"] == ContactKind.REMOTE_REPORT
                                          else ""),
                    recorded_by=self.by, recorded_at=now, created_by=self.by,
                ))
                row.target = f"{order.client.register_number} · {order.client.full_name}"
            progress(index, len(rows))
        if contacts:
            bulk_create_with_history(contacts, Contact, default_user=self.by, batch_size=500)
        return {"clients": created_clients, "orders": len(orders), "contacts": len(contacts)}
