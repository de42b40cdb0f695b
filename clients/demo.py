"""Demo clients for ``manage.py seed_demo``: about 60 for Bapas Jember, 4 for Bondowoso.

Reproducible (a fixed random seed; dates relative to today) and idempotent: a client whose
register number already exists is skipped with everything that hangs off it. Contacts are
inserted in bulk so a whole seed stays fast on SQLite.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from bapas.models import User

from .models import (
    ATTENDED_OUTCOMES,
    CaseNote,
    Client,
    Contact,
    ContactKind,
    InstitutionType,
    OrderStatus,
    OrderStatusChange,
    Outcome,
    Program,
    ReportingInterval,
    RevocationProposal,
    RiskLevel,
    SupervisionOrder,
    Village,
    WarningLetter,
    normalise_name,
)

SEED = 3509  # Kabupaten Jember's region code
REASON = "Data demo"

# --- Names and places ------------------------------------------------------------------------

JEMBER_MEN = [
    "Mohammad Rizky Firmansyah", "Ahmad Fauzi", "Slamet Riyadi", "Sugeng Hariyanto",
    "Abdul Rohman", "Moch. Syaiful Anwar", "Hasan Basri", "Nur Hidayat", "Sutrisno",
    "Imam Syafi'i", "Joko Susilo", "Bambang Irawan", "Eko Wahyudi", "Budi Santoso",
    "Rudi Hartono", "Fathorrahman", "Kholilurrahman", "Mat Sahri", "Sunarto", "Ridwan Hakim",
    "Junaidi", "Misnadi", "Suhartono", "Dedi Kurniawan", "Fendi Setiawan", "Andik Prasetyo",
    "Yoyok Sulistyo", "Samsul Arifin", "Muhammad Hafid", "Zainal Abidin", "Ach. Fauzan",
    "Hosnan", "Matrawi", "Buhari", "Agus Salim", "Heri Purnomo", "Wahyu Hidayat",
    "Mohamad Ilham Maulana", "Suparman", "Didik Hermawan", "Taufik Hidayatullah",
    "Mujiono", "Sahroni", "Bagus Saputra", "Arif Rahman Hakim", "Lukman Hakim",
    "Nanang Kosim", "Rofiqi",
]
JEMBER_WOMEN = [
    "Siti Nurhasanah", "Sri Wahyuni", "Lilik Suryani", "Nur Aini", "Endang Susilowati",
    "Sumiati",
]
JEMBER_CHILDREN = [  # name, sex
    ("Mochamad Fikri Ramadhan", "L"), ("Rizal Efendi", "L"), ("Dimas Aditya Pratama", "L"),
    ("Putri Ayu Lestari", "P"), ("Ilham Nur Rohman", "L"), ("Moh. Rizki Alfarizi", "L"),
]
BONDOWOSO_CLIENTS = [  # name, sex, program, risk
    ("Misrawi", "L", Program.PB, RiskLevel.MEDIUM),
    ("Abdul Halim", "L", Program.ASSIMILATION, RiskLevel.LOW),
    ("Siti Romlah", "P", Program.CONDITIONAL, RiskLevel.LOW),
    ("Moh. Sahlan", "L", Program.SUPERVISED, RiskLevel.HIGH),
]
FAMILY_NAMES_MEN = ["Sukardi", "Misnari", "Abdullah", "Samsuri", "Poniman", "Maskur", "Sahlan"]
FAMILY_NAMES_WOMEN = ["Suliha", "Rohmah", "Sutinah", "Maimunah", "Juhairiyah", "Sulastri"]
STREETS = [
    "Dusun Krajan", "Dusun Sumberan", "Dusun Kebonsari", "Dusun Tegalrejo", "Dusun Karanganyar",
    "Dusun Curahkalong", "Jl. Mastrip", "Jl. Kartini Gg. II", "Jl. Hayam Wuruk", "Jl. Sriwijaya",
    "Jl. Letjen Suprapto", "Perum Griya Mangli Blok C", "Jl. Brawijaya", "Jl. Diponegoro Gg. 5",
]
OCCUPATIONS = [
    "Buruh tani", "Petani", "Pedagang", "Sopir", "Buruh bangunan", "Nelayan", "Ojek online",
    "Wiraswasta", "Buruh pabrik", "Tukang las", "Montir", "Tidak bekerja",
]
PHONE_PREFIXES = ["0812", "0813", "0852", "0853", "0856", "0857", "0858", "0817", "0877",
                  "0878", "0895", "0896"]
OFFENCES = [  # offence, article, sentence
    ("Pencurian", "Pasal 362 KUHP", "Pidana penjara 1 tahun 6 bulan"),
    ("Pencurian dengan pemberatan", "Pasal 363 ayat (1) ke-4 KUHP", "Pidana penjara 2 tahun"),
    ("Penyalahgunaan narkotika", "Pasal 127 ayat (1) huruf a UU 35/2009",
     "Pidana penjara 1 tahun 8 bulan"),
    ("Kepemilikan narkotika golongan I", "Pasal 112 ayat (1) UU 35/2009",
     "Pidana penjara 4 tahun, denda Rp800.000.000"),
    ("Penganiayaan", "Pasal 351 ayat (1) KUHP", "Pidana penjara 1 tahun"),
    ("Penipuan", "Pasal 378 KUHP", "Pidana penjara 2 tahun 6 bulan"),
    ("Penggelapan", "Pasal 372 KUHP", "Pidana penjara 1 tahun 4 bulan"),
    ("Perjudian", "Pasal 303 KUHP", "Pidana penjara 10 bulan"),
    ("Penadahan", "Pasal 480 KUHP", "Pidana penjara 1 tahun"),
    ("Pengeroyokan", "Pasal 170 ayat (1) KUHP", "Pidana penjara 2 tahun"),
    ("Kelalaian lalu lintas yang mengakibatkan luka", "Pasal 310 ayat (3) UU 22/2009",
     "Pidana penjara 1 tahun"),
]
CHILD_OFFENCES = [
    ("Pencurian", "Pasal 362 KUHP jo. UU 11/2012"),
    ("Penganiayaan", "Pasal 351 ayat (1) KUHP jo. UU 11/2012"),
    ("Pengeroyokan", "Pasal 170 KUHP jo. UU 11/2012"),
]
PRISONS = [
    (InstitutionType.LAPAS, "Lapas Kelas IIA Jember"),
    (InstitutionType.LAPAS, "Lapas Kelas IIB Banyuwangi"),
    (InstitutionType.LAPAS, "Lapas Kelas I Malang"),
    (InstitutionType.RUTAN, "Rutan Kelas IIB Situbondo"),
    (InstitutionType.LAPAS, "Lapas Kelas IIB Bondowoso"),
    (InstitutionType.LAPAS, "Lapas Narkotika Kelas IIA Pamekasan"),
]
DURATION_DAYS = {  # (shortest, longest) supervision period per program
    Program.PB: (365, 720),
    Program.CB: (90, 180),
    Program.CMB: (60, 180),
    Program.ASSIMILATION: (90, 270),
    Program.CONDITIONAL: (365, 730),
    Program.SUPERVISED: (180, 540),
    Program.DIVERSION: (90, 180),
}
ADULT_PROGRAMS = [Program.PB, Program.CB, Program.CMB, Program.ASSIMILATION,
                  Program.CONDITIONAL, Program.SUPERVISED, Program.PB]
SPECIAL_CONDITIONS = (
    "Wajib lapor sesuai jadwal; tidak meninggalkan wilayah Kabupaten Jember tanpa izin PK; "
    "mengikuti bimbingan kepribadian dan kemandirian."
)
NOTES = {
    Outcome.ATTENDED: [
        "Klien hadir tepat waktu, kondisi sehat. Diberikan bimbingan kesadaran hukum.",
        "Klien melapor diri. Saat ini bekerja, hubungan dengan keluarga baik.",
        "Klien hadir bersama penjamin. Tidak ada permasalahan.",
        "Klien mengikuti bimbingan kepribadian (keagamaan). Sikap kooperatif.",
        "Klien hadir, menyampaikan rencana membuka usaha kecil. Diarahkan ke pelatihan BLK.",
    ],
    Outcome.ATTENDED_NONCOMPLIANT: [
        "Klien hadir tetapi belum mengikuti pelatihan yang disepakati. Diberi teguran lisan.",
        "Klien hadir terlambat dan tidak membawa kartu bimbingan. Diingatkan kewajibannya.",
    ],
    Outcome.EXCUSED: [
        "Klien izin sakit, surat keterangan dokter diserahkan oleh penjamin.",
        "Klien izin karena ada keluarga meninggal. Dilapor via telepon.",
    ],
    Outcome.MISSED: [
        "Klien tidak hadir tanpa pemberitahuan. Nomor telepon tidak aktif.",
        "Klien tidak hadir. Penjamin tidak mengetahui keberadaan klien.",
    ],
}
VISIT_NOTES = [
    "Kunjungan rumah: klien tinggal bersama istri dan dua anak. Lingkungan mendukung.",
    "Kunjungan rumah: bertemu klien dan orang tua. Klien membantu usaha keluarga.",
    "Kunjungan rumah: klien sedang bekerja, bertemu penjamin. Kondisi rumah baik.",
]


@dataclass
class Plan:
    """One demo client with its orders, contacts and case events, before anything is saved."""

    register_number: str
    name: str
    sex: str
    birth_date: date
    program: Program
    risk: str
    pk: str | None  # email of the assigned PK
    status: str = OrderStatus.ACTIVE
    child: bool = False
    start: date | None = None
    end: date | None = None
    status_date: date | None = None
    offence_date: date | None = None
    cover: str | None = None
    awaiting: bool = False  # recent past contacts left without an outcome
    lapsed: bool = False  # nothing planned ahead (reporting has lapsed)
    breach: bool = False  # three missed reports in a row, SP1/SP2, pending revocation
    earlier: Program | None = None  # an earlier, completed order (assimilation before PB)
    extra: dict = field(default_factory=dict)


# --- Planning (pure: the same plans every run of the same day) --------------------------------


def _years_ago(today: date, years: int, rng: random.Random) -> date:
    return date(today.year - years, rng.randint(1, 12), rng.randint(1, 28))


def _jember_plans(rng: random.Random, today: date) -> list[Plan]:
    plans: list[Plan] = []
    pks = ["pk1@demo.local", "pk2@demo.local", "pk3@demo.local"]
    # tahap awal, lanjutan, akhir; cycled apart from the PKs so each PK has every stage
    fractions = [0.12, 0.5, 0.82]
    adults = [(name, "L") for name in JEMBER_MEN] + [(name, "P") for name in JEMBER_WOMEN]
    rng.shuffle(adults)
    statuses = (
        [OrderStatus.COMPLETED] * 6 + [OrderStatus.REVOKED] * 3 + [OrderStatus.TRANSFERRED]
    )
    for index, (name, sex) in enumerate(adults):
        program = ADULT_PROGRAMS[index % len(ADULT_PROGRAMS)]
        low, high = DURATION_DAYS[program]
        length = rng.randint(low, high)
        status = statuses[index // 5] if index % 5 == 4 and index // 5 < len(statuses) else (
            OrderStatus.ACTIVE
        )
        plan = Plan(
            register_number=f"JBR-D-{index + 1:04d}", name=name, sex=sex,
            birth_date=_years_ago(today, rng.randint(23, 58), rng), program=program,
            risk=rng.choices(RiskLevel.values, weights=[5, 3, 2])[0],
            pk=None if index in (7, 31) else pks[index % 3], status=status,
        )
        if status == OrderStatus.ACTIVE:
            plan.start = today - timedelta(days=round(fractions[(index // 3) % 3] * length))
            plan.end = plan.start + timedelta(days=length)
        else:
            plan.end = today - timedelta(days=rng.randint(20, 320))
            plan.start = plan.end - timedelta(days=length)
            plan.status_date = plan.end
            if status != OrderStatus.COMPLETED:
                plan.status_date = plan.start + timedelta(days=length // 2)
        plan.offence_date = plan.start - timedelta(days=rng.randint(400, 1500))
        plans.append(plan)
    # Orders past their end that nobody closed yet.
    for plan in (plans[2], plans[13]):
        plan.end = today - timedelta(days=rng.randint(3, 20))
        plan.start = plan.end - timedelta(days=DURATION_DAYS[plan.program][0])
        plan.offence_date = plan.start - timedelta(days=700)
    # Clients who came out on assimilation and went on to parole.
    for plan in (plans[6], plans[20]):
        if plan.status == OrderStatus.ACTIVE:
            plan.program, plan.earlier = Program.PB, Program.ASSIMILATION
    for position in (0, 3, 9, 16, 22, 27, 35, 41):
        if plans[position].status == OrderStatus.ACTIVE:
            plans[position].awaiting = True
    for position in (11, 25, 38):
        if plans[position].status == OrderStatus.ACTIVE:
            plans[position].lapsed = True
    # pk1's client with three missed reports in a row and a pending revocation proposal.
    breach = next(p for p in plans if p.pk == pks[0] and p.status == OrderStatus.ACTIVE
                  and p.program == Program.PB and not p.awaiting and not p.earlier)
    breach.breach, breach.risk, breach.lapsed = True, RiskLevel.HIGH, False
    # pk1 covers one of pk2's clients during pk2's leave.
    next(p for p in plans if p.pk == pks[1] and p.status == OrderStatus.ACTIVE).cover = pks[0]

    for index, (name, sex) in enumerate(JEMBER_CHILDREN):
        age_at_offence = rng.randint(14, 17)
        program = Program.PB if index == 5 else Program.DIVERSION
        low, high = DURATION_DAYS[program]
        length = rng.randint(low, high)
        # Children are in the middle or final stage: the newest orders are adults', which
        # other apps' demo paths pick up (a child's referral needs a guardian's consent).
        start = today - timedelta(days=round(fractions[1 + index % 2] * length))
        offence = start - timedelta(days=rng.randint(60, 200) if program == Program.DIVERSION
                                    else 600)
        birth = offence - timedelta(days=age_at_offence * 365 + rng.randint(10, 300))
        plans.append(Plan(
            register_number=f"JBR-A-{index + 1:04d}", name=name, sex=sex, birth_date=birth,
            program=program, risk=RiskLevel.LOW if index % 2 else RiskLevel.MEDIUM,
            pk=pks[index % 3], child=True, start=start, end=start + timedelta(days=length),
            offence_date=offence,
        ))
    return plans


def _bondowoso_plans(rng: random.Random, today: date) -> list[Plan]:
    plans = []
    for index, (name, sex, program, risk) in enumerate(BONDOWOSO_CLIENTS):
        low, high = DURATION_DAYS[program]
        length = rng.randint(low, high)
        start = today - timedelta(days=round([0.2, 0.5, 0.7, 0.9][index] * length))
        plans.append(Plan(
            register_number=f"BDW-D-{index + 1:04d}", name=name, sex=sex,
            birth_date=_years_ago(today, rng.randint(25, 50), rng), program=program, risk=risk,
            pk="pk@bondowoso.demo.local", start=start, end=start + timedelta(days=length),
            offence_date=start - timedelta(days=800),
        ))
    return plans


# --- Building rows ----------------------------------------------------------------------------


def _aware(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _weekday(day: date) -> date:
    """Offices are closed at weekends: Saturday moves to Friday, Sunday to Monday."""
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


def _phone(rng: random.Random) -> str:
    return f"{rng.choice(PHONE_PREFIXES)}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"


def _nik(village: Village, birth: date, sex: str, rng: random.Random, taken: set[str]) -> str:
    day = birth.day + (40 if sex == "P" else 0)
    region = village.district_id.replace(".", "")
    serial = rng.randint(1, 9000)
    while True:
        nik = f"{region}{day:02d}{birth:%m%y}{serial:04d}"
        if nik not in taken:
            taken.add(nik)
            return nik
        serial += 1


class _Builder:
    def __init__(self, office, users: dict[str, User], villages: list[Village], seed: int):
        self.office = office
        self.users = users
        self.villages = villages
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.operator = users.get("operator@demo.local") or next(iter(users.values()))
        self.head = users.get("kabapas@demo.local") or self.operator
        self.intervals = {
            risk: ReportingInterval.days_for(office, risk) for risk in RiskLevel.values
        }
        self.taken_niks = set(Client.objects.exclude(nik=None).values_list("nik", flat=True))

    # Identities are drawn for every plan, saved or skipped, so a client added to the demo
    # later does not change the names, NIKs and addresses of those already seeded.
    def client(self, plan: Plan) -> Client:
        rng = self.rng
        village = rng.choice(self.villages)
        district = village.district
        phone = _phone(rng)
        guardian_men, guardian_women = FAMILY_NAMES_MEN, FAMILY_NAMES_WOMEN
        if plan.child:
            guarantor = (f"{rng.choice(guardian_men)}", "Ayah")
            education = rng.choice([Client.Education.SMP, Client.Education.SMA])
            occupation, marital = "Pelajar", Client.MaritalStatus.SINGLE
        else:
            partner = rng.choice(guardian_women if plan.sex == "L" else guardian_men)
            guarantor = rng.choice([
                (partner, "Istri" if plan.sex == "L" else "Suami"),
                (rng.choice(guardian_women), "Ibu kandung"),
                (rng.choice(guardian_men), "Kakak kandung"),
                (rng.choice(guardian_men), "Paman"),
            ])
            education = rng.choice(
                [Client.Education.SD, Client.Education.SMP, Client.Education.SMA,
                 Client.Education.SMA, Client.Education.DIPLOMA]
            )
            occupation = rng.choice(OCCUPATIONS)
            marital = (Client.MaritalStatus.MARRIED if guarantor[1] in ("Istri", "Suami")
                       else rng.choice([Client.MaritalStatus.SINGLE,
                                        Client.MaritalStatus.DIVORCED]))
        street = f"{rng.choice(STREETS)} No. {rng.randint(1, 120)}"
        religion = rng.choices(
            [Client.Religion.ISLAM, Client.Religion.PROTESTANT, Client.Religion.CATHOLIC,
             Client.Religion.HINDU], weights=[90, 5, 3, 2],
        )[0]
        nik = _nik(village, plan.birth_date, plan.sex, rng, self.taken_niks)
        registered = plan.start - timedelta(days=rng.randint(1, 6))
        return Client(
            office=self.office, register_number=plan.register_number, full_name=plan.name,
            search_name=normalise_name(plan.name)[:200], nik=nik,
            birth_place=district.regency.name.title().replace("Kabupaten ", ""),
            birth_date=plan.birth_date, sex=plan.sex, religion=religion, education=education,
            marital_status=marital, occupation=occupation, address_street=street,
            rt=f"{rng.randint(1, 12):03d}", rw=f"{rng.randint(1, 8):03d}",
            province_id=district.regency.province_id, regency_id=district.regency_id,
            district_id=district.code, village_id=village.code, phone=phone,
            whatsapp=phone if rng.random() < 0.8 else "",
            guarantor_name=guarantor[0], guarantor_relationship=guarantor[1],
            guarantor_phone=_phone(rng),
            guarantor_address=f"{street}, {village.name}, {district.name}",
            section=Client.Section.CHILD if plan.child else Client.Section.ADULT,
            created_by=self.operator, created_at=_aware(registered, 9, rng.randint(0, 59)),
        )

    def orders(self, plan: Plan, client: Client) -> list[SupervisionOrder]:
        rng = self.rng
        orders = []
        if plan.earlier:
            start = plan.start - timedelta(days=rng.randint(120, 200))
            orders.append(self._order(
                plan, client, Program.ASSIMILATION, start, plan.start - timedelta(days=1),
                status=OrderStatus.COMPLETED, status_date=plan.start - timedelta(days=1),
            ))
        orders.append(self._order(plan, client, plan.program, plan.start, plan.end,
                                  status=plan.status, status_date=plan.status_date))
        return orders

    def _order(self, plan, client, program, start, end, *, status, status_date):
        rng = self.rng
        year = start.year
        order = SupervisionOrder(
            client=client, office_id=client.office_id, program=program, risk_level=plan.risk,
            supervision_start=start, supervision_end=end, status=status,
            status_changed_at=status_date if status != OrderStatus.ACTIVE else None,
            offence_date=plan.offence_date, special_conditions=SPECIAL_CONDITIONS,
            assigned_pk=self.users.get(plan.pk) if plan.pk else None,
            cover_pk=self.users.get(plan.cover) if plan.cover else None,
            created_by=self.operator, created_at=_aware(start - timedelta(days=2), 10),
        )
        if plan.child:
            offence, article = rng.choice(CHILD_OFFENCES)
            order.offence, order.article = offence, article
            if program == Program.DIVERSION:
                order.court_decision_number = f"{rng.randint(1, 30)}/Pen.Div/{year}/PN Jmr"
                order.court_decision_date = start - timedelta(days=7)
                order.institution_type, order.institution_name = (
                    InstitutionType.COURT, "Pengadilan Negeri Jember"
                )
                order.sentence = "Diversi: dikembalikan kepada orang tua dengan pembimbingan"
            else:
                order.decree_number = f"PAS-{rng.randint(100, 2999)}.PK.05.09 Tahun {year}"
                order.decree_date = start - timedelta(days=10)
                order.institution_type, order.institution_name = (
                    InstitutionType.LPKA, "LPKA Kelas I Blitar"
                )
                order.sentence = "Pidana pembinaan di LPKA 2 tahun"
            return order
        offence, article, sentence = rng.choice(OFFENCES)
        order.offence, order.article, order.sentence = offence, article, sentence
        if program in (Program.CONDITIONAL, Program.SUPERVISED):
            order.court_decision_number = f"{rng.randint(50, 450)}/Pid.B/{year}/PN Jmr"
            order.court_decision_date = start - timedelta(days=rng.randint(7, 20))
            order.institution_type, order.institution_name = (
                InstitutionType.COURT, "Pengadilan Negeri Jember"
            )
            order.sentence = (
                "Pidana penjara 1 tahun, tidak perlu dijalani dengan masa percobaan"
                if program == Program.CONDITIONAL else "Pidana pengawasan"
            )
        else:
            institution_type, institution = rng.choice(PRISONS)
            order.institution_type, order.institution_name = institution_type, institution
            order.court_decision_number = f"{rng.randint(50, 450)}/Pid.B/{year - 2}/PN Jmr"
            order.court_decision_date = plan.offence_date + timedelta(days=120)
            if program in (Program.PB, Program.CB, Program.CMB):
                order.decree_number = f"PAS-{rng.randint(100, 2999)}.PK.05.09 Tahun {year}"
            else:
                order.decree_number = (
                    f"W15.PAS.PAS.12-PK.01.04.06-{rng.randint(10, 999)} Tahun {year}"
                )
            order.decree_date = start - timedelta(days=rng.randint(3, 14))
        return order

    def contacts(self, plan: Plan, order: SupervisionOrder, client: Client) -> list[Contact]:
        """A year (at most) of contacts at the order's interval, then the next ones planned."""
        rng = self.rng
        interval = self.intervals[order.risk_level]
        officer = order.assigned_pk
        last_day = min(order.status_changed_at or order.supervision_end, self.today)
        first = order.supervision_start + timedelta(days=rng.randint(2, 6))
        if first < self.today - timedelta(days=365):
            skipped = (self.today - timedelta(days=365) - first).days // interval + 1
            first += timedelta(days=skipped * interval)
        days = []
        day = first
        while day < last_day:
            days.append(_weekday(day))
            day += timedelta(days=interval)
        past = [d for d in days if d < self.today]
        place = f"{client.address_street}, Desa {client.village.name}, Kec. {client.district.name}"
        contacts = []
        for number, day in enumerate(past):
            planned = _aware(day, rng.choice([8, 9, 10, 11, 13]), rng.choice([0, 15, 30, 45]))
            roll = rng.random()
            kind = ContactKind.REPORT
            if number % 6 == 5 or roll < 0.08:
                kind = ContactKind.HOME_VISIT
            elif roll < 0.13:
                kind = ContactKind.PHONE
            elif roll < 0.15:
                kind = ContactKind.WORKPLACE_VISIT
            outcome = rng.choices(
                [Outcome.ATTENDED, Outcome.ATTENDED_NONCOMPLIANT, Outcome.EXCUSED,
                 Outcome.MISSED], weights=[82, 6, 5, 7],
            )[0]
            from_end = len(past) - number
            if plan.breach and from_end <= 3:
                kind, outcome = ContactKind.REPORT, Outcome.MISSED
            elif plan.breach and from_end <= 6:
                outcome = Outcome.ATTENDED
            contact = Contact(
                order=order, kind=kind, planned_at=planned, officer=officer,
                created_by=officer or self.operator,
                created_at=planned - timedelta(days=interval),
            )
            # The latest one or two past contacts of some clients still wait for an outcome.
            recent = from_end == 1 or (from_end == 2 and (self.today - day).days <= 21)
            if plan.awaiting and recent and order.status == OrderStatus.ACTIVE and not plan.breach:
                contacts.append(contact)  # still waiting for its outcome
                continue
            contact.outcome = outcome
            contact.recorded_by = officer or self.operator
            contact.recorded_at = planned + timedelta(hours=rng.randint(1, 6))
            if outcome in ATTENDED_OUTCOMES:
                contact.happened_at = planned + timedelta(minutes=rng.randint(0, 40))
                if kind == ContactKind.REPORT:
                    contact.checked_in_at = contact.happened_at - timedelta(minutes=5)
            if kind in (ContactKind.HOME_VISIT, ContactKind.WORKPLACE_VISIT):
                contact.place = place if kind == ContactKind.HOME_VISIT else (
                    f"Tempat kerja klien ({client.occupation.lower()}), Kec. {client.district.name}"
                )
                contact.notes = (rng.choice(VISIT_NOTES) if outcome in ATTENDED_OUTCOMES
                                 else "Kunjungan rumah: klien tidak ditemukan di rumah.")
            else:
                contact.notes = rng.choice(NOTES[outcome])
            contacts.append(contact)
        if order.status == OrderStatus.ACTIVE and order.supervision_end >= self.today and not (
            plan.lapsed
        ):
            day = max(past[-1] if past else order.supervision_start, self.today)
            for _ in range(2):
                day = _weekday(day + timedelta(days=interval))
                if day > order.supervision_end:
                    break
                contacts.append(Contact(
                    order=order, kind=ContactKind.REPORT, planned_at=_aware(day, 9),
                    officer=officer, created_by=officer or self.operator,
                    created_at=self.now - timedelta(days=rng.randint(1, 20)),
                ))
        return contacts


