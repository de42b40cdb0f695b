"""Writes about a client's identity and file: registration, edits, case notes, documents."""

from __future__ import annotations

import mimetypes
import re
import uuid
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from bapas.models import Office, User

from ..models import CaseNote, Client, ClientDocument, SupervisionOrder, normalise_name
from ..nik import clean_nik

REGISTER_NUMBER_ATTEMPTS = 5
NAME_SIMILARITY = 0.9  # "Moh. Rizky Pratama" vs "Muhammad Rizki Pratama"
OLDEST_PLAUSIBLE_AGE = 110

# Identity fields a registration or an edit may set; everything else is the system's.
IDENTITY_FIELDS = (
    "full_name", "aliases", "nik", "birth_place", "birth_date", "sex", "religion", "education",
    "marital_status", "occupation", "address_street", "rt", "rw", "province", "regency",
    "district", "village", "phone", "whatsapp", "guarantor_name", "guarantor_relationship",
    "guarantor_phone", "guarantor_address", "section",
)


# --- Duplicates -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Duplicate:
    client: Client
    reason: str  # "nik" or "name"


# Variants common in East Java that ``normalise_name`` does not fold (yet).
EXTRA_NAME_VARIANTS = [
    (re.compile(r"\b(moch|much|mochd|muchd)\b"), "muhammad"),
]


def _fold_name(name: str) -> str:
    value = normalise_name(name)
    for pattern, replacement in EXTRA_NAME_VARIANTS:
        value = pattern.sub(replacement, value)
    return value


def _similar_names(a: str, b: str) -> bool:
    a, b = _fold_name(a), _fold_name(b)
    return bool(a) and (a == b or SequenceMatcher(None, a, b).ratio() >= NAME_SIMILARITY)


def find_duplicates(
    *, nik: str = "", full_name: str = "", birth_date: date | None = None,
    exclude_pk: int | None = None,
) -> list[Duplicate]:
    """Clients anywhere in the deployment who are probably the person being registered.

    Deliberately unscoped: a duplicate in another office must still be found. Callers decide
    what the user may be told about it. A same-name, same-birth-date client whose NIK differs
    from a given NIK is another person (the NIK is authoritative), so is not a duplicate.
    """
    nik = clean_nik(nik)
    found: dict[int, Duplicate] = {}
    base = Client.objects.select_related("office")
    if exclude_pk:
        base = base.exclude(pk=exclude_pk)
    if nik:
        for client in base.filter(nik=nik):
            found[client.pk] = Duplicate(client, "nik")
    if full_name and birth_date:
        for client in base.filter(birth_date=birth_date):
            if client.pk in found:
                continue
            if nik and client.nik and client.nik != nik:
                continue
            names = [client.full_name, *(a for a in client.aliases.split(",") if a.strip())]
            if any(_similar_names(full_name, name) for name in names):
                found[client.pk] = Duplicate(client, "name")
    return list(found.values())


# --- Register number --------------------------------------------------------------------------


def next_register_number(office: Office, year: int) -> str:
    """The office's next number of the year: "2026/0042" (more digits after 9999)."""
    prefix = f"{year}/"
    last = (
        Client.objects.filter(office=office, register_number__regex=rf"^{year}/[0-9]+$")
        .order_by(Length("register_number").desc(), "-register_number")
        .values_list("register_number", flat=True)
        .first()
    )
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:04d}"


# --- Identity ---------------------------------------------------------------------------------


def _validate_identity(client: Client) -> None:
    today = timezone.localdate()
    errors = {}
    if client.birth_date and client.birth_date > today:
        errors["birth_date"] = _("The date of birth cannot be in the future.")
    elif client.birth_date and client.birth_date.year < today.year - OLDEST_PLAUSIBLE_AGE:
        errors["birth_date"] = _("Check the date of birth: the client would be over %(age)d.") % {
            "age": OLDEST_PLAUSIBLE_AGE
        }
    if client.nik and Client.objects.filter(nik=client.nik).exclude(pk=client.pk).exists():
        errors["nik"] = _("A client with this NIK is already registered.")
    for name, region, parent_field, parent_id in (
        ("regency", client.regency, "province_id", client.province_id),
        ("district", client.district, "regency_id", client.regency_id),
        ("village", client.village, "district_id", client.district_id),
    ):
        if region is not None and getattr(region, parent_field) != parent_id:
            errors[name] = _("This does not lie in the region chosen above it.")
    if errors:
        raise ValidationError(errors)
    client.full_clean(exclude=["office", "register_number", "created_by", "photo"],
                      validate_unique=False)


