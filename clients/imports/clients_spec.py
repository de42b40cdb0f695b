"""The clients import format: the sheets "Klien" (one row per client and order) and "Kontak"
(past contacts with their outcomes), their columns, and the words accepted in coded columns."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

from django.utils.translation import gettext_lazy as _

from ..models import Client, ContactKind, InstitutionType, Outcome, Program, RiskLevel
from .values import Col, SheetSpec, choice_map

# The template's example rows use this NIK; rows that still carry it are skipped.
EXAMPLE_NIK = "3509011708850001"
EXAMPLE_DECREE = "PAS-1234.PK.05.09/2025"

# (value, words an office types; the first is the one the template offers)
PROGRAM_WORDS = {
    Program.PB: ("PB", "Pembebasan Bersyarat", "parole"),
    Program.CB: ("CB", "Cuti Bersyarat"),
    Program.CMB: ("CMB", "Cuti Menjelang Bebas"),
    Program.ASSIMILATION: ("Asimilasi", "assimilation"),
    Program.CONDITIONAL: ("Pidana Bersyarat", "Pid. Bersyarat", "pidana percobaan"),
    Program.SUPERVISED: ("Pidana Pengawasan", "Pid. Pengawasan"),
    Program.DIVERSION: ("Diversi", "diversion"),
}
SEX_WORDS = {
    Client.Sex.MALE: ("L", "Laki-laki", "laki laki", "lk", "pria", "male", "m"),
    Client.Sex.FEMALE: ("P", "Perempuan", "pr", "wanita", "female", "f", "w"),
}
RELIGION_WORDS = {
    Client.Religion.ISLAM: ("Islam",),
    Client.Religion.PROTESTANT: ("Kristen", "Kristen Protestan", "Protestan"),
    Client.Religion.CATHOLIC: ("Katolik", "Katholik", "Kristen Katolik"),
    Client.Religion.HINDU: ("Hindu",),
    Client.Religion.BUDDHIST: ("Buddha", "Budha"),
    Client.Religion.CONFUCIAN: ("Konghucu", "Khonghucu", "Kong Hu Cu"),
    Client.Religion.OTHER: ("Lainnya", "Kepercayaan", "aliran kepercayaan"),
}
EDUCATION_WORDS = {
    Client.Education.NONE: ("Tidak sekolah", "belum sekolah", "tidak tamat SD", "tidak tamat"),
    Client.Education.SD: ("SD", "SD sederajat", "MI", "tamat SD"),
    Client.Education.SMP: ("SMP", "MTs", "SLTP", "SMP sederajat"),
    Client.Education.SMA: ("SMA", "SMK", "SLTA", "MA", "SMA/SMK", "SMA sederajat"),
    Client.Education.DIPLOMA: ("Diploma", "D1", "D2", "D3", "D4"),
    Client.Education.BACHELOR: ("S1", "Sarjana"),
    Client.Education.POSTGRADUATE: ("S2", "S3", "S2/S3", "Magister", "Doktor"),
}
MARITAL_WORDS = {
    Client.MaritalStatus.SINGLE: ("Belum kawin", "belum menikah", "lajang", "tidak kawin"),
    Client.MaritalStatus.MARRIED: ("Kawin", "menikah", "sudah menikah", "kawin tercatat"),
    Client.MaritalStatus.DIVORCED: ("Cerai hidup", "cerai", "bercerai"),
    Client.MaritalStatus.WIDOWED: ("Cerai mati", "janda", "duda"),
}
INSTITUTION_WORDS = {
    InstitutionType.LAPAS: ("Lapas", "lembaga pemasyarakatan"),
    InstitutionType.RUTAN: ("Rutan", "rumah tahanan"),
    InstitutionType.LPKA: ("LPKA", "lembaga pembinaan khusus anak"),
    InstitutionType.COURT: ("Pengadilan", "PN", "pengadilan negeri"),
    InstitutionType.OTHER: ("Lainnya",),
}
RISK_WORDS = {
    RiskLevel.LOW: ("Rendah", "low"),
    RiskLevel.MEDIUM: ("Sedang", "medium"),
    RiskLevel.HIGH: ("Tinggi", "high"),
}
CONTACT_KIND_WORDS = {
    ContactKind.REPORT: ("Wajib lapor", "lapor", "lapor diri"),
    ContactKind.REMOTE_REPORT: ("Lapor daring", "lapor online", "wajib lapor daring"),
    ContactKind.HOME_VISIT: ("Kunjungan rumah", "home visit", "kunjungan ke rumah"),
    ContactKind.WORKPLACE_VISIT: ("Kunjungan tempat kerja", "kunjungan kerja"),
    ContactKind.GUARANTOR_VISIT: ("Kunjungan penjamin", "kunjungan rumah penjamin"),
    ContactKind.PHONE: ("Telepon", "telpon", "telfon", "via telepon"),
    ContactKind.VIDEO: ("Panggilan video", "video call", "video"),
    ContactKind.GROUP: ("Bimbingan kelompok", "kelompok"),
}
OUTCOME_WORDS = {
    Outcome.ATTENDED: ("Hadir dan patuh", "hadir patuh", "hadir"),
    Outcome.ATTENDED_NONCOMPLIANT: ("Hadir tidak patuh", "hadir tetapi tidak patuh",
                                    "hadir namun tidak patuh"),
    Outcome.EXCUSED: ("Tidak hadir alasan sah", "tidak hadir dengan alasan sah", "izin",
                      "berhalangan"),
    Outcome.MISSED: ("Tidak hadir", "tidak hadir tanpa alasan", "mangkir", "alpa"),
}


def _choice(name, heading, enum, words, **kwargs) -> Col:
    return Col(
        name, heading, kind="choice", choices=choice_map(enum, words),
        allowed=tuple((spellings[0], str(enum(value).label)) for value, spellings in words.items()),
        **kwargs,
    )



def _client_columns() -> tuple[Col, ...]:
    return (
        Col("full_name", "Nama Lengkap", required=True, aliases=("Nama", "Nama Klien"),
            width=26),
        Col("aliases", "Alias", aliases=("Nama Alias", "Nama Lain", "Alias / Nama Lain")),
        Col("nik", "NIK", required=True, kind="nik",
            aliases=("Nomor Induk Kependudukan", "No NIK", "No. NIK", "Nomor NIK"), width=20),
        Col("birth_place", "Tempat Lahir", required=True),
        Col("birth_date", "Tanggal Lahir", required=True, kind="date",
            aliases=("Tgl Lahir", "Tgl. Lahir")),
        _choice("sex", "Jenis Kelamin (L/P)", Client.Sex, SEX_WORDS, required=True,
                aliases=("Jenis Kelamin", "JK", "L/P", "Kelamin")),
        _choice("religion", "Agama", Client.Religion, RELIGION_WORDS),
        _choice("education", "Pendidikan", Client.Education, EDUCATION_WORDS,
                aliases=("Pendidikan Terakhir",)),
        _choice("marital_status", "Status Perkawinan", Client.MaritalStatus, MARITAL_WORDS,
                aliases=("Status Kawin", "Status Pernikahan")),
        Col("occupation", "Pekerjaan"),
        Col("address_street", "Alamat", aliases=("Alamat Lengkap", "Alamat Rumah"), width=30),
        Col("rt", "RT", width=6),
        Col("rw", "RW", width=6),
        Col("phone", "Telepon", kind="phone", aliases=("No HP", "No. HP", "Nomor HP", "HP",
                                                       "No Telepon", "Nomor Telepon")),
        Col("whatsapp", "WhatsApp", kind="phone", aliases=("WA", "No WA", "Nomor WhatsApp")),
        Col("guarantor_name", "Nama Penjamin", aliases=("Penjamin",)),
        Col("guarantor_relationship", "Hubungan Penjamin",
            aliases=("Hubungan dengan Penjamin", "Hubungan")),
        Col("guarantor_phone", "Telepon Penjamin", kind="phone", aliases=("No HP Penjamin",)),
        Col("guarantor_address", "Alamat Penjamin", width=30),
        _choice("program", "Program", Program, PROGRAM_WORDS, required=True,
                aliases=("Program Bimbingan", "Jenis Program", "Jenis Bimbingan")),
        Col("decree_number", "Nomor SK", required=True, blank_ok=True,
            aliases=("No SK", "No. SK", "Nomor Surat Keputusan", "SK"), width=26),
        Col("decree_date", "Tanggal SK", kind="date", aliases=("Tgl SK", "Tgl. SK")),
        Col("court_decision_number", "Nomor Putusan",
            aliases=("No Putusan", "No. Putusan", "Nomor Putusan Pengadilan"), width=22),
        Col("court_decision_date", "Tanggal Putusan", kind="date", aliases=("Tgl Putusan",)),
        Col("offence", "Tindak Pidana", required=True, aliases=("Kasus", "Perkara"), width=24),
        Col("article", "Pasal", aliases=("Pasal yang Dilanggar",)),
        Col("offence_date", "Tanggal Tindak Pidana", kind="date",
            aliases=("Tanggal Kejadian", "Tgl Tindak Pidana")),
        Col("sentence", "Pidana", aliases=("Lama Pidana", "Vonis", "Putusan Pidana")),
        _choice("institution_type", "Jenis Instansi Asal", InstitutionType, INSTITUTION_WORDS,
                aliases=("Jenis Instansi",)),
        Col("institution_name", "Instansi Asal",
            aliases=("Asal Lapas", "Lapas/Rutan Asal", "Asal Instansi", "UPT Asal"), width=24),
        Col("supervision_start", "Mulai Bimbingan", required=True, kind="date",
            aliases=("Tanggal Mulai", "Awal Bimbingan", "Mulai Masa Bimbingan",
                     "Tanggal Mulai Bimbingan")),
        Col("supervision_end", "Akhir Bimbingan", required=True, kind="date",
            aliases=("Tanggal Akhir", "Selesai Bimbingan", "Akhir Masa Bimbingan",
                     "Tanggal Akhir Bimbingan", "Tanggal Selesai")),
        Col("special_conditions", "Syarat Khusus", width=30),
        _choice("risk_level", "Tingkat Risiko", RiskLevel, RISK_WORDS,
                aliases=("Risiko", "Level Risiko")),
        Col("pk_email", "Email PK", kind="email",
            aliases=("Email Pembimbing Kemasyarakatan", "PK (Email)", "Email Petugas PK"),
            width=24),
    )



def _contact_columns() -> tuple[Col, ...]:
    return (
        Col("nik", "NIK", required=True, kind="nik", aliases=("No NIK", "No. NIK"), width=20),
        Col("decree_number", "Nomor SK", aliases=("No SK", "No. SK", "SK"), width=26),
        _choice("kind", "Jenis Kontak", ContactKind, CONTACT_KIND_WORDS, required=True,
                aliases=("Jenis", "Kontak", "Bentuk Kontak"), width=22),
        Col("date", "Tanggal", required=True, kind="date",
            aliases=("Tanggal Kontak", "Tgl", "Tanggal Lapor")),
        Col("time", "Jam", kind="time", aliases=("Waktu", "Pukul"), width=8),
        _choice("outcome", "Hasil", Outcome, OUTCOME_WORDS, required=True,
                aliases=("Kehadiran", "Hasil Kontak"), width=22),
        Col("place", "Tempat", aliases=("Lokasi",)),
        Col("notes", "Catatan", aliases=("Keterangan",), width=30),
    )


CLIENT_EXAMPLE = {
    "full_name": "Budi Santoso", "aliases": "", "nik": EXAMPLE_NIK, "birth_place": "Jember",
    "birth_date": date(1985, 8, 17), "sex": "L", "religion": "Islam", "education": "SMA",
    "marital_status": "Kawin", "occupation": "Buruh tani",
    "address_street": "Jl. Mawar No. 12", "rt": "003", "rw": "005",
    "phone": "0812-3456-7890", "whatsapp": "0812-3456-7890",
    "guarantor_name": "Sri Wahyuni", "guarantor_relationship": "Istri",
    "guarantor_phone": "0813-1111-2222", "guarantor_address": "Jl. Mawar No. 12, Jember",
    "program": "PB", "decree_number": EXAMPLE_DECREE, "decree_date": date(2025, 3, 1),
    "court_decision_number": "123/Pid.B/2023/PN Jmr", "court_decision_date": date(2023, 6, 5),
    "offence": "Pencurian", "article": "Pasal 362 KUHP", "offence_date": date(2023, 1, 10),
    "sentence": "2 tahun 6 bulan", "institution_type": "Lapas",
    "institution_name": "Lapas Kelas IIA Jember",
    "supervision_start": date(2025, 3, 10), "supervision_end": date(2026, 9, 10),
    "special_conditions": "Wajib lapor setiap bulan", "risk_level": "Rendah",
    "pk_email": "pk@bapas-jember.go.id",
}
CONTACT_EXAMPLE = {
    "nik": EXAMPLE_NIK, "decree_number": EXAMPLE_DECREE, "kind": "Wajib lapor",
    "date": date(2025, 4, 10), "time": time(9, 0), "outcome": "Hadir dan patuh",
    "place": "Kantor Bapas", "notes": "Melapor tepat waktu",
}



def client_sheets() -> tuple[SheetSpec, SheetSpec]:
    clients = _client_columns()
    contacts = _contact_columns()
    return (
        SheetSpec("Klien", clients, example=(tuple(CLIENT_EXAMPLE[c.name] for c in clients),)),
        SheetSpec("Kontak", contacts, optional=True,
                  example=(tuple(CONTACT_EXAMPLE[c.name] for c in contacts),)),
    )


def office_client_sheets(office) -> tuple[SheetSpec, SheetSpec]:
    """The template as one office downloads it: its active PKs are the allowed values (and the
    drop-down) of "Email PK", the example row names the first of them, and its supervision
    ends after today (so the example reads as a running order, not one to close)."""
    from django.utils import timezone

    from bapas.models import Role, User

    officers = tuple(
        User.objects.filter(office=office, role=Role.PK, is_active=True)
        .order_by("full_name").values_list("email", "full_name")
    ) if office is not None else ()
    clients, contacts = client_sheets()
    today = timezone.localdate()
    current = {"supervision_end": date(today.year + 1, 9, 10)}
    if officers:
        current["pk_email"] = officers[0][0]
    columns = tuple(replace(column, allowed=officers) if column.name == "pk_email" and officers
                    else column for column in clients.columns)
    example = tuple(current.get(column.name, value)
                    for column, value in zip(columns, clients.example[0], strict=True))
    return replace(clients, columns=columns, example=(example,)), contacts


SHEET_HELP = _(
    "Klien: one row per client and supervision order (a client with two orders takes two rows "
    "with the same NIK). Kontak (optional): past contacts with their outcome, linked to the "
    "order by NIK and Nomor SK."
)
