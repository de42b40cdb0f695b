"""Columns of an import sheet and the parsing of what offices actually type into them.

Column headings and the words for coded values are Indonesian and fixed (they are the import
format, like the sheet names of the regional workbook), whatever the interface language; the
messages about them are translated.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

# --- Normalising --------------------------------------------------------------------------------


def key(value: str) -> str:
    """Fold case, accents, punctuation, spacing: 'Jenis Kelamin (L/P)' -> 'jenis kelamin l p'."""
    value = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    value = re.sub(r"[^a-z0-9]+", " ", value.lower())
    return value.strip()


def heading_key(value: str) -> str:
    """A heading without a parenthesised hint or a required-marker: 'NIK (16 digit) *' -> 'nik'."""
    return key(re.sub(r"\(.*?\)", " ", str(value)).replace("*", " "))


# --- Columns ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    name: str  # internal name
    heading: str  # the template's heading
    required: bool = False  # the column must be in the file (and, unless blank_ok, filled in)
    blank_ok: bool = False  # a required column whose cells may be empty
    kind: str = "text"  # text, date, time, choice, phone, nik, email, list
    aliases: tuple[str, ...] = ()
    choices: dict[str, str] | None = None  # folded alias -> stored value
    allowed: tuple[tuple[str, str], ...] = ()  # (word to type, meaning) for the template
    note: str = ""  # shown in the template's allowed-values sheet
    width: int = 18

    def heading_keys(self) -> set[str]:
        return {heading_key(self.heading), *(heading_key(alias) for alias in self.aliases)}


@dataclass(frozen=True)
class SheetSpec:
    name: str  # the sheet name in the template ("Klien")
    columns: tuple[Col, ...]
    example: tuple[tuple, ...] = ()  # example rows written under the headings
    optional: bool = False  # a workbook may leave this sheet out

    def column(self, name: str) -> Col:
        return next(column for column in self.columns if column.name == name)


def choice_map(
    enum: type[models.TextChoices] | None, words: dict[str, Iterable[str]]
) -> dict[str, str]:
    """Every spelling that means a value: the stored code, its label, its Indonesian words."""
    mapping: dict[str, str] = {}
    for value, spellings in words.items():
        for spelling in spellings:
            mapping[key(spelling)] = value
    if enum is not None:
        for member in enum:
            mapping.setdefault(key(member.value), member.value)
            label = str(member.label)
            mapping.setdefault(key(label), member.value)
            inner = re.search(r"\((.*?)\)", label)
            if inner:
                mapping.setdefault(key(inner.group(1)), member.value)
            # The English source label too, whatever the active language.
            with translation.override("en"):
                mapping.setdefault(key(str(member.label)), member.value)
    return mapping


# --- Headings -----------------------------------------------------------------------------------


@dataclass
class HeaderMap:
    row_number: int
    positions: dict[str, int]  # column name -> index in the row
    unknown: list[str] = field(default_factory=list)


def find_header(spec: SheetSpec, rows: list[tuple[int, list]]) -> HeaderMap | None:
    """The first of the top rows in which at least three of the spec's headings appear."""
    lookup = {k: column.name for column in spec.columns for k in column.heading_keys()}
    for number, values in rows[:10]:
        positions: dict[str, int] = {}
        unknown = []
        for position, value in enumerate(values):
            if value is None or str(value).strip() == "":
                continue
            name = lookup.get(heading_key(value))
            if name and name not in positions:
                positions[name] = position
            else:
                unknown.append(str(value).strip())
        if len(positions) >= min(3, len(spec.columns)):
            return HeaderMap(number, positions, unknown)
    return None


def check_header(spec: SheetSpec, header: HeaderMap | None, sheet_label: str) -> HeaderMap:
    """The heading row, or a message listing the missing columns (and the unknown ones)."""
    if header is None:
        raise ValidationError(
            _("No heading row was found in %(sheet)s. The first row must hold the column "
              "names of the template, such as %(examples)s. Download the template and copy "
              "your data into it.")
            % {"sheet": sheet_label,
               "examples": ", ".join(f"“{c.heading}”" for c in spec.columns if c.required)},
            code="columns",
        )
    missing = [column.heading for column in spec.columns
               if column.required and column.name not in header.positions]
    if missing:
        message = _("%(sheet)s lacks required columns: %(missing)s.") % {
            "sheet": sheet_label, "missing": ", ".join(f"“{name}”" for name in missing)}
        if header.unknown:
            message += " " + _("These columns were not recognised (renamed?): %(unknown)s.") % {
                "unknown": ", ".join(f"“{name}”" for name in header.unknown[:15])}
        message += " " + _("Use the column names of the template.")
        raise ValidationError(message, code="columns")
    return header


# --- Cell values --------------------------------------------------------------------------------

HTML_PATTERN = re.compile(r"<\s*[a-zA-Z!/?]")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
PLACEHOLDERS = {"-", "--", "\u2014", "\u2013", "n/a", "na"}  # dashes typed for "none"
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()-]{8,20}$")