def _status_changes(plan: Plan, orders: list[SupervisionOrder], users) -> list:
    pk = users.get(plan.pk) or users["kabapas@demo.local"]
    head = users["kabapas@demo.local"]
    changes = []
    for order in orders:
        if order.status == OrderStatus.ACTIVE:
            continue
        reason, reference, by = {
            OrderStatus.COMPLETED: ("Masa bimbingan telah berakhir; kewajiban klien terpenuhi.",
                                    "", pk),
            OrderStatus.REVOKED: ("Klien melakukan tindak pidana baru dan tidak melapor tiga "
                                  "kali berturut-turut.",
                                  f"SK Pencabutan PAS-{order.pk}.PK.05.09", head),
            OrderStatus.TRANSFERRED: ("Klien pindah domisili ke Kota Surabaya; bimbingan "
                                      "dialihkan ke Bapas Kelas I Surabaya.",
                                      f"Surat pengalihan W15.PAS.PAS.5-{order.pk}", head),
        }[order.status]
        changes.append(OrderStatusChange(
            order=order, from_status=OrderStatus.ACTIVE, to_status=order.status,
            effective_date=order.status_changed_at, reason=reason, reference=reference,
            changed_by=by,
        ))
    return changes


def _casework(plan: Plan, order: SupervisionOrder, users, today: date):
    """Warnings, the pending revocation and notes for the breach client; a note for others."""
    pk = users.get(plan.pk)
    notes, warnings, proposals = [], [], []
    if order.status == OrderStatus.REVOKED:
        proposals.append(RevocationProposal(
            order=order, proposed_by=pk or users["kasubsi@demo.local"],
            reasons="Klien tidak melapor tiga kali berturut-turut dan diduga melakukan tindak "
                    "pidana baru (laporan Polsek).",
            proposed_at=_aware(order.status_changed_at - timedelta(days=14), 10),
            status=RevocationProposal.Status.APPROVED, decided_by=users["kabapas@demo.local"],
            decided_at=_aware(order.status_changed_at, 14),
            decision_reason="Disetujui berdasarkan hasil sidang TPP.",
            decree_number=f"PAS-{order.pk}.PK.05.09 Tahun {order.status_changed_at.year}",
            decree_date=order.status_changed_at,
        ))
    if not plan.breach or pk is None:
        if pk and plan.register_number.endswith(("3", "8")):
            notes.append(CaseNote(
                client=order.client, order=order, author=pk, confidential=False,
                text="Klien menunjukkan perkembangan baik; direkomendasikan mengikuti pelatihan "
                     "kerja di BLK Jember.",
                created_at=_aware(today - timedelta(days=21), 11),
            ))
        return notes, warnings, proposals
    for level, days_ago, number in (
        (WarningLetter.Level.SP1, 16, 1), (WarningLetter.Level.SP2, 3, 2),
    ):
        warnings.append(WarningLetter(
            order=order, level=level, issued_by=pk,
            number=f"W15.PAS.PAS.5-PK.01.05-{40 + number}/{today.year}",
            issued_on=today - timedelta(days=days_ago),
            reason="Tidak memenuhi kewajiban wajib lapor tanpa alasan yang sah.",
        ))
    proposals.append(RevocationProposal(
        order=order, proposed_by=pk, proposed_at=timezone.now() - timedelta(days=2),
        reasons="Klien tidak hadir wajib lapor tiga kali berturut-turut tanpa alasan yang sah "
                "meskipun telah diberi SP1 dan SP2. Kunjungan rumah: klien tidak ditemukan, "
                "menurut penjamin klien bekerja di luar kota tanpa izin.",
    ))
    notes.append(CaseNote(
        client=order.client, order=order, author=pk, confidential=True,
        text="Informasi dari kepala desa: klien diduga kembali bergaul dengan kelompok "
             "pengguna narkoba. Perlu koordinasi dengan BNN Kabupaten Jember.",
        created_at=timezone.now() - timedelta(days=4),
    ))
    return notes, warnings, proposals


