"""Demo partners for ``manage.py seed_demo``: the partners of Bapas Jember in the 2024 article.

Runs after clients/demo.py. Idempotent: partners, agreements and logins are updated in place;
referrals are added only when the office has none yet, and only if demo clients exist. The
referrals cover every status; their events and sessions are dated in the past so the pages read
like a working office (the lifecycle rules of ``partners.services`` hold for every row).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from bapas.demo import DEMO_PASSWORD
from bapas.models import Role, User
from clients.models import Client, OrderStatus, SupervisionOrder

from .models import (
    Agreement,
    Partner,
    PartnerContact,
    Referral,
    ReferralEvent,
    ReferralGoal,
    ReferralStatus,
    Service,
    ServiceReport,
    ServiceSession,
)

S = ReferralStatus
REASON = "Data demo"

# Service names as seeded by migration 0003.
TRAINING = "Pelatihan keterampilan kerja"
COUNSELLING = "Konseling psikososial"
HEALTH = "Layanan kesehatan"
REHAB = "Rehabilitasi narkoba"
IDENTITY = "Pembuatan dokumen kependudukan (KTP/KK)"
RELIGION = "Bimbingan keagamaan"
MARRIAGE = "Pencatatan pernikahan"
SOCIAL = "Bantuan sosial"
LEGAL = "Bantuan hukum"
PLACEMENT = "Penempatan kerja"
CAPITAL = "Bantuan modal usaha"


@dataclass
class DemoPartner:
    key: str
    name: str
    kind: str
    services: list[str]
    address: str
    phone: str
    contact: tuple[str, str, str]  # name, position, phone
    login: tuple[str, str]  # email, staff member's name
    group: str = ""
    agreement_days_left: int = 540  # negative: expired
    agreement_kind: str = Agreement.Kind.PKS


PARTNERS = [
    DemoPartner(
        "pokmas_law", "Pokmas Lipas Hukum dan Kemasyarakatan Jember", Partner.Kind.POKMAS,
        [LEGAL, RELIGION, COUNSELLING], "Jl. Trunojoyo No. 12, Kepatihan, Kaliwates, Jember",
        "0812-3456-1101", ("H. Abdul Wahid, S.H.", "Ketua", "0812-3456-1101"),
        ("pokmas@demo.local", "Moh. Hasyim Asy'ari"), group=Partner.PokmasGroup.LAW,
        agreement_kind=Agreement.Kind.MOU,
    ),
    DemoPartner(
        "pokmas_skills", "Pokmas Lipas Kemandirian dan Kepribadian Jember", Partner.Kind.POKMAS,
        [TRAINING, CAPITAL, PLACEMENT], "Jl. Gajah Mada No. 85, Kaliwates, Jember",
        "0813-3030-2202", ("Sutikno", "Ketua", "0813-3030-2202"),
        ("pokmas2@demo.local", "Yuli Astutik"), group=Partner.PokmasGroup.INDEPENDENCE,
        agreement_kind=Agreement.Kind.MOU,
    ),
    DemoPartner(
        "dinsos", "Dinas Sosial Kabupaten Jember", Partner.Kind.GOVERNMENT,
        [SOCIAL, COUNSELLING, REHAB], "Jl. Dharmawangsa No. 1, Jember", "(0331) 486000",
        ("Drs. Widodo Santoso", "Kepala Bidang Rehabilitasi Sosial", "0811-3500-301"),
        ("dinsos@demo.local", "Ani Rahmawati, S.Sos."),
    ),
    DemoPartner(
        "dinkes", "Dinas Kesehatan Kabupaten Jember", Partner.Kind.GOVERNMENT,
        [HEALTH, REHAB], "Jl. Srikoyo No. 3, Patrang, Jember", "(0331) 487772",
        ("dr. Lilik Lailiyah", "Kepala Seksi Kesehatan Jiwa dan NAPZA", "0812-4900-402"),
        ("dinkes@demo.local", "Ns. Fitri Handayani"), agreement_days_left=35,
    ),
    DemoPartner(
        "dukcapil", "Dinas Kependudukan dan Pencatatan Sipil (Dukcapil) Kabupaten Jember",
        Partner.Kind.GOVERNMENT, [IDENTITY], "Jl. Jawa No. 47, Sumbersari, Jember",
        "(0331) 339505", ("Bambang Hariyanto, S.Kom.", "Kepala Bidang Pelayanan", "0812-4900-503"),
        ("dukcapil@demo.local", "Rizal Fahmi"),
    ),
    DemoPartner(
        "dp3akp", "DP3AKP Kabupaten Jember", Partner.Kind.GOVERNMENT, [COUNSELLING, SOCIAL],
        "Jl. Jawa No. 35, Sumbersari, Jember", "(0331) 321890",
        ("Dra. Endah Kusumawati", "Kepala Bidang Perlindungan Anak", "0812-4900-604"),
        ("dp3akp@demo.local", "Nur Laili, S.Psi."),
    ),
    DemoPartner(
        "kua", "KUA Kecamatan Ambulu", Partner.Kind.GOVERNMENT, [MARRIAGE, RELIGION],
        "Jl. Manggar No. 4, Ambulu, Jember", "(0336) 881120",
        ("H. Mahfudz, S.Ag.", "Kepala KUA", "0812-4900-705"),
        ("kua@demo.local", "Ust. Syamsul Huda"),
        agreement_days_left=-45,
    ),
    DemoPartner(
        "fisip", "Fakultas Ilmu Sosial dan Ilmu Politik (FISIP) Universitas Jember",
        Partner.Kind.UNIVERSITY, [COUNSELLING, TRAINING],
        "Jl. Kalimantan No. 37, Kampus Tegalboto, Sumbersari, Jember", "(0331) 335586",
        ("Dr. Hery Prasetyo, M.Si.", "Koordinator Laboratorium Sosiologi", "0812-4900-806"),
        ("fisip@demo.local", "Dimas Prakoso, S.Sos., M.Si."),
    ),
]


@dataclass
class Scenario:
    """One demo referral: who, to whom, for what, and how far it went (days before today)."""

    pk: str
    partner: str
    service: str
    status: str
    goals: list[str]
    sent_days_ago: int = 0
    accepted_days_ago: int | None = None
    closed_days_ago: int | None = None
    sessions: list[tuple[int, int, str, str, str]] = field(default_factory=list)
    # (days ago, minutes, attendance, activity, progress)
    reason: str = ""
    note: str = ""
    share_nik: bool = False
    share_risk: bool = False
    child: bool = False
    report: str = ""


SCENARIOS = [
    Scenario("pk1@demo.local", "dinsos", SOCIAL, S.SENT, [
        "Terdaftar dalam DTKS dan menerima bantuan sembako",
        "Keluarga mendapat pendampingan pekerja sosial",
    ], sent_days_ago=2, note="Klien tinggal bersama ibu dan dua adik; ayah sudah meninggal."),
    Scenario("pk1@demo.local", "dukcapil", IDENTITY, S.COMPLETED, [
        "Memiliki KTP-el", "Namanya tercantum kembali di Kartu Keluarga",
    ], sent_days_ago=40, accepted_days_ago=38, closed_days_ago=20, share_nik=True, sessions=[
        (30, 45, "attended", "Perekaman data KTP-el dan verifikasi KK", "Data terekam"),
        (21, 20, "attended", "Penyerahan KTP-el dan KK baru", "Dokumen diterima klien"),
    ], report="KTP-el dan KK baru telah diterbitkan dan diterima klien."),
    Scenario("pk1@demo.local", "pokmas_skills", TRAINING, S.IN_PROGRESS, [
        "Menyelesaikan pelatihan las listrik dasar (8 pertemuan)",
        "Mendapat sertifikat pelatihan", "Magang di bengkel las mitra Pokmas",
    ], sent_days_ago=35, accepted_days_ago=33, sessions=[
        (28, 180, "attended", "Pengenalan alat dan K3 pengelasan", "Antusias, datang tepat waktu"),
        (21, 180, "attended", "Praktik las titik dan las sambung", "Mulai terampil"),
        (14, 180, "excused", "Praktik las sambung lanjutan", "Izin: mengantar ibu berobat"),
        (7, 180, "attended", "Praktik membuat teralis sederhana", "Hasil kerja rapi"),
    ]),
    Scenario("pk1@demo.local", "dinkes", REHAB, S.ACCEPTED, [
        "Menjalani asesmen ketergantungan NAPZA", "Mengikuti rawat jalan di puskesmas",
    ], sent_days_ago=6, accepted_days_ago=4, share_risk=True),
    Scenario("pk1@demo.local", "pokmas_law", LEGAL, S.DRAFT, [
        "Mendapat pendampingan hukum untuk sengketa tanah warisan",
    ]),
    Scenario("pk2@demo.local", "fisip", COUNSELLING, S.DECLINED, [
        "Mengikuti konseling kelompok 6 sesi",
    ], sent_days_ago=25, closed_days_ago=22,
        reason="Jadwal praktikum konseling mahasiswa semester ini sudah penuh; mohon dirujuk "
               "kembali bulan depan."),
    Scenario("pk2@demo.local", "kua", MARRIAGE, S.WITHDRAWN, [
        "Mengikuti bimbingan perkawinan", "Pernikahan tercatat di KUA",
    ], sent_days_ago=50, accepted_days_ago=47, closed_days_ago=30,
        reason="Klien pindah domisili ke Kecamatan Puger; dirujuk ke KUA setempat."),
    Scenario("pk3@demo.local", "dp3akp", COUNSELLING, S.ENDED_EARLY, [
        "Mengikuti konseling psikologis anak", "Orang tua mengikuti sesi pengasuhan",
    ], sent_days_ago=60, accepted_days_ago=58, closed_days_ago=15, child=True, sessions=[
        (50, 60, "attended", "Asesmen awal bersama orang tua", "Anak masih tertutup"),
        (36, 60, "absent", "Konseling individu", "Tidak hadir tanpa kabar"),
        (22, 60, "attended", "Konseling individu", "Mulai terbuka"),
    ], reason="Keluarga pindah ke Banyuwangi; layanan dilanjutkan oleh UPTD PPA setempat."),
    Scenario("pk2@demo.local", "dinsos", COUNSELLING, S.IN_PROGRESS, [
        "Mengikuti konseling psikososial 4 sesi", "Menyusun rencana kembali bekerja",
    ], sent_days_ago=20, accepted_days_ago=18, sessions=[
        (15, 60, "attended", "Konseling individu: penerimaan diri", "Kooperatif"),
        (8, 60, "attended", "Konseling individu: rencana kerja", "Sudah melamar kerja"),
    ]),
]


def _at(days_ago: int, hour: int = 9) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _services() -> dict[str, Service]:
    """The catalogue's services by name (made again if an administrator removed one)."""
    names = {name for spec in PARTNERS for name in spec.services}
    found = {s.name: s for s in Service.objects.filter(name__in=names)}
    for name in names - set(found):
        found[name] = Service.objects.create(name=name)
    return found


