"""Reading what offices type: dates, coded values, unsafe text, headings, and the file itself."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import date, datetime, time

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from clients.imports.clients_spec import client_sheets
from clients.imports.reader import MAX_BYTES, read_bytes
from clients.imports.values import (
    CellError,
    check_header,
    find_header,
    parse_choice,
    parse_date,
    parse_nik,
    parse_time,
    text,
)

# --- Dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", [
    "31/12/2024", "31-12-2024", "2024-12-31", "31 Desember 2024", "31 Des 2024", "31-Des-2024",
    "31.12.2024", "31 December 2024", "Selasa, 31 Desember 2024", "2024/12/31",
    "2024-12-31 00:00:00", "31/12/2024 09.00 WIB", " 31 desember 2024 ",
])
def test_dates_in_the_formats_offices_type_are_understood(typed):
    assert parse_date(typed) == date(2024, 12, 31)


def test_short_and_indonesian_month_names_are_understood():
    assert parse_date("1 Agt 2023") == date(2023, 8, 1)
    assert parse_date("17 Agustus 1945") == date(1945, 8, 17)
    assert parse_date("5 Mei 2020") == date(2020, 5, 5)
    assert parse_date("9 Okt 2021") == date(2021, 10, 9)
    assert parse_date("2 Pebruari 2022") == date(2022, 2, 2)


def test_excel_date_cells_and_serial_numbers_are_dates():
    assert parse_date(datetime(2024, 12, 31, 0, 0)) == date(2024, 12, 31)
    assert parse_date(date(2024, 12, 31)) == date(2024, 12, 31)
    assert parse_date(45657) == date(2024, 12, 31)


@pytest.mark.parametrize(("typed", "reason"), [
    ("31/02/2024", "not a real date"),
    ("12/31/2024", "looks like month/day"),
    ("31/12/24", "four digits"),
    ("kemarin", "not a date we recognise"),
    ("31 Foo 2024", "not a date we recognise"),
])
def test_unrecognised_dates_say_why(typed, reason):
    with pytest.raises(CellError, match=reason):
        parse_date(typed)


def test_empty_date_cells_and_placeholders_are_empty():
    assert parse_date(None) is None
    assert parse_date("") is None
    assert parse_date("-") is None


def test_times_accept_colons_and_dots():
    assert parse_time("09:00") == time(9, 0)
    assert parse_time("14.30") == time(14, 30)
    assert parse_time("08.15 WIB") == time(8, 15)
    assert parse_time(0.5) == time(12, 0)
    with pytest.raises(CellError):
        parse_time("25:00")


# --- Coded values and text ----------------------------------------------------------------------


def _column(name: str, sheet: int = 0):
    return client_sheets()[sheet].column(name)


@pytest.mark.parametrize(("typed", "value"), [
    ("PB", "pb"), ("pb", "pb"), ("Pembebasan Bersyarat", "pb"), ("CMB", "cmb"),
    ("Cuti Menjelang Bebas", "cmb"), ("asimilasi", "asimilasi"),
    ("Pidana Pengawasan", "pidana_pengawasan"), ("DIVERSI", "diversi"),
])
def test_program_accepts_codes_and_indonesian_names(typed, value):
    assert parse_choice(typed, _column("program")) == value


def test_sex_risk_and_outcome_accept_everyday_words():
    assert parse_choice("Laki-laki", _column("sex")) == "L"
    assert parse_choice("perempuan", _column("sex")) == "P"
    assert parse_choice("TINGGI", _column("risk_level")) == "tinggi"
    assert parse_choice("Hadir dan patuh", _column("outcome", 1)) == "hadir_patuh"
    assert parse_choice("mangkir", _column("outcome", 1)) == "tidak_hadir"


def test_an_unknown_code_lists_the_allowed_values():
    with pytest.raises(CellError) as error:
        parse_choice("Bebas murni", _column("program"))
    assert "PB" in str(error.value) and "Pilihan" in str(error.value)


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\")", "@SUM(A1)", "+1+2", "-2+3"])
def test_formulas_are_flagged_not_evaluated(cell):
    with pytest.raises(CellError, match="formula"):
        text(cell)


def test_html_in_a_cell_is_flagged():
    with pytest.raises(CellError, match="HTML"):
        text("<script>alert(1)</script>")
    with pytest.raises(CellError, match="HTML"):
        text("Budi <b>Santoso</b>")


def test_phone_numbers_may_start_with_a_plus_and_a_dash_alone_means_empty():
    assert text("+62 812 3456 7890", phone=True) == "+62 812 3456 7890"
    assert text("-") == ""
    assert text("  Jl. Mawar  ") == "Jl. Mawar"
    assert text(12.0) == "12"


def test_a_nik_stored_as_a_number_warns_about_lost_digits():
    digits, warnings = parse_nik(3509011506900001)
    assert digits == "3509011506900001"
    assert "15 digits" in warnings[0]
    assert parse_nik("3509011506900001") == ("3509011506900001", [])


# --- Headings -----------------------------------------------------------------------------------


def test_headings_are_found_despite_case_hints_and_aliases():
    spec = client_sheets()[0]
    rows = [(1, ["Data klien Bapas"]),
            (2, ["NAMA", "nik", "Tempat lahir", "Tgl. Lahir", "Jenis Kelamin", "Program",
                 "No. SK", "Tindak Pidana", "Mulai Bimbingan", "Akhir Bimbingan *"])]
    header = check_header(spec, find_header(spec, rows), "the file")
    assert header.row_number == 2
    assert header.positions["birth_date"] == 3 and header.positions["supervision_end"] == 9


def test_missing_or_renamed_columns_are_listed():
    spec = client_sheets()[0]
    rows = [(1, ["Nama Lengkap", "Nomor KTP", "Tempat Lahir", "Tanggal Lahir", "Program",
                 "Tindak Pidana"])]
    with pytest.raises(ValidationError) as error:
        check_header(spec, find_header(spec, rows), "the file")
    message = error.value.messages[0]
    assert "“NIK”" in message and "“Mulai Bimbingan”" in message
    assert "“Jenis Kelamin (L/P)”" in message
    assert "“Nomor KTP”" in message  # the unrecognised (renamed) column


# --- The file ---------------------------------------------------------------------------------


def _xlsx_bytes() -> bytes:
    book = Workbook()
    book.active.append(["Nama Lengkap"])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("data.xlsx", b"%PDF-1.4 not a workbook", "not an Excel workbook"),
    ("data.xlsx", os.urandom(4096), "not an Excel workbook"),
    ("data.csv", b"Nama,NIK\x00\x01\x02", "binary data"),
    ("data.csv", os.urandom(4096), "binary data"),
    ("data.xls", b"\xd0\xcf\x11\xe0old excel", "save it as an Excel workbook"),
    ("data.pdf", b"%PDF-1.4", "not accepted"),
    ("data.csv", b"", "empty"),
])
def test_files_that_are_not_spreadsheets_are_refused_clearly(name, data, reason):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from clients.imports.reader import read_upload

    with pytest.raises(ValidationError, match=reason):
        read_upload(SimpleUploadedFile(name, data))


def test_a_zip_that_is_not_a_workbook_is_refused():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(ValidationError, match="not an Excel workbook"):
        read_bytes("data.xlsx", output.getvalue())


def test_a_workbook_named_csv_is_refused_with_advice():
    with pytest.raises(ValidationError, match=r"Rename it to \.xlsx"):
        read_bytes("data.csv", _xlsx_bytes())


def test_ten_megabytes_of_junk_is_refused_without_reading_it():
    junk = os.urandom(MAX_BYTES + 1)
    with pytest.raises(ValidationError, match="too large"):
        read_bytes("junk.csv", junk)


def test_csv_in_windows_1252_with_semicolons_is_read():
    data = "Nama Lengkap;Alamat\r\nJosé Café;Jl. Melati\r\n".encode("cp1252")
    book = read_bytes("data.csv", data)
    assert book.sheets[0].rows == [(1, ["Nama Lengkap", "Alamat"]), (2, ["José Café",
                                                                          "Jl. Melati"])]


def test_utf8_csv_with_a_byte_order_mark_and_empty_rows():
    data = "\ufeffNama Lengkap,NIK\n\n,\nSiti Aminah,3509015506900002\n".encode()
    book = read_bytes("data.csv", data)
    assert book.sheets[0].rows == [(1, ["Nama Lengkap", "NIK"]),
                                   (4, ["Siti Aminah", "3509015506900002"])]
