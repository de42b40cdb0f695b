"""The downloadable import template: one sheet per data sheet, with the headings, an example row
and drop-down lists for the coded columns, and a sheet "Pilihan" listing the allowed values."""

from __future__ import annotations

import io
from datetime import date, datetime, time

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from .values import SheetSpec

CHOICES_SHEET = "Pilihan"
REQUIRED_FILL = PatternFill("solid", fgColor="F4CCCC")
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
EXAMPLE_FILL = PatternFill("solid", fgColor="EFEFEF")
BOLD = Font(bold=True)
TEMPLATE_ROWS = 5000  # rows prepared with text formats and drop-downs


def build_template(sheets: tuple[SheetSpec, ...], *, intro: str) -> bytes:
    book = Workbook()
    book.remove(book.active)
    data_sheets = [book.create_sheet(spec.name) for spec in sheets]
    choices = book.create_sheet(CHOICES_SHEET)
    ranges = _write_choices(choices, sheets, intro)
    for spec, sheet in zip(sheets, data_sheets, strict=True):
        _write_data_sheet(sheet, spec, ranges)
    book.active = 0
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _write_data_sheet(sheet, spec: SheetSpec, ranges: dict[tuple[str, str], str]) -> None:
    sheet.freeze_panes = "A2"
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.heading)
        cell.font = BOLD
        cell.fill = REQUIRED_FILL if column.required and not column.blank_ok else HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if column.required and not column.blank_ok:
            cell.comment = Comment(_("Required"), "Bapas")
        sheet.column_dimensions[letter].width = column.width
        if column.kind in {"nik", "phone"} or column.name in {"rt", "rw", "decree_number"}:
            # Text, so Excel keeps all 16 digits of a NIK and the leading 0 of a phone number.
            sheet.column_dimensions[letter].number_format = "@"
        elif column.kind == "date":
            sheet.column_dimensions[letter].number_format = "DD/MM/YYYY"
        choice_range = ranges.get((spec.name, column.name))
        if choice_range and column.kind == "choice":
            validation = DataValidation(
                type="list", formula1=choice_range, allow_blank=True, showErrorMessage=False,
            )
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
    for offset, example in enumerate(spec.example, start=2):
        for index, (column, value) in enumerate(zip(spec.columns, example, strict=True),
                                                start=1):
            cell = sheet.cell(row=offset, column=index, value=value)
            cell.fill = EXAMPLE_FILL
            cell.font = Font(italic=True, color="555555")
            if isinstance(value, (date, datetime)):
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(value, time):
                cell.number_format = "HH:MM"
            elif column.kind in {"nik", "phone"} or isinstance(value, str):
                cell.number_format = "@"


def _write_choices(sheet, sheets: tuple[SheetSpec, ...], intro: str) -> dict:
    """The allowed values, one block per coded column; returns their ranges for drop-downs."""
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 28
    sheet.column_dimensions["C"].width = 60
    lines = [
        intro,
        _("The grey row under the headings is an example: it is skipped on import; overwrite "
          "or delete it."),
        _("Columns with a red heading are required."),
        _("Dates: 31/12/2024, 31-12-2024, 2024-12-31 or 31 Desember 2024 (also Des)."),
        _("Coded columns accept the words below (upper or lower case)."),
    ]
    row = 1
    for line in lines:
        sheet.cell(row=row, column=1, value=line).alignment = Alignment(wrap_text=False)
        row += 1
    row += 1
    for label, value in ((_("Column"), 1), (_("Write"), 2), (_("Meaning"), 3)):
        cell = sheet.cell(row=row, column=value, value=label)
        cell.font, cell.fill = BOLD, HEADER_FILL
    row += 1
    ranges: dict[tuple[str, str], str] = {}
    for spec in sheets:
        for column in spec.columns:
            if not column.allowed:
                continue
            first = row
            for word, meaning in column.allowed:
                sheet.cell(row=row, column=1, value=f"{spec.name}: {column.heading}")
                sheet.cell(row=row, column=2, value=word)
                sheet.cell(row=row, column=3, value=meaning or column.note)
                row += 1
            ranges[(spec.name, column.name)] = (
                f"{quote_sheetname(CHOICES_SHEET)}!$B${first}:$B${row - 1}"
            )
            row += 1
    return ranges
