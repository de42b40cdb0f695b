"""Partner fixtures: pk's client referred to the fixture partner (Dinas Sosial), a second partner
with its own staff, and a helper that walks a referral to any status."""

import pytest
from django.utils import translation

from bapas.models import Role
from tests.factories import ClientFactory, OrderFactory, PartnerFactory, UserFactory
from tests.factories.partners import ReferralFactory, ServiceFactory, advance

CLIENT_NIK = "3509015506900042"


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions on messages read the English source strings, whatever the catalogues hold."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def service(db):
    return ServiceFactory(name="Konseling psikososial")


@pytest.fixture
def own_order(users, office):
    """An active order of a client on the caseload of users['pk'], with a known NIK."""
    client = ClientFactory(office=office, full_name="Muhammad Rizky", nik=CLIENT_NIK,
                           phone="081234500042")
    return OrderFactory(client=client, assigned_pk=users["pk"], offence="Penadahan",
                        article="Pasal 480 KUHP")


@pytest.fixture
def colleague_order(users, office):
    return OrderFactory(client=ClientFactory(office=office, full_name="Siti Aminah"),
                        assigned_pk=users["pk2"])


@pytest.fixture
def foreign_order(users, other_office):
    return OrderFactory(client=ClientFactory(office=other_office, full_name="Bayu Saputra"),
                        assigned_pk=users["other_pk"])


@pytest.fixture
def other_partner(office):
    return PartnerFactory(name="Dinas Kesehatan Kabupaten Jember", offices=[office])


@pytest.fixture
def other_partner_staff(other_partner):
    return UserFactory(role=Role.PARTNER, office=None, partner=other_partner,
                       email="dinkes@test.local")


@pytest.fixture
def referral(own_order, partner, service):
    """A draft of pk's client to the fixture partner, consent recorded, two goals."""
    return ReferralFactory(order=own_order, partner=partner, service=service,
                           created_by=own_order.assigned_pk)


@pytest.fixture
def make_referral(users, own_order, partner, service):
    """make_referral(status, **factory_kwargs): a referral of pk's client walked to status."""

    def _make(status, **kwargs):
        partner_user = kwargs.pop("partner_user", None)
        kwargs.setdefault("order", own_order)
        kwargs.setdefault("partner", partner)
        kwargs.setdefault("service", service)
        kwargs.setdefault("created_by", kwargs["order"].assigned_pk)
        referral = ReferralFactory(**kwargs)
        staff = partner_user or kwargs["partner"].staff.first()
        return advance(referral, status, officer=kwargs["order"].assigned_pk,
                       partner_user=staff or users["partner"])

    return _make