def _apply(client: Client, fields: dict) -> None:
    unknown = set(fields) - set(IDENTITY_FIELDS) - {"photo"}
    if unknown:
        raise TypeError(f"Not identity fields: {sorted(unknown)}")
    for name, value in fields.items():
        if name == "photo":
            continue
        setattr(client, name, value)
    client.nik = clean_nik(client.nik) or None
    # A deeper choice implies the levels above it (the address is one path down the tree).
    if client.village is not None and client.district is None:
        client.district = client.village.district
    if client.district is not None and client.regency is None:
        client.regency = client.district.regency
    if client.regency is not None and client.province is None:
        client.province = client.regency.province
    if client.birth_date and client.age < 18:
        # Anyone under 18 today committed their offence under 18: a child client (UU 11/2012).
        client.section = Client.Section.CHILD


def _set_photo(client: Client, photo) -> None:
    """Store a new photo under a random name; ``False`` clears it, ``None`` keeps it."""
    if photo is False:
        client.photo = ""
    elif photo:
        extension = Path(photo.name).suffix.lower()
        client.photo.save(f"{uuid.uuid4().hex}{extension}", photo, save=False)


def client_register(*, office: Office, by: User, photo=None, **fields) -> Client:
    """Register a new client in ``office`` with the next register number of the year."""
    client = Client(office=office, created_by=by)
    _apply(client, fields)
    _validate_identity(client)
    client._history_user = by
    client._change_reason = "registered"
    year = timezone.localdate().year
    with transaction.atomic():
        _set_photo(client, photo)
        for attempt in range(REGISTER_NUMBER_ATTEMPTS):
            client.register_number = next_register_number(office, year)
            try:
                with transaction.atomic():
                    client.save()
                break
            except IntegrityError:
                # Someone else took the number (or the NIK) between our read and our write.
                client.pk = None
                if client.nik and Client.objects.filter(nik=client.nik).exists():
                    raise ValidationError(
                        {"nik": _("A client with this NIK is already registered.")}
                    ) from None
                if attempt == REGISTER_NUMBER_ATTEMPTS - 1:
                    raise
    return client


def client_update(*, client: Client, by: User, photo=None, **fields) -> Client:
    """Change a client's identity; the history keeps every earlier version."""
    _apply(client, fields)
    _validate_identity(client)
    client._history_user = by
    with transaction.atomic():
        _set_photo(client, photo)
        try:
            client.save()
        except IntegrityError:
            raise ValidationError(
                {"nik": _("A client with this NIK is already registered.")}
            ) from None
    return client


# --- Case notes and documents -----------------------------------------------------------------


def case_note_add(
    *, client: Client, by: User, text: str, confidential: bool = True,
    order: SupervisionOrder | None = None,
) -> CaseNote:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the note.")})
    if order is not None and order.client_id != client.pk:
        raise ValidationError({"order": _("This order belongs to another client.")})
    note = CaseNote(client=client, order=order, text=text, confidential=confidential, author=by)
    note._history_user = by
    with transaction.atomic():
        note.save()
    return note


def document_upload(
    *, client: Client, by: User, kind: str, title: str, document_date: date, file
) -> ClientDocument:
    """Store a document in private storage under a random name. ``file`` is already checked
    with ``bapas.uploads.validate_upload`` by the form."""
    if document_date and document_date > timezone.localdate():
        raise ValidationError({"document_date": _("The document date cannot be in the future.")})
    extension = Path(file.name).suffix.lower()
    document = ClientDocument(
        client=client, kind=kind, title=title.strip(), document_date=document_date,
        uploaded_by=by, size=file.size,
        content_type=mimetypes.guess_type(f"x{extension}")[0] or "application/octet-stream",
    )
    document._history_user = by
    document.file.save(f"{uuid.uuid4().hex}{extension}", file, save=False)
    try:
        with transaction.atomic():
            document.save()
    except Exception:
        document.file.delete(save=False)  # no orphan file without its row
        raise
    return document