def _seed_partners(context) -> dict[str, tuple[Partner, User]]:
    office = context.office
    head = context.users.get("kabapas@demo.local")
    services = _services()
    today = timezone.localdate()
    result = {}
    for index, spec in enumerate(PARTNERS, start=1):
        partner, _ = Partner.objects.update_or_create(
            name=spec.name,
            defaults={"kind": spec.kind, "pokmas_group": spec.group, "address": spec.address,
                      "phone": spec.phone, "is_active": True},
        )
        partner.offices.add(office)
        partner.services.set([services[name] for name in spec.services])
        name, position, phone = spec.contact
        PartnerContact.objects.update_or_create(
            partner=partner, name=name, defaults={"position": position, "phone": phone}
        )
        end = today + timedelta(days=spec.agreement_days_left)
        start = end - timedelta(days=3 * 365 if spec.agreement_days_left < 0 else 2 * 365)
        Agreement.objects.update_or_create(
            partner=partner, office=office,
            number=f"W15.PAS.PAS.23-{index:02d}.HM.05.02/{start.year}",
            defaults={
                "kind": spec.agreement_kind,
                "title": (f"Kerja sama pembimbingan klien pemasyarakatan antara Bapas Kelas II "
                          f"Jember dan {spec.name}"),
                "parties": f"{office.name}\n{spec.name}",
                "start_date": start, "end_date": end, "created_by": head,
            },
        )
        email, staff_name = spec.login
        user, created = User.objects.update_or_create(
            email=email,
            defaults={"full_name": staff_name, "role": Role.PARTNER, "partner": partner,
                      "office": None, "is_active": True, "phone": spec.contact[2]},
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        context.logins.append((email, f"{user.get_role_display()} {partner.name}"))
        result[spec.key] = (partner, user)
    return result


def _pick_orders(office, users) -> dict[str, list[SupervisionOrder]]:
    """Each PK's active orders that still run, adults first; a child client is asked for apart."""
    today = timezone.localdate()
    picked: dict[str, list[SupervisionOrder]] = {}
    orders = (
        SupervisionOrder.objects.filter(
            client__office=office, status=OrderStatus.ACTIVE, supervision_end__gt=today,
            assigned_pk__isnull=False, supervision_start__lte=today - timedelta(days=60),
        )
        .select_related("client", "assigned_pk")
        .order_by("client__register_number", "pk")
    )
    for order in orders:
        picked.setdefault(order.assigned_pk.email, []).append(order)
    return picked


def _create_referral(scenario: Scenario, order, partner, staff, service) -> Referral:
    pk = order.assigned_pk
    created = _at(scenario.sent_days_ago + 1, 10) if scenario.status != S.DRAFT else _at(0, 8)
    referral = Referral(
        order=order, partner=partner, service=service, note_for_partner=scenario.note,
        share_nik=scenario.share_nik, share_risk=scenario.share_risk,
        consent_given_at=(created.date() if scenario.status != S.DRAFT else None),
        consent_method=(
            "" if scenario.status == S.DRAFT
            else Referral.ConsentMethod.GUARDIAN if order.client.is_child
            else Referral.ConsentMethod.WRITTEN
        ),
        created_by=pk, created_at=created,
    )
    referral._history_user = pk
    referral.save()
    bulk_create_with_history(
        [ReferralGoal(referral=referral, position=i, description=text)
         for i, text in enumerate(scenario.goals)],
        ReferralGoal, default_user=pk, default_change_reason=REASON,
    )
    events = [ReferralEvent(referral=referral, from_status="", to_status=S.DRAFT, by=pk,
                            at=created)]
    status = S.DRAFT

    def move(to: str, when: datetime, by, reason: str = "") -> None:
        nonlocal status
        events.append(ReferralEvent(referral=referral, from_status=status, to_status=to,
                                    reason=reason, by=by, at=when))
        status = to

    final = scenario.status
    if final != S.DRAFT:
        referral.sent_at = _at(scenario.sent_days_ago, 11)
        move(S.SENT, referral.sent_at, pk)
    if scenario.accepted_days_ago is not None:
        referral.accepted_at = _at(scenario.accepted_days_ago, 9)
        move(S.ACCEPTED, referral.accepted_at, staff)
    sessions = []
    for days_ago, minutes, attendance, activity, progress in scenario.sessions:
        if status == S.ACCEPTED:
            move(S.IN_PROGRESS, _at(days_ago, 13), staff)
        sessions.append(ServiceSession(
            referral=referral, date=timezone.localdate() - timedelta(days=days_ago),
            duration_minutes=minutes, attendance=attendance, activity=activity,
            progress=progress, logged_by=staff, logged_at=_at(days_ago, 15),
        ))
    if final in (S.DECLINED, S.WITHDRAWN, S.ENDED_EARLY, S.COMPLETED):
        referral.closed_at = _at(scenario.closed_days_ago, 14)
        referral.closing_reason = scenario.reason
        by = pk if final == S.WITHDRAWN else staff
        if final == S.COMPLETED:
            report = ServiceReport(referral=referral, summary=scenario.report,
                                   recommendation="Pantau pemanfaatan dokumen oleh klien.",
                                   submitted_by=staff, submitted_at=referral.closed_at)
            report._history_user = staff
            report.save()
            for goal in referral.goals.all():
                goal.outcome = ReferralGoal.Outcome.ACHIEVED
                goal._history_user = staff
                goal.save()
        move(final, referral.closed_at, by, scenario.reason)
    referral.status = status
    referral._history_user = pk
    referral.save()
    ReferralEvent.objects.bulk_create(events)
    bulk_create_with_history(sessions, ServiceSession, default_user=staff,
                             default_change_reason=REASON)
    return referral


def seed(context) -> None:
    """Called by ``manage.py seed_demo`` with the offices and logins it created."""
    partners = _seed_partners(context)
    office = context.office
    if Referral.objects.filter(order__client__office=office).exists():
        return  # referrals were seeded before: leave what demo users did with them
    if not Client.objects.filter(office=office).exists():
        return  # no demo clients (clients/demo.py did not run): no referrals either
    services = _services()
    orders = _pick_orders(office, context.users)
    used: set[int] = set()
    for scenario in SCENARIOS:
        candidates = [o for o in orders.get(scenario.pk, []) if o.client_id not in used
                      and o.client.is_child == scenario.child]
        if not candidates:
            candidates = [o for o in orders.get(scenario.pk, []) if o.client_id not in used]
        if not candidates:
            continue
        order = candidates[0]
        used.add(order.client_id)
        partner, staff = partners[scenario.partner]
        _create_referral(scenario, order, partner, staff, services[scenario.service])
