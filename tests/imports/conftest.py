"""Fixtures for the import tests: helpers that write spreadsheets the way offices fill in the
template."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from openpyxl import Workbook

from clients.imports.clients_spec import client_sheets


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are asserted in their English source (the catalogue is filled in later)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def headings(sheet: int = 0) -> list[str]:
    return [column.heading for column in client_sheets()[sheet].columns]


def nik_for(serial: int, *, born: date = date(1990, 6, 15), sex: str = "L") -> str:
    day = born.day + (40 if sex == "P" else 0)
    return f"350901{day:02d}{born:%m%y}{serial % 10000:04d}"


def client_row(serial: int, **overrides) -> dict:
    """One valid row of the sheet Klien, by heading."""
    today = timezone.localdate()
    row = {
        "Nama Lengkap": f"Klien Uji {serial:03d}",
        "NIK": nik_for(serial),
        "Tempat Lahir": "Jember",
        "Tanggal Lahir": "15/06/1990",
        "Jenis Kelamin (L/P)": "L",
        "Program": "PB",
        "Nomor SK": f"PAS-{serial}.PK.05.09/2025",
        "Tanggal SK": (today - timedelta(days=70)).strftime("%d/%m/%Y"),
        "Tindak Pidana": "Pencurian",
        "Pasal": "Pasal 362 KUHP",
        "Mulai Bimbingan": (today - timedelta(days=60)).strftime("%d/%m/%Y"),
        "Akhir Bimbingan": (today + timedelta(days=300)).strftime("%d/%m/%Y"),
        "Tingkat Risiko": "Rendah",
    }
    row.update(overrides)
    return row


def xlsx_file(rows: list[dict], *, contacts: list[dict] | None = None,
              columns: list[str] | None = None, name: str = "caseload.xlsx",
              sheet: str = "Klien") -> SimpleUploadedFile:
    book = Workbook()
    main = book.active
    main.title = sheet
    columns = columns or headings()
    main.append(columns)
    for row in rows:
        main.append([row.get(column) for column in columns])
    if contacts is not None:
        other = book.create_sheet("Kontak")
        contact_columns = headings(1)
        other.append(contact_columns)
        for row in contacts:
            other.append([row.get(column) for column in contact_columns])
    output = io.BytesIO()
    book.save(output)
    return SimpleUploadedFile(name, output.getvalue())


def csv_file(rows: list[dict], *, columns: list[str] | None = None, delimiter: str = ",",
             encoding: str = "utf-8-sig", name: str = "caseload.csv") -> SimpleUploadedFile:
    columns = columns or headings()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding))
