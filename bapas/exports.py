"""Safe CSV and XLSX downloads of list pages, shared by every app.

A list view builds its (scoped, filtered) rows and a list of ``Column``s and returns
``export_response(...)``. Three things are guaranteed here so no export can forget them:

* no cell can be read as a formula by a spreadsheet: text that starts with ``= + - @`` (or a
  tab or carriage return) gets a leading apostrophe (CSV/formula injection);
* the download is recorded in the access log (``log_access(..., action="export")``);
* the response is never cached (``Cache-Control: no-store``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .audit import log_access
from .models import AccessLog

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("xlsx", "csv")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_DATE = "%d/%m/%Y"
CSV_DATETIME = "%d/%m/%Y %H:%M"
XLSX_DATE = "DD/MM/YYYY"
XLSX_DATETIME = "DD/MM/YYYY HH:MM"
MAX_WIDTH = 60


def safe_text(value: str) -> str:
    """Text that a spreadsheet shows as text, never evaluates."""
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    """One column: its heading and how to get the value from a row.

    ``value`` is a callable taking the row, or a dotted attribute path ("client.full_name");
    a path through a missing (``None``) object gives an empty cell.
    """

    heading: str
    value: Callable[[Any], Any] | str

    def get(self, row: Any) -> Any:
        if callable(self.value):
            return self.value(row)
        current = row
        for part in self.value.split("."):
            if current is None:
                return None
            current = current.get(part) if isinstance(current, dict) else getattr(current, part)
            if callable(current) and not isinstance(current, type):
                current = current()
        return current


def _plain(value: Any) -> Any:
    """Numbers, dates and text as a spreadsheet should hold them (local, naive times)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, (date, int, float, Decimal)):
        return value
    return str(value)


def cell_value(value: Any) -> Any:
    """The value as written to a cell: typed, with text made formula-safe."""
    value = _plain(value)
    return safe_text(value) if isinstance(value, str) else value


def _csv_text(value: Any) -> str:
    value = _plain(value)
    if isinstance(value, datetime):
        return value.strftime(CSV_DATETIME)
    if isinstance(value, date):
        return value.strftime(CSV_DATE)
    # In a CSV everything is text, so even a negative number is written "'-5": no cell of a
    # CSV export may start with a formula trigger.
    return safe_text(str(value))


def write_csv(rows: Iterable[Any], columns: list[Column]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Indonesian names correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_text(str(column.heading)) for column in columns])
    for row in rows:
        writer.writerow([_csv_text(column.get(row)) for column in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(rows: Iterable[Any], columns: list[Column], *, sheet_title: str = "") -> bytes:
    """A one-sheet workbook with a bold, frozen heading row and filters."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(sheet_title or _("Data"))[:31])
    sheet.freeze_panes = "A2"
    widths = [min(max(len(str(column.heading)) + 2, 8), MAX_WIDTH) for column in columns]
    body: list[list] = []
    for row in rows:
        values = [cell_value(column.get(row)) for column in columns]
        for index, value in enumerate(values):
            shown = 10 if isinstance(value, date) else len(str(value))
            widths[index] = min(max(widths[index], shown + 2), MAX_WIDTH)
        body.append(values)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE6F0")
    heading = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=safe_text(str(column.heading)))
        cell.font, cell.fill = bold, fill
        heading.append(cell)
    sheet.append(heading)
    for values in body:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime):
                cell.number_format = XLSX_DATETIME
            elif isinstance(value, date):
                cell.number_format = XLSX_DATE
            elif isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            cells.append(cell)
        sheet.append(cells)
    if body:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(body) + 1}"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def check_format(fmt: str) -> str:
    """404 for anything but xlsx or csv (the format is part of the URL)."""
    if fmt not in FORMATS:
        raise Http404
    return fmt


# The most rows one export holds: a whole office's history fits (the largest of Indonesia's ~90
# offices has a few thousand clients). A longer list is refused, never cut without saying so.
MAX_ROWS = 20_000


def _back(request: HttpRequest) -> str:
    """The page the export was asked from (its list, with its filters), if it is ours."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "/"


def export_filename(stem: str, fmt: str) -> str:
    return f"{slugify(stem) or 'export'}-{timezone.localdate():%Y%m%d}.{fmt}"


def export_response(
    rows: Iterable[Any],
    columns: list[Column],
    filename: str,
    fmt: str,
    *,
    request: HttpRequest,
    label: str,
    office_id: int | None = None,
) -> HttpResponse:
    """The rows as a CSV or XLSX download, recorded in the access log; more than ``MAX_ROWS``
    rows are refused with a message on the page the export was asked from.

    ``filename`` is the stem ("caseload"); the date and extension are added. ``label`` says in
    the access log what was exported, including the filters when they matter.
    """
    check_format(fmt)
    rows = list(rows[: MAX_ROWS + 1]) if hasattr(rows, "__getitem__") else list(rows)
    if len(rows) > MAX_ROWS:
        messages.error(request, _(
            "This export would hold more than %(limit)s rows, the most one file holds. Narrow "
            "the list with its filters (an office, a status, a period) and export again."
        ) % {"limit": number_format(MAX_ROWS, force_grouping=True)})
        return redirect(_back(request))
    if fmt == "csv":
        content = write_csv(rows, columns)
        content_type = "text/csv; charset=utf-8"
    else:
        content = write_xlsx(rows, columns, sheet_title=filename)
        content_type = XLSX_CONTENT_TYPE
    log_access(
        request, None, AccessLog.Action.EXPORT, office_id=office_id,
        label=_("%(what)s (%(count)d rows, %(format)s)")
        % {"what": label, "count": len(rows), "format": fmt.upper()},
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{export_filename(filename, fmt)}"'
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response
