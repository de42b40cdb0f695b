"""The figures of the hand-built October 2026 (tests/reports/conftest.py), worked out by hand.

Columns of the flow tables: start, new, completed, revoked, transferred, deceased, end.
"""

from clients.models import Client, ContactKind, Program

ADULT, CHILD = Client.Section.ADULT, Client.Section.CHILD
ZERO = (0, 0, 0, 0, 0, 0, 0)

# Jember (office) only.
PROGRAMS = {
    (Program.PB, ADULT): (4, 0, 0, 0, 1, 1, 2),  # c1, c4 (transferred), c8 (deceased), c10
    (Program.CB, ADULT): (1, 1, 0, 0, 0, 0, 2),  # c11; c2 new
    (Program.CMB, ADULT): (1, 0, 1, 0, 0, 0, 0),  # c5 completed
    (Program.ASSIMILATION, ADULT): (0, 1, 0, 1, 0, 0, 0),  # c3: new and revoked
    (Program.CONDITIONAL, ADULT): (1, 0, 0, 0, 0, 0, 1),  # c6a
    (Program.SUPERVISED, ADULT): (0, 1, 0, 0, 0, 0, 1),  # c6b (same client as c6a)
    (Program.DIVERSION, CHILD): (1, 0, 0, 0, 0, 0, 1),  # c7
}
SECTION_TOTALS = {ADULT: (7, 3, 1, 1, 1, 1, 6), CHILD: (1, 0, 0, 0, 0, 0, 1)}
TOTALS = (8, 3, 1, 1, 1, 1, 7)

# Contacts planned in October, not cancelled: planned, done, attended, excused, missed, rate.
CONTACTS_BY_KIND = {
    ContactKind.REPORT: (6, 5, 3, 1, 1, "75%"),
    ContactKind.HOME_VISIT: (1, 1, 1, 0, 0, "100%"),
    ContactKind.GUARANTOR_VISIT: (1, 1, 0, 0, 1, "0%"),
    ContactKind.PHONE: (1, 1, 1, 0, 0, "100%"),
}
CONTACTS = (9, 8, 5, 1, 2, "71,4%")  # 5 attended / (8 done - 1 excused)
NONCOMPLIANT = 1
HOME_VISITS = 2  # the home visit and the guarantor visit (client not found) were carried out
ATTENDANCE_RATE = 71.4
SEPTEMBER_RATE = 66.7  # 2 attended of 3 done

# Active orders at the end of October per PK ("pk" has c1, c2, c6a, c10; "pk2" c6b, c7).
CASELOAD = {"pk": 4, "pk2": 2}
UNASSIGNED = 1
CASELOAD_TOTAL = 7

# Per partner: sent, completed, ended, open at the end, sessions, attended, hours.
PARTNERS = {
    "p1": (1, 1, 0, 1, 3, 2, "3,5"),  # r1 sent, r2 completed; 60 + 60 + 90 minutes
    "p2": (1, 0, 1, 1, 1, 0, "0,5"),  # r3 declined, r4 open; 30 minutes
}
PARTNER_TOTALS = (2, 1, 1, 2, 4, 2, "4")

# Meetings held: (held, present).
MEETINGS = {"coordination": (1, 3), "tpp": (1, 2), "case_conference": (0, 0), "other": (0, 0)}
MEETINGS_HELD = 2

# The region (Jember + Bondowoso): Bondowoso adds one adult PB order (start 1, end 1), one
# attended report, one referral sent to p1 and a case conference.
REGION_PB_ADULT = (5, 0, 0, 0, 1, 1, 3)
REGION_TOTALS = (9, 3, 1, 1, 1, 1, 8)
REGION_CONTACTS = (10, 9, 6, 1, 2, "75%")
REGION_OFFICES = {  # start, new, closed, end, contacts planned, done, rate, visits, PKs
    "Bapas Kelas II Bondowoso": (1, 0, 0, 1, 1, 1, "100%", 0, 1),
    "Bapas Kelas II Jember": (8, 3, 4, 7, 9, 8, "71,4%", 2, 2),
}
REGION_MEETINGS = {"coordination": (1, 3), "tpp": (1, 2), "case_conference": (1, 1),
                   "other": (0, 0)}
REGION_P1_SENT = 2