# --- Seeding ----------------------------------------------------------------------------------


def _ensure_intervals(office) -> None:
    existing = set(ReportingInterval.objects.filter(office=office)
                   .values_list("risk_level", flat=True))
    ReportingInterval.objects.bulk_create([
        ReportingInterval(office=office, risk_level=risk, interval_days=days)
        for risk, days in ReportingInterval.DEFAULT_DAYS.items() if risk not in existing
    ])


def _seed_office(office, users, plans: list[Plan], region_prefix: str, seed: int) -> int:
    _ensure_intervals(office)
    villages = list(
        Village.objects.filter(code__startswith=region_prefix)
        .select_related("district__regency").order_by("code")
    )
    builder = _Builder(office, users, villages, seed)
    existing = set(
        Client.objects.filter(office=office).values_list("register_number", flat=True)
    )
    fresh: list[tuple[Plan, Client]] = []
    for plan in plans:
        client = builder.client(plan)  # drawn even when skipped, to keep the sequence
        if plan.register_number not in existing:
            fresh.append((plan, client))
    if not fresh:
        return 0
    creator = users.get("operator@demo.local")
    bulk_create_with_history([c for _, c in fresh], Client, default_user=creator,
                             default_change_reason=REASON)
    saved = {c.register_number: c for c in Client.objects.filter(
        office=office, register_number__in=[p.register_number for p, _ in fresh]
    ).select_related("village", "district")}
    planned_orders: list[tuple[Plan, SupervisionOrder]] = []
    for plan, _ in fresh:
        for order in builder.orders(plan, saved[plan.register_number]):
            planned_orders.append((plan, order))
    bulk_create_with_history([o for _, o in planned_orders], SupervisionOrder,
                             default_user=creator, default_change_reason=REASON)
    by_client = {}
    for order in SupervisionOrder.objects.filter(client__in=saved.values()).select_related(
        "client__village", "client__district", "assigned_pk"
    ):
        by_client.setdefault(order.client_id, []).append(order)
    contacts, changes, notes, warnings, proposals = [], [], [], [], []
    for plan, _ in fresh:
        client = saved[plan.register_number]
        orders = sorted(by_client[client.pk], key=lambda o: o.supervision_start)
        for order in orders:
            contacts.extend(builder.contacts(plan, order, client))
        changes.extend(_status_changes(plan, orders, users))
        more_notes, more_warnings, more_proposals = _casework(plan, orders[-1], users,
                                                              builder.today)
        notes += more_notes
        warnings += more_warnings
        proposals += more_proposals
    Contact.objects.bulk_create(contacts, batch_size=500)
    OrderStatusChange.objects.bulk_create(changes)
    bulk_create_with_history(notes, CaseNote, default_change_reason=REASON)
    bulk_create_with_history(warnings, WarningLetter, default_change_reason=REASON)
    bulk_create_with_history(proposals, RevocationProposal, default_change_reason=REASON)
    return len(fresh)


def seed(context) -> None:
    """Called by ``manage.py seed_demo`` with the offices and logins it created."""
    from .regions_data import load_regions

    # The region tables come from a data migration; a flushed database (tests, a restore) may
    # have lost them.
    load_regions()
    today = timezone.localdate()
    rng = random.Random(SEED)
    _seed_office(context.office, context.users, _jember_plans(rng, today), "35.09.", SEED)
    _seed_office(context.other_office, context.users, _bondowoso_plans(rng, today), "35.11.",
                 SEED + 1)
    _seed_morning_digests()


def _seed_morning_digests() -> None:
    """Today's morning digest for every PK, whatever the day and hour the demo is tried.

    The beat builds digests on working days from 07:00 only; without this a demo started on a
    weekend, or before 07:00, would show pk1 an empty inbox. The digests are stored pending
    under the same key the 07:00 sweep uses (so that sweep adds none), and the worker delivers
    them, to the inbox and by email, at its next sweep (every 5 minutes), or at 07:00 when the
    demo was seeded earlier in the morning.
    """
    from bapas.notifications.engine import ensure

    from .reminders import build_digests

    ensure(build_digests(timezone.now(), any_day=True))
