import factory

from bapas.models import Office, RegionalOffice, Role, User
from partners.models import Partner

PASSWORD = "s3cret-Passw0rd"


class RegionalOfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegionalOffice
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Kanwil Test {n}")


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    name = factory.Sequence(lambda n: f"Bapas Kelas II Test {n}")
    city = "Jember"
    address = "Jl. Kalimantan No. 1"
    regional_office = factory.SubFactory(RegionalOfficeFactory)
    head_name = "Kepala Test"
    head_nip = "197203151998031002"


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Mitra {n}")
    kind = Partner.Kind.GOVERNMENT

    @factory.post_generation
    def offices(self, create, extracted, **kwargs):
        if create and extracted:
            self.offices.add(*extracted)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@test.local")
    full_name = factory.Faker("name", locale="id_ID")
    role = Role.PK
    office = factory.SubFactory(OfficeFactory)
    password = factory.django.Password(PASSWORD)

    class Params:
        regional = factory.Trait(
            role=Role.REGIONAL, office=None,
            regional_office=factory.SubFactory(RegionalOfficeFactory),
        )
        admin = factory.Trait(role=Role.ADMIN, office=None, is_staff=True, is_superuser=True)
        partner_staff = factory.Trait(
            role=Role.PARTNER, office=None, partner=factory.SubFactory(PartnerFactory)
        )
