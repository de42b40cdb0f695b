"""Factories for partners, agreements, services and referrals.

``ReferralFactory`` builds a draft with consent and goals; ``advance`` walks a referral through
the real lifecycle service to any status, so events and timestamps are what production writes.
"""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from partners import services
from partners.models import (
    Agreement,
    PartnerContact,
    Referral,
    ReferralEvent,
    ReferralGoal,
    ReferralStatus,
    Service,
    ServiceSession,
)

from .bapas import OfficeFactory, PartnerFactory
from .clients import OrderFactory


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Layanan uji {n}")


class PartnerContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerContact

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Faker("name", locale="id_ID")
    position = "Kepala Seksi"
    phone = "0331-123456"


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    partner = factory.SubFactory(PartnerFactory)
    office = factory.SubFactory(OfficeFactory)
    kind = Agreement.Kind.PKS
    number = factory.Sequence(lambda n: f"W15.PAS.PAS23-{n}.HM.05.02/2025")
    title = "Perjanjian kerja sama pembimbingan klien"
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=100))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=300))


class ReferralFactory(factory.django.DjangoModelFactory):
    """A draft referral with consent recorded and two goals; the partner offers the service."""

    class Meta:
        model = Referral
        skip_postgeneration_save = True

    order = factory.SubFactory(OrderFactory)
    partner = factory.SubFactory(PartnerFactory)
    service = factory.SubFactory(ServiceFactory, name="Konseling psikososial")
    created_by = factory.LazyAttribute(lambda o: o.order.assigned_pk)
    consent_given_at = factory.LazyFunction(timezone.localdate)
    consent_method = Referral.ConsentMethod.WRITTEN

    @factory.post_generation
    def goals(self, create, extracted, **kwargs):
        if not create:
            return
        texts = extracted if extracted is not None else [
            "Mengikuti konseling secara rutin", "Menyusun rencana kerja"
        ]
        for i, text in enumerate(texts):
            ReferralGoal.objects.create(referral=self, position=i, description=text)
        self.partner.services.add(self.service)
        self.partner.offices.add(self.order.client.office_id)
        ReferralEvent.objects.create(referral=self, from_status="",
                                     to_status=ReferralStatus.DRAFT, by=self.created_by)


# The path from a draft to each status, through the lifecycle service.
PATHS = {
    ReferralStatus.DRAFT: [],
    ReferralStatus.SENT: [ReferralStatus.SENT],
    ReferralStatus.ACCEPTED: [ReferralStatus.SENT, ReferralStatus.ACCEPTED],
    ReferralStatus.DECLINED: [ReferralStatus.SENT, ReferralStatus.DECLINED],
    ReferralStatus.IN_PROGRESS: [ReferralStatus.SENT, ReferralStatus.ACCEPTED,
                                 ReferralStatus.IN_PROGRESS],
    ReferralStatus.COMPLETED: [ReferralStatus.SENT, ReferralStatus.ACCEPTED,
                               ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED],
    ReferralStatus.WITHDRAWN: [ReferralStatus.SENT, ReferralStatus.WITHDRAWN],
    ReferralStatus.ENDED_EARLY: [ReferralStatus.SENT, ReferralStatus.ACCEPTED,
                                 ReferralStatus.ENDED_EARLY],
}
PARTNER_MOVES = {ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.IN_PROGRESS,
                 ReferralStatus.COMPLETED}


def advance(referral: Referral, status: str, *, officer, partner_user) -> Referral:
    """Walk ``referral`` (a draft) to ``status`` the way users would."""
    for step in PATHS[status]:
        if step == ReferralStatus.COMPLETED:
            services.report_submit(
                referral=referral, by=partner_user, summary="Layanan selesai.",
                outcomes={g.pk: (ReferralGoal.Outcome.ACHIEVED, "") for g in referral.goals.all()},
            )
            continue
        by = partner_user if step in PARTNER_MOVES else officer
        reason = "Alasan uji" if step in services.REASON_REQUIRED else ""
        services.referral_transition(referral=referral, to_status=step, by=by, reason=reason)
    referral.refresh_from_db()
    return referral


def log_session(referral: Referral, partner_user, **overrides) -> ServiceSession:
    data = {"date": timezone.localdate(), "duration_minutes": 60,
            "attendance": ServiceSession.Attendance.ATTENDED, "activity": "Konseling individu",
            "progress": "Kooperatif"}
    data.update(overrides)
    return services.session_log(referral=referral, by=partner_user, **data)
