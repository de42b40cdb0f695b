"""The monthly figures as an XLSX workbook, for the regional office's spreadsheets.

Sheets: Ringkasan (orders per program and section), Kontak, Mitra, Pertemuan and Beban kerja PK
(per office for a regional workbook, which also has Per kantor). Sheet names are fixed in
Indonesian because the regional office's own spreadsheets refer to them; column headings follow
the document language.

No cell written here can be read as a formula: text that starts with ``= + - @`` (or a tab or
carriage return) gets a leading apostrophe, so names typed by users cannot inject formulas
(CSV/formula injection).
"""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from clients.models import Client

from .figures import FLOW_FIELDS, SECTIONS, MonthlyFigures
from .pdf import MONTHS_ID, format_date_id

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
BOLD = Font(bold=True)


def safe_cell(value):
    """Numbers stay numbers; text never starts with a formula trigger."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class SheetWriter:
    """Appends rows of safe values and keeps simple formatting in one place."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.widths: dict[int, int] = {}

    def row(self, values, *, bold: bool = False, header: bool = False) -> None:
        self.sheet.append([safe_cell(value) for value in values])
        row_number = self.sheet.max_row
        for index, value in enumerate(values, start=1):
            cell = self.sheet.cell(row=row_number, column=index)
            if bold or header:
                cell.font = BOLD
            if header:
                cell.fill = HEADER_FILL
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(value, float):
                cell.number_format = "0.0"
            self.widths[index] = max(self.widths.get(index, 8), min(len(str(value)) + 2, 60))

    def blank(self) -> None:
        self.sheet.append([])

    def finish(self) -> None:
        for index, width in self.widths.items():
            self.sheet.column_dimensions[get_column_letter(index)].width = width


def flow_headings() -> list[str]:
    return [_("Start of month"), _("New"), _("Completed"), _("Revoked"), _("Transferred"),
            _("Deceased"), _("End of month")]


def _percent(value: float | None):
    return value if value is not None else "—"


def _title_rows(writer: SheetWriter, title: str, issuer: str, figures: MonthlyFigures,
                generated_at) -> None:
    writer.row([title], bold=True)
    writer.row([_("Issued by"), issuer])
    writer.row([_("Period"), f"{MONTHS_ID[figures.month - 1]} {figures.year}"])
    writer.row([_("From"), format_date_id(figures.first_day), _("to"),
                format_date_id(figures.last_day)])
    writer.row([_("Generated"), timezone.localtime(generated_at).strftime("%d/%m/%Y %H:%M")])
    writer.blank()


def build_workbook(figures: MonthlyFigures, *, title: str, issuer: str, regional: bool,
                   generated_at=None) -> bytes:
    generated_at = generated_at or timezone.now()
    book = Workbook()

    # Ringkasan: orders per program and section.
    summary = SheetWriter(book.active)
    summary.sheet.title = "Ringkasan"
    _title_rows(summary, title, issuer, figures, generated_at)
    summary.row([_("Program type"), _("Section"), *flow_headings()], header=True)
    for section in SECTIONS:
        for row in figures.section_rows(section):
            summary.row([row.label, row.section_label, *row.values()])
        totals = figures.totals_by_section()[section]
        summary.row([_("Subtotal"), str(Client.Section(section).label),
                     *[totals[name] for name in FLOW_FIELDS]], bold=True)
    summary.row([_("Total"), "", *[figures.total(name) for name in FLOW_FIELDS]], bold=True)
    summary.finish()

    # Kontak: contacts and attendance.
    contacts = SheetWriter(book.create_sheet("Kontak"))
    _title_rows(contacts, title, issuer, figures, generated_at)
    contacts.row([_("Kind of contact"), _("Planned"), _("Done"), _("Attended"),
                  _("of which failed to comply"), _("Absent with an acceptable reason"),
                  _("Failed to attend"), _("Attendance rate (%)")], header=True)
    for kind_row in figures.contacts_by_kind:
        f = kind_row.figures
        contacts.row([kind_row.label, f.planned, f.done, f.attended, f.noncompliant, f.excused,
                      f.missed, _percent(f.attendance_rate)])
    f = figures.contacts
    contacts.row([_("Total"), f.planned, f.done, f.attended, f.noncompliant, f.excused,
                  f.missed, _percent(f.attendance_rate)], bold=True)
    contacts.blank()
    contacts.row([_("Visits carried out (home, workplace, guarantor)"), f.home_visits])
    contacts.row([_("Attendance rate (%)"), _percent(f.attendance_rate)])
    contacts.finish()

    # Mitra: referrals and services per partner.
    partners = SheetWriter(book.create_sheet("Mitra"))
    _title_rows(partners, title, issuer, figures, generated_at)
    partners.row([_("Partner"), _("Referrals sent"), _("Completed"),
                  _("Declined, withdrawn or ended early"), _("Open at the end of the month"),
                  _("Service sessions"), _("Sessions attended"), _("Hours of service")],
                 header=True)
    for row in [*figures.partners, figures.partner_totals()]:
        partners.row([row.name, row.sent, row.completed, row.ended, row.open_at_end,
                      row.sessions, row.sessions_attended, row.hours],
                     bold=row.partner_id == 0)
    partners.finish()

    # Pertemuan: meetings held.
    meetings = SheetWriter(book.create_sheet("Pertemuan"))
    _title_rows(meetings, title, issuer, figures, generated_at)
    meetings.row([_("Kind of meeting"), _("Meetings held"), _("Attendees present")],
                 header=True)
    for row in figures.meetings:
        meetings.row([row.label, row.held, row.attendees])
    meetings.row([_("Total"), figures.meetings_held, sum(r.attendees for r in figures.meetings)],
                 bold=True)
    meetings.finish()

    # Beban kerja PK: per PK, or (regional: no names) per office.
    caseload = SheetWriter(book.create_sheet("Beban kerja PK"))
    _title_rows(caseload, title, issuer, figures, generated_at)
    if regional:
        caseload.row([_("Office"), _("PKs"), _("Active orders at the end of the month"),
                      _("Average per PK")], header=True)
        for row in figures.offices:
            caseload.row([row.name, row.pks, row.end,
                          row.caseload_average if row.caseload_average is not None else "—"])
        caseload.row([_("Total"), sum(r.pks for r in figures.offices),
                      sum(r.end for r in figures.offices), ""], bold=True)
    else:
        caseload.row([_("PK"), _("NIP"), _("Active orders at the end of the month")],
                     header=True)
        for row in figures.caseload:
            caseload.row([row.name, row.nip, row.count])
        caseload.row([_("Total"), "", figures.caseload_total], bold=True)
    caseload.finish()

    if regional:
        offices = SheetWriter(book.create_sheet("Per kantor"))
        _title_rows(offices, title, issuer, figures, generated_at)
        offices.row([_("Office"), _("Start of month"), _("New"), _("Closed"), _("End of month"),
                     _("Contacts planned"), _("Contacts done"), _("Attendance rate (%)"),
                     _("Visits carried out")], header=True)
        for row in figures.offices:
            offices.row([row.name, row.start, row.new, row.closed, row.end,
                         row.contacts_planned, row.contacts_done,
                         _percent(row.attendance_rate), row.home_visits])
        offices.finish()

    book.properties.creator = issuer[:100]
    book.properties.title = title[:100]
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()

