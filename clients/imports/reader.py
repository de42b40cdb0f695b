"""Reading an uploaded spreadsheet: real type checks, then every sheet as plain rows.

An XLSX must be a zip archive holding ``xl/workbook.xml``; a CSV must be text (UTF-8, with or
without a byte-order mark, or Windows-1252 as older Excel saves it) without NUL bytes. Anything
else is refused with a message that says what to do, before a single row is read.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 10_000  # data rows per sheet; 5,000 is the largest caseload we expect
MAX_COLUMNS = 80
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # a zip bomb expands far beyond this
EMPTY_ROWS_TO_STOP = 500  # styled but empty rows after the data are not read to the end
CSV_DELIMITERS = (",", ";", "\t", "|")


@dataclass
class Sheet:
    name: str
    rows: list[tuple[int, list]] = field(default_factory=list)  # (row number, cell values)


@dataclass
class Workbook:
    fmt: str  # "xlsx" or "csv"
    sheets: list[Sheet]

    def sheet(self, name: str) -> Sheet | None:
        wanted = name.strip().lower()
        return next((s for s in self.sheets if s.name.strip().lower() == wanted), None)


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="refused")


def check_size(upload) -> None:
    if upload.size > MAX_BYTES:
        raise _refuse(
            _("The file is too large (%(size)s); the limit is %(limit)s. Split it into smaller "
              "files.") % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_BYTES)}
        )
    if upload.size == 0:
        raise _refuse(_("The file is empty."))


def detect_format(name: str, head: bytes) -> str:
    """'xlsx' or 'csv' from the name and the first bytes; a clear refusal otherwise."""
    extension = Path(name or "").suffix.lower().lstrip(".")
    if extension in {"xls", "ods", "numbers"}:
        raise _refuse(
            _("Files of type .%(ext)s cannot be read. Open the file in your spreadsheet program "
              "and save it as an Excel workbook (.xlsx) or as CSV.") % {"ext": extension}
        )
    if extension not in {"xlsx", "csv", "txt"}:
        raise _refuse(
            _("Upload the filled-in template as .xlsx (Excel) or .csv; .%(ext)s files are not "
              "accepted.") % {"ext": extension or "?"}
        )
    is_zip = head.startswith(b"PK\x03\x04")
    if extension == "xlsx" and not is_zip:
        raise _refuse(_("This file is named .xlsx but it is not an Excel workbook. Save it "
                        "again from your spreadsheet program as .xlsx."))
    if extension in {"csv", "txt"} and is_zip:
        raise _refuse(_("This file is an Excel workbook with a .csv name. Rename it to .xlsx "
                        "or save it as CSV."))
    return "xlsx" if extension == "xlsx" else "csv"


def read_upload(upload) -> Workbook:
    """Check and read an uploaded file (Django ``UploadedFile`` or any binary file object)."""
    check_size(upload)
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    upload.seek(0)
    return read_bytes(getattr(upload, "name", ""), data)


def read_bytes(name: str, data: bytes) -> Workbook:
    if len(data) > MAX_BYTES:
        raise _refuse(_("The file is too large; the limit is %(limit)s.")
                      % {"limit": filesizeformat(MAX_BYTES)})
    fmt = detect_format(name, data[:8])
    return _read_xlsx(data) if fmt == "xlsx" else _read_csv(data)


# --- XLSX ---------------------------------------------------------------------------------------


def _check_zip(data: bytes) -> None:
    not_workbook = _refuse(_("This file is not an Excel workbook (.xlsx) that can be read. Save "
                             "it again from your spreadsheet program as .xlsx."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise not_workbook from None
    with archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            raise not_workbook
        if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED:
            raise _refuse(_("This workbook expands to more data than can be imported at once. "
                            "Split it into smaller files."))


def _read_xlsx(data: bytes) -> Workbook:
    from openpyxl import load_workbook

    _check_zip(data)
    try:
        # Formulas are kept as their text ("=SUM(...)") so they can be flagged, never evaluated.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many types for damaged files
        raise _refuse(_("The workbook could not be read; it may be damaged. Open it in your "
                        "spreadsheet program and save it again as .xlsx.")) from None
    try:
        sheets = []
        for worksheet in book.worksheets:
            source = worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
            sheets.append(Sheet(worksheet.title, list(_rows(source, worksheet.title))))
        return Workbook("xlsx", sheets)
    except ValidationError:
        raise
    except Exception:
        raise _refuse(_("The workbook could not be read; it may be damaged. Open it in your "
                        "spreadsheet program and save it again as .xlsx.")) from None
    finally:
        book.close()


def _rows(source, sheet_name: str) -> Iterator[tuple[int, list]]:
    """Non-empty rows with their spreadsheet row numbers; stops after a long empty stretch."""
    empty_run = 0
    kept = 0
    for number, values in enumerate(source, start=1):
        values = list(values or [])
        if all(value is None or (isinstance(value, str) and not value.strip())
               for value in values):
            empty_run += 1
            if empty_run >= EMPTY_ROWS_TO_STOP:
                return
            continue
        empty_run = 0
        kept += 1
        if kept > MAX_ROWS + 10:  # the heading and a few title rows
            raise _refuse(
                _("Sheet “%(sheet)s” has more than %(max)s rows. Split it into several files.")
                % {"sheet": sheet_name, "max": f"{MAX_ROWS:,}".replace(",", ".")}
            )
        while values and (values[-1] is None or values[-1] == ""):
            values.pop()
        yield number, values


# --- CSV ----------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    not_text = _refuse(_("This file is not a CSV text file (it contains binary data). Upload "
                         "the template saved as .xlsx or as CSV."))
    if b"\x00" in data:
        raise not_text
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n")
        if controls:
            raise not_text
        return text
    raise not_text


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in CSV_DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_csv(data: bytes) -> Workbook:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        rows = list(_rows((row[:MAX_COLUMNS] for row in reader), "CSV"))
    except csv.Error:
        raise _refuse(_("The CSV file could not be read: check that quotes are balanced.")) \
            from None
    return Workbook("csv", [Sheet("CSV", rows)])
