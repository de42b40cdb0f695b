"""Every figure printed in the monthly PDF and written to the XLSX matches the hand count.

The reports are generated the way a supervisor gets them (request → Celery task → stored file);
the PDF is read back with pdftotext and the workbook with openpyxl.
"""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from clients.models import Client, ContactKind, Program
from meetings.models import MeetingKind
from reports.models import ReportKind, ReportStatus
from reports.services import monthly_reports_request, regional_reports_request
from reports.xlsx import FORMULA_TRIGGERS
from tests.reports import expected as E
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db
NUMBER = re.compile(r"^(\d+(,\d+)?%?|—)$")


def generate(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        if "office" in kwargs:
            reports = monthly_reports_request(year=2026, month=10, **kwargs)
        else:
            reports = regional_reports_request(year=2026, month=10, **kwargs)
    for report in reports:
        report.refresh_from_db()
        assert report.status == ReportStatus.READY, report.error
    return {report.kind: report for report in reports}


def label(text) -> str:
    with translation.override("id"):
        return str(text)


def row(lines: list[str], name: str, count: int) -> tuple[str, ...]:
    """The last ``count`` figures of the first line whose text (after an optional row number)
    is ``name`` or, when a long name wraps inside its cell, the start of it (the figures stay
    on the first line)."""
    wanted = " ".join(name.split())
    for line in lines:
        tokens = line.split()
        figures = []
        while tokens and NUMBER.match(tokens[-1]):
            figures.insert(0, tokens.pop())
        if tokens and tokens[-1] == ":":
            tokens.pop()
        if tokens and tokens[0].isdigit():
            tokens = tokens[1:]
        text = " ".join(tokens)
        if len(figures) >= count and len(text) >= min(len(wanted), 10) and (
            wanted.startswith(text)
        ):
            return tuple(figures[-count:])
    raise AssertionError(f"no line reads {wanted!r} followed by {count} figures")


def sections(text: str) -> tuple[list[str], list[str], list[str]]:
    """The adult table, the child table and the rest of the document."""
    lines = text.splitlines()
    b = next(i for i, line in enumerate(lines) if re.match(r"^\s*B\. ", line))
    c = next(i for i, line in enumerate(lines) if re.match(r"^\s*C\. ", line))
    return lines[:b], lines[b:c], lines[c:]


def as_text(values) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


@pytest.fixture
def monthly(october, office, users, django_capture_on_commit_callbacks):
    return generate(django_capture_on_commit_callbacks, office=office, by=users["supervisor"])


def test_monthly_pdf_prints_every_figure_of_the_month(monthly, october, users, tmp_path):
    text = pdf_text(monthly[ReportKind.MONTHLY_PDF].file.read(), tmp_path)
    adult, child, rest = sections(text)
    for (program, section), values in E.PROGRAMS.items():
        table = adult if section == Client.Section.ADULT else child
        assert row(table, label(Program(program).label), 7) == as_text(values), program
    for program in Program.values:  # every other row prints zeros
        if (program, Client.Section.CHILD) not in E.PROGRAMS:
            assert row(child, label(Program(program).label), 7) == as_text(E.ZERO)
    assert row(adult, label(_("Subtotal")), 7) == as_text(E.SECTION_TOTALS[Client.Section.ADULT])
    assert row(child, label(_("Subtotal")), 7) == as_text(E.SECTION_TOTALS[Client.Section.CHILD])
    assert row(rest, label(_("Grand total")), 7) == as_text(E.TOTALS)

    for kind, values in E.CONTACTS_BY_KIND.items():
        assert row(rest, label(ContactKind(kind).label), 6) == as_text(values), kind
    assert row(rest, label(_("Total contacts")), 6) == as_text(E.CONTACTS)
    assert row(rest, label(_("Attendance rate")), 1) == ("71,4%",)
    assert row(rest, label(_("Attended but failed to comply")), 1) == (str(E.NONCOMPLIANT),)
    visits = next(line for line in rest if line.strip().startswith(label(_("Visits carried out"))))
    assert re.search(rf":\s+{E.HOME_VISITS}\b", visits)

    for key, count in E.CASELOAD.items():
        assert row(rest, users[key].full_name, 1) == (str(count),)
    assert row(rest, label(_("Not assigned to a PK")), 1) == (str(E.UNASSIGNED),)
    assert row(rest, label(_("Total active orders")), 1) == (str(E.CASELOAD_TOTAL),)
    assert users["other_pk"].full_name not in text

    for key, values in E.PARTNERS.items():
        assert row(rest, october.partners[key].name, 7) == as_text(values), key
    assert row(rest, label(_("Total partners")), 7) == as_text(E.PARTNER_TOTALS)

    for kind, values in E.MEETINGS.items():
        assert row(rest, label(MeetingKind(kind).label), 2) == as_text(values), kind
    assert row(rest, label(_("Total meetings")), 1) == (str(E.MEETINGS_HELD),)


def test_monthly_pdf_has_letterhead_signature_charts_and_verification(monthly, office,
                                                                      tmp_path):
    report = monthly[ReportKind.MONTHLY_PDF]
    data = report.file.read()
    text = pdf_text(data, tmp_path)
    assert "BAPAS KELAS II JEMBER" in text and "KANWIL JAWA TIMUR" in text
    assert "Oktober 2026" in text
    assert office.head_name in text and f"NIP {office.head_nip}" in text
    assert report.verification_url() in text  # printed next to the QR code
    assert report.verification_code in text  # and in every page's footer
    assert "RAHASIA" not in text
    # Charts are vector graphics (no raster images besides the QR code's SVG).
    assert b"/Subtype /Image" not in data
    assert "66,7" in text and "71,4" in text  # the trend chart's September and October points


def test_monthly_xlsx_holds_the_same_figures(monthly, october, users):
    book = load_workbook(BytesIO(monthly[ReportKind.MONTHLY_XLSX].file.read()))
    assert book.sheetnames == ["Ringkasan", "Kontak", "Mitra", "Pertemuan", "Beban kerja PK"]

    def rows(sheet):
        return [tuple(cell for cell in r) for r in book[sheet].iter_rows(values_only=True)]

    summary = {(r[0], r[1]): r[2:9] for r in rows("Ringkasan") if len(r) >= 9}
    for (program, section), values in E.PROGRAMS.items():
        key = (label(Program(program).label), label(Client.Section(section).label))
        assert summary[key] == values, key
    assert summary[(label(_("Total")), None)] == E.TOTALS

    contacts = {r[0]: r[1:8] for r in rows("Kontak") if r and r[0]}
    for kind, values in E.CONTACTS_BY_KIND.items():
        got = contacts[label(ContactKind(kind).label)]
        assert (got[0], got[1], got[2], got[4], got[5]) == values[:5]
    total = contacts[label(_("Total"))]
    assert (total[0], total[1], total[2], total[3], total[4], total[5], total[6]) == (
        9, 8, 5, E.NONCOMPLIANT, 1, 2, E.ATTENDANCE_RATE)

    partners = {r[0]: r[1:8] for r in rows("Mitra") if r and r[0]}
    for key, values in E.PARTNERS.items():
        got = partners[october.partners[key].name]
        assert got[:6] == values[:6] and str(got[6]).replace(".", ",") == values[6]

    meetings = {r[0]: r[1:3] for r in rows("Pertemuan") if r and r[0]}
    for kind, values in E.MEETINGS.items():
        assert meetings[label(MeetingKind(kind).label)] == values

    caseload = {r[0]: r[2] for r in rows("Beban kerja PK") if r and r[0]}
    assert caseload[users["pk"].full_name] == E.CASELOAD["pk"]
    assert caseload[users["pk2"].full_name] == E.CASELOAD["pk2"]
    assert caseload[label(_("Total"))] == E.CASELOAD_TOTAL


def test_xlsx_cells_never_start_with_a_formula_trigger(october, office, users,
                                                        django_capture_on_commit_callbacks):
    october.partners["p2"].name = "=HYPERLINK(\"http://evil\",\"x\")"
    october.partners["p2"].save()
    users["pk"].full_name = "@SUM(A1:A9)"
    users["pk"].save()
    reports = generate(django_capture_on_commit_callbacks, office=office, by=users["head"])
    book = load_workbook(BytesIO(reports[ReportKind.MONTHLY_XLSX].file.read()))
    texts = [cell for sheet in book for r in sheet.iter_rows(values_only=True) for cell in r
             if isinstance(cell, str)]
    assert texts and not [t for t in texts if t.startswith(FORMULA_TRIGGERS)]
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in texts and "'@SUM(A1:A9)" in texts
    assert not [c for sheet in book for r in sheet.iter_rows() for c in r if c.data_type == "f"]


def test_regional_report_adds_the_offices_without_personal_data(october, office, users,
                                                                 django_capture_on_commit_callbacks,
                                                                 tmp_path):
    reports = generate(django_capture_on_commit_callbacks, regional_office=office.regional_office,
                       by=users["regional"])
    text = pdf_text(reports[ReportKind.REGIONAL_PDF].file.read(), tmp_path)
    adult, _child, rest = sections(text)
    assert row(adult, label(Program.PB.label), 7) == as_text(E.REGION_PB_ADULT)
    assert row(rest, label(_("Grand total")), 7) == as_text(E.REGION_TOTALS)
    assert row(rest, label(_("Total contacts")), 6) == as_text(E.REGION_CONTACTS)
    for name, values in E.REGION_OFFICES.items():
        assert row(rest, name, 8) == as_text(values[:8]), name
    for person in ("pk", "pk2", "other_pk", "supervisor", "head"):
        assert users[person].full_name not in text
    for o in october.orders.values():
        assert o.client.full_name not in text
    assert "KANWIL JAWA TIMUR" in text

    book = load_workbook(BytesIO(reports[ReportKind.REGIONAL_XLSX].file.read()))
    assert "Per kantor" in book.sheetnames
    cells = {cell for sheet in book for r in sheet.iter_rows(values_only=True) for cell in r}
    assert not {users[p].full_name for p in ("pk", "pk2", "other_pk")} & cells
    caseload = {r[0]: r[1:3] for r in book["Beban kerja PK"].iter_rows(values_only=True) if r[0]}
    assert caseload["Bapas Kelas II Jember"] == (2, 7)
    assert caseload["Bapas Kelas II Bondowoso"] == (1, 1)
