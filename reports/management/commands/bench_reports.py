"""Benchmark: render time of a monthly report for a large office and of a year-long progress
report. Builds synthetic data inside a transaction that is rolled back afterwards (unless
--keep), so it can run against any database without leaving anything behind.

    python manage.py bench_reports --clients 2000
"""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from bapas.models import Office, RegionalOffice, Role, User
from clients.models import (
    Client,
    Contact,
    ContactKind,
    OrderStatus,
    Outcome,
    Program,
    SupervisionOrder,
)
from meetings.models import Meeting, MeetingKind
from partners.models import Partner, Referral, ReferralStatus, Service, ServiceSession
from reports.documents import render_document
from reports.figures import previous_month
from reports.models import GeneratedReport, ReportKind


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time the monthly report of an office with N active clients and a year-long " \
           "progress report (synthetic data, rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=2000)
        parser.add_argument("--pks", type=int, default=12)
        parser.add_argument("--keep", action="store_true", help="Keep the synthetic data.")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, **options):
        if options["clients"] < 1:
            raise CommandError("--clients must be at least 1")
        rng = random.Random(options["seed"])  # noqa: S311 (synthetic data, not security)
        try:
            with transaction.atomic():
                self._run(rng, options)
                if not options["keep"]:
                    raise Rollback
        except Rollback:
            self.stdout.write("Synthetic data rolled back.")

    def _timed(self, label: str, fn):
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{label:<55} {elapsed:7.2f} s  ({len(result):,} bytes)")
        return result

    def _run(self, rng, options):
        today = timezone.localdate()
        year, month = previous_month(today)
        first = date(year, month, 1)
        region, _ = RegionalOffice.objects.get_or_create(name="Kanwil Benchmark")
        office = Office.objects.create(name=f"Bapas Benchmark {time.time_ns()}", city="Jember",
                                       address="Jl. Uji No. 1", regional_office=region,
                                       head_name="Kepala Uji", head_nip="197203151998031002")
        pks = [User.objects.create_user(email=f"bench-pk-{office.pk}-{i}@bench.local",
                                        full_name=f"PK Uji {i}", role=Role.PK, office=office)
               for i in range(options["pks"])]
        started = time.perf_counter()
        n = options["clients"]
        clients = Client.objects.bulk_create([
            Client(office=office, register_number=f"B-{i:06d}", full_name=f"Klien Uji {i}",
                   search_name=f"klien uji {i}", birth_place="Jember",
                   birth_date=date(1990, 1, 1) + timedelta(days=i % 3000),
                   sex=Client.Sex.MALE, section=Client.Section.CHILD if i % 15 == 0
                   else Client.Section.ADULT)
            for i in range(n)
        ])
        programs = Program.values
        orders = SupervisionOrder.objects.bulk_create([
            SupervisionOrder(client=c, office=office, program=rng.choice(programs),
                             offence="Pencurian",
                             supervision_start=first - timedelta(days=rng.randint(0, 400)),
                             supervision_end=first + timedelta(days=rng.randint(60, 500)),
                             assigned_pk=pks[i % len(pks)], status=OrderStatus.ACTIVE)
            for i, c in enumerate(clients)
        ])
        outcomes = [Outcome.ATTENDED] * 7 + [Outcome.ATTENDED_NONCOMPLIANT, Outcome.EXCUSED,
                                             Outcome.MISSED]
        contacts = []
        for order in orders:  # about two contacts a month over the last year
            for m in range(12):
                day = first - timedelta(days=30 * m) + timedelta(days=rng.randint(0, 27))
                kind = ContactKind.HOME_VISIT if rng.random() < 0.15 else ContactKind.REPORT
                moment = timezone.make_aware(datetime.combine(day, datetime.min.time()))
                contacts.append(Contact(order=order, kind=kind, planned_at=moment,
                                        outcome=rng.choice(outcomes),
                                        officer=order.assigned_pk))
        Contact.objects.bulk_create(contacts, batch_size=2000)
        partners = [Partner.objects.create(name=f"Mitra Uji {i}", kind=Partner.Kind.NGO)
                    for i in range(8)]
        service = Service.objects.first() or Service.objects.create(name="Layanan uji")
        referrals = Referral.objects.bulk_create([
            Referral(order=order, partner=rng.choice(partners), service=service,
                     created_by=order.assigned_pk, status=ReferralStatus.IN_PROGRESS,
                     sent_at=timezone.make_aware(datetime.combine(first, datetime.min.time())))
            for order in orders[: n // 5]
        ])
        ServiceSession.objects.bulk_create([
            ServiceSession(referral=r, date=first + timedelta(days=d), duration_minutes=60,
                           attendance=ServiceSession.Attendance.ATTENDED, activity="Sesi",
                           logged_by=r.created_by)
            for r in referrals for d in (3, 17)
        ])
        for i in range(6):
            Meeting.objects.create(office=office, kind=MeetingKind.COORDINATION,
                                   title=f"Rapat {i}", place="Aula", created_by=pks[0],
                                   starts_at=timezone.make_aware(
                                       datetime.combine(first + timedelta(days=4 * i),
                                                        datetime.min.time())))
        self.stdout.write(f"Synthetic office: {n:,} active clients, {len(contacts):,} contacts, "
                          f"{len(referrals):,} referrals ({time.perf_counter() - started:.1f} s)")

        period = {"period_start": first, "period_end": date(year, month, 28)}
        monthly = GeneratedReport(kind=ReportKind.MONTHLY_PDF, office=office, **period)
        self._timed(f"Monthly report PDF ({n:,} active clients)",
                    lambda: render_document(monthly))
        sheet = GeneratedReport(kind=ReportKind.MONTHLY_XLSX, office=office, **period)
        self._timed(f"Monthly report XLSX ({n:,} active clients)", lambda: render_document(sheet))
        regional = GeneratedReport(kind=ReportKind.REGIONAL_PDF, regional_office=region, **period)
        self._timed("Regional report PDF", lambda: render_document(regional))

        order = orders[0]
        weekly = [Contact(order=order, kind=ContactKind.REPORT, officer=order.assigned_pk,
                          planned_at=timezone.make_aware(datetime.combine(
                              today - timedelta(days=7 * w), datetime.min.time())),
                          outcome=rng.choice(outcomes),
                          notes="Klien melapor, kondisi baik, bekerja sebagai buruh tani.")
                  for w in range(52)]
        Contact.objects.bulk_create(weekly)
        progress = GeneratedReport.objects.create(
            kind=ReportKind.PROGRESS, office=office, client=order.client, order=order,
            period_start=today - timedelta(days=365), period_end=today,
            parameters={"signer_id": order.assigned_pk_id, "evaluation": "Baik.",
                        "recommendation": "Lanjutkan."},
        )
        self._timed("Progress report PDF (a year: about 75 contacts)",
                    lambda: render_document(progress))
