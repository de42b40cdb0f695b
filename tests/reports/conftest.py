"""A month built by hand: October 2026 at the Jember office (and a little at Bondowoso).

Every record is placed so that one counting rule is exercised; the expected figures are written
out by hand in ``tests/reports/expected.py``, independently of ``reports.figures``.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bapas.models import Role
from clients.models import Client, Contact, ContactKind, OrderStatus, Outcome, Program
from meetings.models import Attendance, Meeting, MeetingKind
from partners.models import Referral, ReferralStatus, ServiceSession
from tests.factories import ClientFactory, OrderFactory, PartnerFactory, UserFactory
from tests.factories.partners import ReferralFactory, ServiceFactory

JAKARTA = ZoneInfo("Asia/Jakarta")
PDFTOTEXT = shutil.which("pdftotext")


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=JAKARTA)


def pdf_text(data: bytes, tmp_path, name: str = "doc.pdf") -> str:
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.fixture(autouse=True)
def _report_files_in_tmp(monkeypatch, tmp_path):
    """FileField storages are resolved when the model class is built, so the shared fixture's
    STORAGES override does not reach them: point the reports' storage at this test's tmp dir."""
    from django.core.files.storage import FileSystemStorage

    from reports.models import GeneratedReport

    field = GeneratedReport._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=tmp_path / "reports"))


@dataclass
class Month:
    orders: dict = field(default_factory=dict)
    contacts: list = field(default_factory=list)
    referrals: dict = field(default_factory=dict)
    partners: dict = field(default_factory=dict)
    meetings: dict = field(default_factory=dict)


def order(office, program, start, *, pk=None, end=None, status=OrderStatus.ACTIVE,
          changed=None, section=Client.Section.ADULT, client=None, name=None):
    client = client or ClientFactory(office=office, section=section,
                                     **({"full_name": name} if name else {}))
    return OrderFactory(client=client, program=program, supervision_start=start,
                        supervision_end=end or date(2027, 9, 30), status=status,
                        status_changed_at=changed, assigned_pk=pk)


def contact(o, kind, when, outcome="", *, cancelled=False):
    return Contact.objects.create(
        order=o, kind=kind, planned_at=when, outcome=outcome,
        happened_at=when if outcome else None, officer=o.assigned_pk,
        cancelled_at=when if cancelled else None,
    )


def referral(o, partner, status, *, sent=None, closed=None, officer):
    r = ReferralFactory(order=o, partner=partner, created_by=officer,
                        service=ServiceFactory(name="Pelatihan kerja"))
    Referral.objects.filter(pk=r.pk).update(status=status, sent_at=sent, closed_at=closed)
    r.refresh_from_db()
    return r


def session(r, day, attendance, minutes, by):
    return ServiceSession.objects.create(referral=r, date=day, duration_minutes=minutes,
                                         attendance=attendance, activity="Pelatihan",
                                         logged_by=by)


def meeting(office, kind, when, by, *, present=0, absent=0, cancelled=False):
    m = Meeting.objects.create(office=office, kind=kind, title=f"Rapat {kind}", starts_at=when,
                               place="Aula Bapas", created_by=by,
                               cancelled_at=when if cancelled else None)
    for i in range(present):
        Attendance.objects.create(meeting=m, name=f"Peserta {i}", present=True, recorded_by=by)
    for i in range(absent):
        Attendance.objects.create(meeting=m, name=f"Absen {i}", present=False, recorded_by=by)
    return m


@pytest.fixture
def october(db, users, office, other_office, partner):
    """October 2026, by hand. See tests/reports/expected.py for what each record adds."""
    pk_a, pk_b = users["pk"], users["pk2"]
    sup = users["supervisor"]
    month = Month()
    o = month.orders
    # Adult PB active since March: start 1, end 1 (PK A).
    o["c1"] = order(office, Program.PB, date(2026, 3, 1), pk=pk_a, name="Andi Wijaya")
    # CB starting on 10 October: new 1, end 1 (PK A).
    o["c2"] = order(office, Program.CB, date(2026, 10, 10), pk=pk_a)
    # Assimilation starting 5 October and revoked 20 October: new 1, revoked 1 (PK B).
    o["c3"] = order(office, Program.ASSIMILATION, date(2026, 10, 5), pk=pk_b,
                    status=OrderStatus.REVOKED, changed=date(2026, 10, 20))
    # PB transferred on 12 October: start 1, transferred 1 (PK B).
    o["c4"] = order(office, Program.PB, date(2026, 1, 15), pk=pk_b,
                    status=OrderStatus.TRANSFERRED, changed=date(2026, 10, 12))
    # CMB completed on 15 October: start 1, completed 1 (PK A).
    o["c5"] = order(office, Program.CMB, date(2026, 5, 1), end=date(2026, 10, 15), pk=pk_a,
                    status=OrderStatus.COMPLETED, changed=date(2026, 10, 15))
    # One client, two orders: conditional sentence (start 1, end 1, PK A) and a supervised
    # sentence starting 1 October (new 1, end 1, PK B).
    o["c6a"] = order(office, Program.CONDITIONAL, date(2026, 2, 1), pk=pk_a)
    o["c6b"] = order(office, Program.SUPERVISED, date(2026, 10, 1), pk=pk_b,
                     client=o["c6a"].client)
    # A child client under diversion: child start 1, end 1 (PK B).
    o["c7"] = order(office, Program.DIVERSION, date(2026, 8, 1), pk=pk_b,
                    section=Client.Section.CHILD)
    # PB, died on 25 October: start 1, deceased 1 (PK A).
    o["c8"] = order(office, Program.PB, date(2026, 9, 1), pk=pk_a,
                    status=OrderStatus.DECEASED, changed=date(2026, 10, 25))
    # PB starting in November: not counted.
    o["c9"] = order(office, Program.PB, date(2026, 11, 5), pk=pk_a)
    # PB completed in November: still active at the start and the end of October (PK A).
    o["c10"] = order(office, Program.PB, date(2026, 2, 1), pk=pk_a,
                     status=OrderStatus.COMPLETED, changed=date(2026, 11, 10))
    # CB without a PK: start 1, end 1, caseload "not assigned".
    o["c11"] = order(office, Program.CB, date(2026, 9, 15))
    # Completed before October: not counted.
    o["c13"] = order(office, Program.PB, date(2025, 10, 1), pk=pk_a,
                     status=OrderStatus.COMPLETED, changed=date(2026, 9, 30))
    # The other office of the region: excluded from Jember, added to the regional report.
    o["c12"] = order(other_office, Program.PB, date(2026, 1, 1), pk=users["other_pk"])

    c = month.contacts
    c.append(contact(o["c1"], ContactKind.REPORT, at(2026, 10, 2), Outcome.ATTENDED))
    c.append(contact(o["c1"], ContactKind.REPORT, at(2026, 10, 16),
                     Outcome.ATTENDED_NONCOMPLIANT))
    c.append(contact(o["c1"], ContactKind.REPORT, at(2026, 10, 31, 23, 30), Outcome.ATTENDED))
    c.append(contact(o["c1"], ContactKind.REPORT, at(2026, 11, 1, 0, 30), Outcome.ATTENDED))
    c.append(contact(o["c1"], ContactKind.REPORT, at(2026, 9, 30, 23, 59), Outcome.ATTENDED))
    c.append(contact(o["c2"], ContactKind.REPORT, at(2026, 10, 12), Outcome.EXCUSED))
    c.append(contact(o["c2"], ContactKind.HOME_VISIT, at(2026, 10, 20), Outcome.ATTENDED))
    c.append(contact(o["c6a"], ContactKind.REPORT, at(2026, 10, 5), Outcome.MISSED))
    c.append(contact(o["c6a"], ContactKind.GUARANTOR_VISIT, at(2026, 10, 21), Outcome.MISSED))
    c.append(contact(o["c7"], ContactKind.PHONE, at(2026, 10, 7), Outcome.ATTENDED))
    c.append(contact(o["c10"], ContactKind.REPORT, at(2026, 10, 30)))  # no outcome yet
    c.append(contact(o["c10"], ContactKind.REPORT, at(2026, 10, 9), cancelled=True))
    c.append(contact(o["c12"], ContactKind.REPORT, at(2026, 10, 8), Outcome.ATTENDED))
    # Earlier months, for the attendance trend: September 1 of 2 attended.
    c.append(contact(o["c1"], ContactKind.REPORT, at(2026, 9, 3), Outcome.ATTENDED))
    c.append(contact(o["c11"], ContactKind.REPORT, at(2026, 9, 20), Outcome.MISSED))

    p1 = partner  # Dinas Sosial Kabupaten Jember
    p2 = PartnerFactory(name="BLK Jember", offices=[office])
    month.partners = {"p1": p1, "p2": p2}
    staff = UserFactory(role=Role.PARTNER, office=None, partner=p1)
    r = month.referrals
    r["r1"] = referral(o["c1"], p1, ReferralStatus.IN_PROGRESS, sent=at(2026, 10, 3),
                       officer=pk_a)
    session(r["r1"], date(2026, 10, 10), ServiceSession.Attendance.ATTENDED, 60, staff)
    session(r["r1"], date(2026, 10, 17), ServiceSession.Attendance.ABSENT, 60, staff)
    session(r["r1"], date(2026, 11, 2), ServiceSession.Attendance.ATTENDED, 60, staff)
    r["r2"] = referral(o["c2"], p1, ReferralStatus.COMPLETED, sent=at(2026, 9, 20),
                       closed=at(2026, 10, 25), officer=pk_a)
    session(r["r2"], date(2026, 9, 25), ServiceSession.Attendance.ATTENDED, 90, staff)
    session(r["r2"], date(2026, 10, 5), ServiceSession.Attendance.ATTENDED, 90, staff)
    r["r3"] = referral(o["c6a"], p2, ReferralStatus.DECLINED, sent=at(2026, 10, 8),
                       closed=at(2026, 10, 9), officer=pk_a)
    r["r4"] = referral(o["c7"], p2, ReferralStatus.IN_PROGRESS, sent=at(2026, 8, 1),
                       officer=pk_b)
    session(r["r4"], date(2026, 10, 14), ServiceSession.Attendance.EXCUSED, 30, staff)
    r["r5"] = referral(o["c10"], p2, ReferralStatus.DRAFT, officer=pk_a)
    r["r6"] = referral(o["c12"], p1, ReferralStatus.SENT, sent=at(2026, 10, 6),
                       officer=users["other_pk"])

    month.meetings = {
        "m1": meeting(office, MeetingKind.COORDINATION, at(2026, 10, 14, 10), sup,
                      present=3, absent=1),
        "m2": meeting(office, MeetingKind.TPP, at(2026, 10, 22), sup, present=2),
        "m3": meeting(office, MeetingKind.COORDINATION, at(2026, 10, 28), sup, present=4,
                      cancelled=True),
        "m4": meeting(office, MeetingKind.COORDINATION, at(2026, 11, 3), sup, present=5),
        "m5": meeting(other_office, MeetingKind.CASE_CONFERENCE, at(2026, 10, 15),
                      UserFactory(role=Role.SUPERVISOR, office=other_office), present=1),
    }
    return month
