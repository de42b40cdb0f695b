"""The partners' demo data: the article's partners, logins, agreements and referrals in every
state; idempotent; and the demo path of the issue works on it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bapas.demo import DEMO_PASSWORD
from bapas.models import Role, User
from clients.models import OrderStatus, SupervisionOrder
from partners.models import (
    Agreement,
    AgreementStatus,
    Partner,
    Referral,
    ReferralEvent,
    ReferralStatus,
    ServiceSession,
)

COUNTED = [Partner, Agreement, Referral, ReferralEvent, ServiceSession]
ARTICLE_PARTNERS = {
    "Pokmas Lipas Hukum dan Kemasyarakatan Jember": "pokmas@demo.local",
    "Pokmas Lipas Kemandirian dan Kepribadian Jember": "pokmas2@demo.local",
    "Dinas Sosial Kabupaten Jember": "dinsos@demo.local",
    "Dinas Kesehatan Kabupaten Jember": "dinkes@demo.local",
    "Dinas Kependudukan dan Pencatatan Sipil (Dukcapil) Kabupaten Jember": "dukcapil@demo.local",
    "DP3AKP Kabupaten Jember": "dp3akp@demo.local",
    "KUA Kecamatan Ambulu": "kua@demo.local",
    "Fakultas Ilmu Sosial dan Ilmu Politik (FISIP) Universitas Jember": "fisip@demo.local",
}


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        first = counts()
        call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
        yield {"first": first, "second": counts(), "output": out.getvalue()}
        transaction.set_rollback(True)


@pytest.fixture
def settings_en(settings):
    settings.LANGUAGE_CODE = "en"


def test_second_run_creates_nothing_new(demo, db):
    assert demo["first"] == demo["second"]
    assert demo["first"]["Referral"] >= 8


def test_the_articles_partners_each_with_a_login(demo, db):
    for name, email in ARTICLE_PARTNERS.items():
        partner = Partner.objects.get(name=name)
        assert partner.services.exists()
        assert partner.offices.filter(name="Bapas Kelas II Jember").exists()
        user = User.objects.get(email=email)
        assert (user.role, user.partner) == (Role.PARTNER, partner)
        assert user.check_password(DEMO_PASSWORD)
        assert email in demo["output"]  # make run lists the login


def test_agreements_active_expiring_and_expired(demo, db):
    statuses = {a.status for a in Agreement.objects.all()}
    assert statuses == {AgreementStatus.ACTIVE, AgreementStatus.EXPIRING, AgreementStatus.EXPIRED}


def test_referrals_in_every_state_with_sessions(demo, db):
    assert set(Referral.objects.values_list("status", flat=True)) == set(ReferralStatus.values)
    assert ServiceSession.objects.count() >= 5
    for referral in Referral.objects.exclude(status=ReferralStatus.DRAFT):
        assert referral.has_consent
        sent_day = timezone.localdate(referral.sent_at)
        assert all(s.date >= sent_day for s in referral.sessions.all())
        assert referral.events.last().to_status == referral.status


def test_pk1_has_a_client_sent_to_dinas_sosial(demo, db):
    assert Referral.objects.filter(
        status=ReferralStatus.SENT, partner__name="Dinas Sosial Kabupaten Jember",
        order__assigned_pk__email="pk1@demo.local",
    ).exists()


def test_the_demo_path(demo, db, client, settings_en):
    """pk1 refers a client to Dinas Sosial; dinsos accepts, logs two sessions and closes with a
    report; pk1 sees it on the timeline; dinsos reaches none of pk1's other clients."""
    pk1 = User.objects.get(email="pk1@demo.local")
    dinsos = User.objects.get(email="dinsos@demo.local")
    partner = dinsos.partner
    referred = set(Referral.objects.filter(partner=partner).values_list("order__client",
                                                                       flat=True))
    order = (SupervisionOrder.objects.filter(assigned_pk=pk1, status=OrderStatus.ACTIVE,
                                             client__section="adult")
             .exclude(client__in=referred).select_related("client").first())
    service = partner.services.get(name="Bantuan sosial")
    today = timezone.localdate().isoformat()

    client.force_login(pk1)
    response = client.post(reverse("partners:referral_create") + f"?order={order.pk}", {
        "service": service.pk, "partner": partner.pk, "goals": "Terdaftar DTKS\nMenerima PKH",
        "consent_given_at": today, "consent_method": "written", "action": "send",
    })
    assert response.status_code == 302, response.context["form"].errors
    referral = Referral.objects.get(order=order, partner=partner)
    assert referral.status == ReferralStatus.SENT

    client.force_login(dinsos)
    portal = client.get(reverse("partners:portal")).content.decode()
    assert order.client.full_name in portal
    client.post(reverse("partners:portal_action", args=[referral.pk]), {"to": "accepted"})
    for activity in ("Asesmen kebutuhan keluarga", "Pendaftaran DTKS"):
        response = client.post(reverse("partners:portal_session", args=[referral.pk]), {
            "date": today, "duration_minutes": "60", "attendance": "attended",
            "activity": activity,
        })
        assert response.status_code == 302
    goals = list(referral.goals.all())
    data = {"summary": "Keluarga terdaftar DTKS."}
    data.update({f"goal_{goal.pk}": "achieved" for goal in goals})
    assert client.post(reverse("partners:portal_report", args=[referral.pk]),
                       data).status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    assert referral.sessions.count() == 2

    client.force_login(pk1)
    page = client.get(reverse("clients:detail", args=[order.client.pk])).content.decode()
    assert "Dinas Sosial Kabupaten Jember" in page

    # Every client of pk1 not referred to Dinas Sosial: 404 (or 403) and no NIK for dinsos.
    client.force_login(dinsos)
    others = (SupervisionOrder.objects.filter(assigned_pk=pk1).exclude(
        client__in=Referral.objects.filter(partner=partner).values("order__client")
    ).select_related("client"))
    for other in others:
        for url in (reverse("clients:detail", args=[other.client.pk]),
                    reverse("clients:order_detail", args=[other.client.pk, other.pk]),
                    reverse("partners:referral_create") + f"?order={other.pk}"):
            response = client.get(url)
            assert response.status_code in (403, 404), url
            assert other.client.nik.encode() not in response.content
    body = client.get(reverse("partners:portal_referral", args=[referral.pk])).content
    assert order.client.nik.encode() not in body
