"""Reading exported files back."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_rows(response) -> list[list[str]]:
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:])))


def xlsx_rows(response) -> list[list]:
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def assert_no_formula_cells(rows) -> None:
    for row in rows:
        for value in row:
            if isinstance(value, str):
                assert not value.startswith(TRIGGERS), value


def column(rows, heading: str) -> list:
    index = rows[0].index(heading)
    return [row[index] for row in rows[1:]]
