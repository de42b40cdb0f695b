"""Demo offices and logins. Each app's ``demo.py`` adds its own data (see seed_demo)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import Office, RegionalOffice, Role, User

DEMO_PASSWORD = "demo12345"  # noqa: S105 (a documented demo password, refused when DEBUG is off)


@dataclass
class DemoContext:
    """What the bapas seed created, handed to each app's seed so they can build on it."""

    office: Office
    other_office: Office
    users: dict[str, User]
    logins: list[tuple[str, str]] = field(default_factory=list)  # (email, description)


DEMO_USERS = [
    # email, full name, role, office key, NIP
    ("admin@demo.local", "Administrator Sistem", Role.ADMIN, None, ""),
    ("kabapas@demo.local", "Dr. Bambang Sutrisno, S.H., M.H.", Role.HEAD, "jember",
     "197203151998031002"),
    ("kasubsi@demo.local", "Siti Rahmawati, S.Sos.", Role.SUPERVISOR, "jember",
     "198005122005022001"),
    ("pk1@demo.local", "Agus Prasetyo, S.H.", Role.PK, "jember", "198703212010121001"),
    ("pk2@demo.local", "Dewi Lestari, S.Psi.", Role.PK, "jember", "199002082014022002"),
    ("pk3@demo.local", "Hendra Wijaya, S.Sos.", Role.PK, "jember", "198811302012121003"),
    ("operator@demo.local", "Rina Marlina", Role.OPERATOR, "jember", ""),
    ("kanwil@demo.local", "Yusuf Hidayat, S.H.", Role.REGIONAL, None, "197909092003121001"),
    ("pk@bondowoso.demo.local", "Fajar Nugroho, S.H.", Role.PK, "bondowoso",
     "199106062015031004"),
]


def seed_offices_and_users() -> DemoContext:
    kanwil, _ = RegionalOffice.objects.update_or_create(
        name="Kantor Wilayah Kementerian Imigrasi dan Pemasyarakatan Jawa Timur"
    )
    jember, _ = Office.objects.update_or_create(
        name="Bapas Kelas II Jember",
        defaults={
            "office_class": Office.OfficeClass.CLASS_II,
            "city": "Jember",
            "address": "Jl. Kalimantan No. 29, Sumbersari, Jember, Jawa Timur 68121",
            "phone": "(0331) 330139",
            "email": "bapasjember@demo.local",
            "regional_office": kanwil,
            "letterhead_lines": "Laman: bapasjember.kemenkumham.go.id",
            "head_name": "Dr. Bambang Sutrisno, S.H., M.H.",
            "head_nip": "197203151998031002",
        },
    )
    bondowoso, _ = Office.objects.update_or_create(
        name="Bapas Kelas II Bondowoso",
        defaults={
            "office_class": Office.OfficeClass.CLASS_II,
            "city": "Bondowoso",
            "address": "Jl. Santawi No. 12, Bondowoso, Jawa Timur 68211",
            "phone": "(0332) 421234",
            "regional_office": kanwil,
            "head_name": "Suparno, S.H.",
            "head_nip": "197006061995031001",
        },
    )
    offices = {"jember": jember, "bondowoso": bondowoso}
    users: dict[str, User] = {}
    logins = []
    for email, name, role, office_key, nip in DEMO_USERS:
        user, created = User.objects.update_or_create(
            email=email,
            defaults={
                "full_name": name,
                "role": role,
                "office": offices.get(office_key) if office_key else None,
                "regional_office": kanwil if role == Role.REGIONAL else None,
                "nip": nip,
                "is_active": True,
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
            },
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users[email] = user
        place = user.office.name if user.office else (kanwil.name if role == Role.REGIONAL else "")
        logins.append((email, f"{user.get_role_display()} {place}".strip()))
    return DemoContext(office=jember, other_office=bondowoso, users=users, logins=logins)
