from datetime import timedelta

import factory
from django.utils import timezone

from clients.models import Client, Contact, ContactKind, Program, RiskLevel, SupervisionOrder

from .bapas import OfficeFactory


def _nik(n: int, sex: str = "L") -> str:
    # region 350901 (Kab. Jember), birth date 15-06-1990 (+40 for women), serial n
    day = 15 + (40 if sex == "P" else 0)
    return f"350901{day:02d}0690{n % 10000:04d}"


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    office = factory.SubFactory(OfficeFactory)
    register_number = factory.Sequence(lambda n: f"REG-{n:05d}")
    full_name = factory.Faker("name", locale="id_ID")
    nik = factory.Sequence(lambda n: _nik(n))
    birth_place = "Jember"
    birth_date = factory.LazyFunction(lambda: timezone.localdate().replace(year=1990, month=6,
                                                                           day=15))
    sex = Client.Sex.MALE
    phone = "081234567890"


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupervisionOrder

    client = factory.SubFactory(ClientFactory)
    program = Program.PB
    decree_number = factory.Sequence(lambda n: f"PAS-{n}.PK.05.09/2026")
    offence = "Pencurian"
    article = "Pasal 362 KUHP"
    supervision_start = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=60))
    supervision_end = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=300))
    risk_level = RiskLevel.LOW
    assigned_pk = None


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    order = factory.SubFactory(OrderFactory)
    kind = ContactKind.REPORT
    planned_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))
    officer = factory.SelfAttribute("order.assigned_pk")
