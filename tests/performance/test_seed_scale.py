"""seed_scale: refuses where it must, and the data it writes is consistent and loggable-in."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from bapas import scale
from bapas.models import Office, RegionalOffice, Role, User
from clients.models import Client, Contact, OrderStatus, SupervisionOrder, normalise_name
from clients.nik import parse_nik
from meetings.models import Meeting
from partners.models import Referral, ReferralStatus, ServiceSession

SMALL = ["--offices", "2", "--clients", "60", "--contacts", "600", "--referrals", "90",
         "--sessions", "300", "--meetings", "10", "--years", "2"]


def seed(*extra: str) -> str:
    out = StringIO()
    call_command("seed_scale", *SMALL, *extra, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    return seed()


def test_refused_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        seed()
    assert not Client.objects.exists()


def test_writes_the_requested_amounts_and_reports_its_time(seeded):
    assert Office.objects.count() == 2
    assert RegionalOffice.objects.count() == 1
    assert Client.objects.count() == 60
    assert SupervisionOrder.objects.count() >= 60
    assert 500 <= Contact.objects.count() <= 700  # spread over the orders, about as asked
    assert Referral.objects.count() == 90
    assert 200 <= ServiceSession.objects.count() <= 400
    assert Meeting.objects.count() == 10
    assert "clients_contact" in seeded and "Done:" in seeded


def test_clients_have_consistent_unique_niks_and_folded_names(seeded):
    niks = list(Client.objects.exclude(nik=None).values_list("nik", flat=True))
    assert len(niks) == len(set(niks)) > 40
    for client in Client.objects.exclude(nik=None):
        nik = parse_nik(client.nik)
        assert nik.matches_birth_date(client.birth_date)
        assert nik.sex == client.sex
        assert client.nik.startswith(client.district_id.replace(".", ""))
        assert client.search_name == normalise_name(f"{client.full_name} {client.aliases}")


def test_orders_and_referrals_cover_every_state(seeded):
    statuses = set(SupervisionOrder.objects.values_list("status", flat=True))
    assert {OrderStatus.ACTIVE, OrderStatus.COMPLETED} <= statuses
    assert set(Referral.objects.values_list("status", flat=True)) >= {
        ReferralStatus.COMPLETED, ReferralStatus.IN_PROGRESS}
    # Outcomes are recorded for past contacts only, and cancelled ones have none.
    assert not Contact.objects.exclude(outcome="").exclude(cancelled_at=None).exists()


def test_orders_carry_their_clients_office(seeded):
    assert SupervisionOrder.objects.values("office").distinct().count() == 2
    assert not SupervisionOrder.objects.exclude(office_id=F("client__office_id")).exists()


def test_bench_logins_exist_with_the_published_password(seeded):
    pk = User.objects.get(email=scale.office_email("pk1", 1))
    assert pk.role == Role.PK and pk.check_password(scale.BENCH_PASSWORD)
    assert User.objects.get(email=scale.office_email("kasubsi", 1)).role == Role.SUPERVISOR
    partner_staff = User.objects.get(email=scale.office_email("mitra1", 1))
    assert partner_staff.role == Role.PARTNER and partner_staff.partner_id
    assert SupervisionOrder.objects.filter(assigned_pk=pk, status=OrderStatus.ACTIVE).exists()


def test_second_run_is_refused_without_reset(seeded):
    with pytest.raises(CommandError, match="already holds scale data"):
        seed()


def test_reset_replaces_the_data_with_the_same_seed(seeded):
    names = list(Client.objects.order_by("pk").values_list("full_name", flat=True))
    seed("--reset")
    assert list(Client.objects.order_by("pk").values_list("full_name", flat=True)) == names
    assert Client.objects.count() == 60


def test_reset_refuses_a_database_with_other_accounts(seeded, users):
    with pytest.raises(CommandError, match="accounts seed_scale did not create"):
        seed("--reset")
    assert User.objects.filter(email=users["pk"].email).exists()