class CellError(ValueError):
    """A cell cannot be used; ``str(error)`` is the translated reason."""


def display(value) -> str:
    """How a raw cell is shown in the preview."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return CONTROL_CHARS.sub("", str(value)).strip()[:500]


def text(value, *, phone: bool = False) -> str:
    """A cell as plain text; formulas and HTML are refused (the row shows why)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (date, datetime, time)):
        return display(value)
    result = CONTROL_CHARS.sub("", str(value)).replace("\r\n", "\n").strip()
    if result.lower() in PLACEHOLDERS:
        return ""
    if result.startswith(("=", "@")) or (
        result.startswith(("+", "-")) and not (phone and PHONE_PATTERN.match(result))
    ):
        raise CellError(
            _("Starts with “%(char)s”, so a spreadsheet treats it as a formula. Write it as "
              "plain text without the leading “%(char)s”.") % {"char": result[0]}
        )
    if HTML_PATTERN.search(result):
        raise CellError(_("Contains HTML markup (“<…>”). Write plain text only."))
    return result


MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}
WEEKDAY_PREFIX = re.compile(
    r"^(senin|selasa|rabu|kamis|jumat|jum at|sabtu|minggu|ahad|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday)\s*,?\s*",
    re.IGNORECASE,
)
EXCEL_EPOCH = date(1899, 12, 30)


def _bad_date(raw: str) -> CellError:
    return CellError(
        _("“%(value)s” is not a date we recognise. Write it as 31/12/2024, 31-12-2024, "
          "2024-12-31 or 31 Desember 2024.") % {"value": raw[:40]}
    )


def _make_date(year: int, month: int, day: int, raw: str) -> date:
    if year < 100:
        raise CellError(_("“%(value)s”: write the year with four digits (e.g. 1985).")
                        % {"value": raw[:40]})
    try:
        return date(year, month, day)
    except ValueError:
        if 1 <= day <= 12 < month <= 31:
            raise CellError(
                _("“%(value)s” looks like month/day. Write the day first: day/month/year.")
                % {"value": raw[:40]}
            ) from None
        raise CellError(_("“%(value)s” is not a real date.") % {"value": raw[:40]}) from None


def parse_date(value) -> date | None:
    """A date from an Excel date cell, an Excel serial number, or text as offices type it."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's date serials (1900 to 9999)
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise _bad_date(str(value))
    raw = text(value)
    if not raw:
        return None
    cleaned = WEEKDAY_PREFIX.sub("", raw.strip())
    # A time after the date ("2024-12-31 00:00:00", "31/12/2024 09.00") is ignored.
    cleaned = re.sub(r"[ T]\d{1,2}[:.]\d{2}([:.]\d{2})?(\.\d+)?\s*(wib|wita|wit)?$", "",
                     cleaned, flags=re.IGNORECASE).strip()
    match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", cleaned)
    if match:
        year, month, day = (int(part) for part in match.groups())
        return _make_date(year, month, day, raw)
    match = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})", cleaned)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return _make_date(year, month, day, raw)
    match = re.fullmatch(r"(\d{1,2})[\s\-/.]+([A-Za-z]+)\.?[\s\-/.,]+(\d{2,4})", cleaned)
    if match:
        month = MONTHS.get(match.group(2).lower())
        if month is None:
            raise _bad_date(raw)
        return _make_date(int(match.group(3)), month, int(match.group(1)), raw)
    raise _bad_date(raw)


def parse_time(value) -> time | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, float) and 0 <= value < 1:  # an Excel time is a fraction of a day
        minutes = round(value * 24 * 60)
        return time(minutes // 60 % 24, minutes % 60)
    raw = text(value)
    if not raw:
        return None
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})(?:[:.]\d{2})?\s*(wib|wita|wit)?", raw,
                         re.IGNORECASE)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise CellError(_("“%(value)s” is not a time. Write it as 09:00 or 14.30.")
                        % {"value": raw[:20]})
    return time(int(match.group(1)), int(match.group(2)))


def parse_choice(value, column: Col) -> str:
    raw = text(value)
    if not raw:
        return ""
    found = (column.choices or {}).get(key(raw))
    if found is None:
        words = ", ".join(word for word, _meaning in column.allowed)
        raise CellError(
            _("“%(value)s” is not one of the allowed values: %(allowed)s (see the sheet "
              "“Pilihan” of the template).") % {"value": raw[:40], "allowed": words}
        )
    return found


def parse_nik(value) -> tuple[str, list[str]]:
    """The NIK as digits, with a warning when it came as a number (Excel keeps 15 digits)."""
    warnings = []
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value))
        warnings.append(_("The NIK was stored as a number; Excel keeps only 15 digits of a "
                          "number, so check its last digit. Format the NIK column as text."))
    return text(value), warnings


def short_date(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")
