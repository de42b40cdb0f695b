"""The seed's core: offices under regional offices, their staff, partners, clients and orders.

Offices sit in real regencies (the region tables from ``clients/data``); clients live in the
districts and villages of their office's regency, and their NIK encodes that district, their
birth date and sex (unique: the serial counts up per region and date).
"""

from __future__ import annotations

import math
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from .activity import ActivityMixin
from .common import (
    BENCH_DOMAIN,
    BENCH_PASSWORD,
    OfficeInfo,
    OrderInfo,
    ScaleOptions,
    model,
    office_email,
)
from .loader import Loader
from .vocabulary import (
    CHILD_PROGRAMS,
    EDUCATION,
    FAMILY,
    FEMALE_FIRST,
    MALE_FIRST,
    OCCUPATIONS,
    OFFENCES,
    PARTNER_TEMPLATES,
    PROGRAMS,
    RELIGIONS,
    RISK,
    TITLES,
    title_name,
)


class Seeder(ActivityMixin):
    """Builds the whole data set; ``run()`` returns the per-table timings."""

    def __init__(self, options: ScaleOptions, log: Callable[[str], None]):
        self.o = options
        self.log = log
        self.rng = random.Random(options.seed)  # noqa: S311 (synthetic data)
        self.loader = Loader(log)
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.t = self.today.toordinal()
        self.window_start = self.t - 365 * options.years
        self.ids: dict[str, int] = {}
        self.offices: list[OfficeInfo] = []
        self.orders: list[OrderInfo] = []
        self.partner_staff: dict[int, int] = {}
        self.partner_services: dict[int, list[int]] = {}
        self.client_names: dict[int, str] = {}
        self.whatsapp: dict[int, str] = {}

    # -- helpers --

    def next_ids(self, label: str, count: int) -> range:
        """``count`` fresh primary keys for the model, after whatever the table holds."""
        if label not in self.ids:
            model_cls = model(label) if "." in label else None
            current = model_cls.objects.aggregate(m=models.Max("pk"))["m"] if model_cls else 0
            self.ids[label] = current or 0
        start = self.ids[label] + 1
        self.ids[label] += count
        return range(start, start + count)

    def next_id(self, label: str) -> int:
        return self.next_ids(label, 1)[0]

    def at(self, ordinal: int, hour: int, minute: int = 0) -> datetime:
        d = date.fromordinal(ordinal)
        return datetime(d.year, d.month, d.day, hour, minute, tzinfo=self.tz)

    @staticmethod
    def weekday(ordinal: int) -> int:
        wd = (ordinal - 1) % 7
        return ordinal + (7 - wd) if wd >= 5 else ordinal  # weekends move to Monday

    def pick(self, seq):
        return seq[int(self.rng.random() * len(seq))]

    def person(self, female: bool) -> str:
        r = self.rng.random
        first = self.pick(FEMALE_FIRST if female else MALE_FIRST)
        if r() < 0.1:
            return first if first[-1] != "." else f"{first} {self.pick(FAMILY)}"
        name = f"{first} {self.pick(FAMILY)}"
        if r() < 0.2:
            name = f"{first} {self.pick(FEMALE_FIRST if female else MALE_FIRST)} " \
                   f"{self.pick(FAMILY)}"
        return name

    def nip(self, birth_year: int, female: bool, serial: int) -> str:
        r = self.rng.randint
        return (f"{birth_year}{r(1, 12):02d}{r(1, 28):02d}{birth_year + r(22, 30)}"
                f"{r(1, 12):02d}{2 if female else 1}{serial % 1000:03d}")

    def phone(self) -> str:
        return f"08{self.rng.choice('1235789')}{self.rng.randint(10_000_000, 999_999_999)}"

    # -- the run --

    def run(self) -> list[tuple[str, int, float]]:
        started = time.perf_counter()
        with transaction.atomic():
            self.loader.begin()
            self.seed_offices()
            self.seed_partners()
            self.seed_clients_and_orders()
            self.seed_contacts()
            self.seed_casework()
            self.seed_referrals()
            self.seed_meetings()
            self.loader.check_foreign_keys(self.loaded_models())
            self.reset_sequences()
        self.log(f"  committed after {time.perf_counter() - started:.1f} s")
        self.analyze()
        return self.loader.timings

    # -- offices and staff --

    def seed_offices(self) -> None:
        Province, Regency = model("clients.Province"), model("clients.Regency")
        District, Village = model("clients.District"), model("clients.Village")
        provinces = list(Province.objects.values_list("code", "name"))
        regencies = defaultdict(list)
        for code, name, province in Regency.objects.values_list("code", "name", "province_id"):
            regencies[province].append((code, name))
        if not provinces:
            raise RuntimeError("The region tables are empty: run migrate first.")
        provinces.sort(key=lambda p: (-len(regencies[p[0]]), p[0]))
        n_regions = max(1, min(len(provinces), math.ceil(self.o.offices / 10)))
        chosen = provinces[:n_regions]
        slots = [(p, rg) for i in range(600) for p in chosen
                 for rg in regencies[p[0]][i:i + 1]]
        if len(slots) < self.o.offices:
            raise ValueError(f"At most {len(slots)} offices fit the region data")
        slots = slots[: self.o.offices]

        RegionalOffice, Office, _User = (model("bapas.RegionalOffice"), model("bapas.Office"),
                                        model("bapas.User"))
        region_ids = dict(zip([p[0] for p in chosen],
                              self.next_ids("bapas.RegionalOffice", len(chosen)), strict=True))
        self.loader.load(RegionalOffice, ["id", "name"], (
            (region_ids[code], f"Kantor Wilayah Pemasyarakatan {name.title()} (bench)")
            for code, name in chosen
        ))
        office_ids = self.next_ids("bapas.Office", len(slots))
        rows = []
        for no, ((province, _), (regency_code, regency_name)), office_id in zip(
            range(1, len(slots) + 1), slots, office_ids, strict=True
        ):
            city = title_name(regency_name)
            info = OfficeInfo(no=no, id=office_id, city=city, regency_code=regency_code,
                              province_code=province)
            self.offices.append(info)
            grade = "I" if no % 5 == 1 else "II"
            rows.append((office_id, f"Bapas Kelas {grade} {city} (bench {no})", grade, city,
                         f"Jl. Pemasyarakatan No. {no}, {city}", f"(0{300 + no}) {400000 + no}",
                         office_email("bapas", no), region_ids[province],
                         f"Kepala Bapas {city}", self.nip(1972, False, no), True))
        self.loader.load(Office, ["id", "name", "office_class", "city", "address", "phone",
                                  "email", "regional_office", "head_name", "head_nip",
                                  "is_active"], rows)

        # Districts and villages of each office's regency: clients live there.
        by_regency = {o.regency_code: o for o in self.offices}
        villages = defaultdict(list)
        for code, district in Village.objects.filter(
            district__regency_id__in=list(by_regency)
        ).values_list("code", "district_id"):
            villages[district].append(code)
        for code, regency, name in District.objects.filter(
            regency_id__in=list(by_regency)
        ).values_list("code", "regency_id", "name"):
            by_regency[regency].districts.append((code, villages[code] or [""], name.title()))

        password = make_password(BENCH_PASSWORD)
        per_office = self.o.clients / len(self.offices)
        n_pks = max(2, round(per_office / 100))
        users = []
        for office in self.offices:
            staff = [("kabapas", "head"), ("kasubsi", "supervisor"), ("kasie", "supervisor"),
                     ("operator", "operator")] + [(f"pk{k}", "pk") for k in range(1, n_pks + 1)]
            for handle, role in staff:
                user_id = self.next_id("bapas.User")
                female = self.rng.random() < 0.45
                title = self.pick(TITLES) if role != "operator" else ""
                name = self.person(female) + (f", {title}" if title else "")
                users.append((user_id, password, office_email(handle, office.no), name,
                              self.nip(self.rng.randint(1968, 1996), female, user_id),
                              self.phone(), role, office.id, None, None, True, False,
                              self.now))
                if role == "head":
                    office.head = user_id
                elif role == "supervisor":
                    office.supervisors.append(user_id)
                elif role == "operator":
                    office.operator = user_id
                else:
                    office.pks.append(user_id)
        for code, _name in chosen:
            users.append((self.next_id("bapas.User"), password,
                          f"kanwil@region{code}.{BENCH_DOMAIN}", f"Pengamat Kanwil {code}", "",
                          "", "regional", None, region_ids[code], None, True, False, self.now))
        users.append((self.next_id("bapas.User"), password, f"admin@{BENCH_DOMAIN}",
                      "Administrator Bench", "", "", "admin", None, None, None, True, True,
                      self.now))
        self._user_rows = users
        self._user_columns = ["id", "password", "email", "full_name", "nip", "phone", "role",
                              "office", "regional_office", "partner", "is_active", "is_staff",
                              "date_joined"]
        # Partner staff are added in seed_partners, then all users are loaded at once.
        self.password = password

    # -- partners --

    def seed_partners(self) -> None:
        Partner, Service = model("partners.Partner"), model("partners.Service")
        Agreement, User = model("partners.Agreement"), model("bapas.User")
        services = dict(Service.objects.values_list("name", "pk"))
        if not services:
            raise RuntimeError("The service catalogue is empty: run migrate first.")
        fallback = list(services.values())
        partners, office_links, service_links, staff, agreements = [], [], [], [], []
        for office in self.offices:
            regency = f"Kabupaten {office.city}"
            district = office.districts[0][2] if office.districts else office.city
            for j, (pattern, kind, group, offered) in enumerate(PARTNER_TEMPLATES, start=1):
                partner_id = self.next_id("partners.Partner")
                name = pattern.format(city=office.city, regency=regency, district=district)
                partners.append((partner_id, f"{name} (bench {office.no})", kind, group,
                                 f"Jl. Mitra No. {j}, {office.city}", self.phone(), True))
                office.partners.append(partner_id)
                office_links.append((self.next_id("partners.Partner_offices"), partner_id,
                                     office.id))
                ids = [services[s] for s in offered if s in services] or fallback[:1]
                self.partner_services[partner_id] = ids
                for service_id in ids:
                    service_links.append((self.next_id("partners.Partner_services"),
                                          partner_id, service_id))
                user_id = self.next_id("bapas.User")
                self.partner_staff[partner_id] = user_id
                staff.append((user_id, self.password, office_email(f"mitra{j}", office.no),
                              self.person(self.rng.random() < 0.5), "", self.phone(),
                              "partner", None, None, partner_id, True, False, self.now))
                start = self.t - self.rng.randint(30, 900)
                end = start + self.rng.choice([365, 730, 1095])
                agreements.append((self.next_id("partners.Agreement"), partner_id, office.id,
                                   "pks" if j % 2 else "mou", f"PKS.{office.no}.{j}/{2020 + j}",
                                   f"Perjanjian kerja sama {name}", date.fromordinal(start),
                                   date.fromordinal(end), self.now))
        self.loader.load(Partner, ["id", "name", "kind", "pokmas_group", "address", "phone",
                                   "is_active"], partners)
        self.loader.load(User, self._user_columns, self._user_rows + staff)
        self.loader.load(Partner.offices.through, ["id", "partner", "office"], office_links)
        self.loader.load(Partner.services.through, ["id", "partner", "service"], service_links)
        self.loader.load(Agreement, ["id", "partner", "office", "kind", "number", "title",
                                     "start_date", "end_date", "created_at"], agreements)
        del self._user_rows

    # -- clients and orders --

    def seed_clients_and_orders(self) -> None:
        Client, Order = model("clients.Client"), model("clients.SupervisionOrder")
        normalise = sys.modules[Client.__module__].normalise_name
        ReportingInterval = model("clients.ReportingInterval")
        r, rng = self.rng.random, self.rng
        n = self.o.clients
        client_ids = self.next_ids("clients.Client", n)
        niks: dict[str, int] = {}
        register: dict[tuple, int] = defaultdict(int)
        program_table = [p for p in PROGRAMS for _ in range(p[1])]
        child_table = [p for p in CHILD_PROGRAMS for _ in range(p[1])]
        clients, orders = [], []

        def order_dates(program, child, latest_start):
            months = program[2] + int(r() * (program[3] - program[2] + 1))
            start = self.window_start - 240 + int(r() * (latest_start - self.window_start + 240))
            return start, start + months * 30 + int(r() * 20)

        for index, client_id in enumerate(client_ids):
            office = self.offices[index % len(self.offices)]
            office.clients.append(client_id)
            female = r() < 0.1
            child = r() < 0.07
            name = self.person(female)
            self.client_names[client_id] = name
            # Orders first: the birth date follows from the age at the first order.
            program = self.pick(child_table if child else program_table)
            previous = None
            if not child and r() < 0.13:  # an earlier, closed order
                old = self.pick(program_table)
                s1, e1 = order_dates(old, child, self.t - 400)
                previous = (old[0], s1, min(e1, self.t - 200))
            start, end = order_dates(program, child, self.t - 3)
            if previous and start <= previous[2]:
                start = previous[2] + 30 + int(r() * 60)
                end = max(end, start + 90)
            first_start = previous[1] if previous else start
            age = (12 + int(r() * 6)) if child else (19 + int(r() * 40))
            birth = date.fromordinal(first_start - age * 365 - int(r() * 360))
            district, villages, _district_name = self.pick(office.districts) if \
                office.districts else ("", [""], office.city)
            nik = None
            if district and r() < 0.93:
                day = birth.day + (40 if female else 0)
                born = f"{day:02d}{birth.month:02d}{birth.year % 100:02d}"
                prefix = f"{district.replace('.', '')}{born}"
                serial = niks.get(prefix, int(r() * 20)) + 1
                niks[prefix] = serial
                if serial <= 9999:
                    nik = f"{prefix}{serial:04d}"
            year = date.fromordinal(first_start).year
            code = "ANAK" if child else "DWS"
            register[(office.id, year, code)] += 1
            number = f"{register[(office.id, year, code)]:04d}/{code}/{year}"
            whatsapp = self.phone() if r() < 0.6 else ""
            if whatsapp:
                self.whatsapp[client_id] = whatsapp
            clients.append((
                client_id, office.id, number, name, normalise(name)[:200], nik,
                office.city, birth, "P" if female else "L", self.pick(RELIGIONS),
                self.pick(EDUCATION), rng.choice(["single", "married", "married", "divorced"]),
                self.pick(OCCUPATIONS), f"Jl. {self.pick(FAMILY)} No. {int(r() * 120) + 1}",
                f"{int(r() * 12) + 1:03d}", f"{int(r() * 8) + 1:03d}",
                office.province_code, office.regency_code, district or None,
                self.pick(villages) or None, whatsapp or self.phone(), whatsapp,
                self.person(not female), rng.choice(["Orang tua", "Istri", "Suami", "Saudara"]),
                self.phone(), "child" if child else "adult", office.operator,
                self.at(first_start - 5, 9),
            ))
            for prog, s, e in ([previous] if previous else []) + [(program[0], start, end)]:
                orders.append(self._order(index % len(self.offices), client_id, child, prog,
                                          s, e))
        self.loader.load(Client, [
            "id", "office", "register_number", "full_name", "search_name", "nik", "birth_place",
            "birth_date", "sex", "religion", "education", "marital_status", "occupation",
            "address_street", "rt", "rw", "province", "regency", "district", "village",
            "phone", "whatsapp", "guarantor_name", "guarantor_relationship", "guarantor_phone",
            "section", "created_by", "created_at"], clients)
        del clients
        self.orders = orders
        order_ids = self.next_ids("clients.SupervisionOrder", len(orders))
        rows = []
        for info, order_id in zip(orders, order_ids, strict=True):
            info.id = order_id
            offence, article = self.pick(OFFENCES)
            office = self.offices[info.office]
            cover = self.pick(office.pks) if info.status == "aktif" and r() < 0.03 else None
            if cover == info.pk:
                cover = None
            start = date.fromordinal(info.start)
            rows.append((
                order_id, info.client, office.id, info.program,
                f"PAS-{order_id}.PK.01.05.06/{start.year}",
                date.fromordinal(info.start - 14), offence, article,
                f"{1 + int(r() * 5)} tahun", "lpka" if info.child else rng.choice(
                    ["lapas", "lapas", "rutan", "court"]), f"Lapas Kelas II {office.city}",
                start, date.fromordinal(info.end), info.risk, info.pk, cover, info.status,
                date.fromordinal(info.closed) if info.closed else None, info.pk or office.operator,
                self.at(info.start - 3, 10),
            ))
        self.loader.load(Order, [
            "id", "client", "office", "program", "decree_number", "decree_date", "offence",
            "article",
            "sentence", "institution_type", "institution_name", "supervision_start",
            "supervision_end", "risk_level", "assigned_pk", "cover_pk", "status",
            "status_changed_at", "created_by", "created_at"], rows)
        intervals = []
        for office in self.offices[::3]:  # a third of the offices set their own intervals
            for risk, days in (("rendah", 28), ("sedang", 14), ("tinggi", 7)):
                intervals.append((self.next_id("clients.ReportingInterval"), office.id, risk,
                                  days))
        self.loader.load(ReportingInterval, ["id", "office", "risk_level", "interval_days"],
                         intervals)

    def _order(self, office_index: int, client_id: int, child: bool, program: str, start: int,
               end: int) -> OrderInfo:
        r = self.rng.random
        office = self.offices[office_index]
        status, closed = "aktif", 0
        if end < self.t - 10 or (end < self.t and r() < 0.7):
            roll = r()
            if roll < 0.07:
                status, closed = "dicabut", start + int(r() * max(1, end - start))
            elif roll < 0.10:
                status, closed = "dialihkan", start + int(r() * max(1, end - start))
            elif roll < 0.11:
                status, closed = "meninggal", start + int(r() * max(1, end - start))
            elif roll < 0.995:
                status, closed = "selesai", min(end + int(r() * 5), self.t)
            # else: past its end, still active (needs closing)
        elif r() < 0.02:
            status, closed = "dicabut", start + int(r() * max(1, self.t - start))
        info = OrderInfo(id=0, office=office_index, client=client_id, child=child,
                         pk=self.pick(office.pks), start=start, end=end, status=status,
                         closed=min(closed, self.t), risk=self.pick(RISK), program=program)
        if status == "aktif" and start > self.t - 20 and r() < 0.1:
            info.pk = None  # registered, not yet assigned to a PK
        return info

    # -- finishing --

    def loaded_models(self) -> list[type[models.Model]]:
        seen, result = set(), []
        for table, _count, _elapsed in self.loader.timings:
            if table in seen:
                continue
            seen.add(table)
            result.extend(m for m in apps.get_models(include_auto_created=True)
                          if m._meta.db_table == table)
        return result

    def reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), self.loaded_models())
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def analyze(self) -> None:
        """Fresh planner statistics (and, on PostgreSQL, the visibility map) for every table."""
        started = time.perf_counter()
        tables = sorted({table for table, _c, _e in self.loader.timings
                         if not table.startswith("(")})
        with connection.cursor() as cursor:
            for table in tables:
                # VACUUM cannot run inside a transaction (tests wrap every test in one).
                if connection.vendor == "postgresql" and not connection.in_atomic_block:
                    cursor.execute(f'VACUUM (ANALYZE) "{table}"')
                else:
                    cursor.execute(f'ANALYZE "{table}"')
        self.loader.timings.append(("(vacuum/analyze)", 0, time.perf_counter() - started))
        self.log(f"  vacuum/analyze {len(tables)} tables {time.perf_counter() - started:8.1f} s")
