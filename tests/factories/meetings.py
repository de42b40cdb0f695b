from datetime import timedelta

import factory
from django.utils import timezone

from meetings.models import ActionItem, AgendaItem, Invitation, Meeting, MeetingKind

from .bapas import OfficeFactory, UserFactory


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    office = factory.SubFactory(OfficeFactory)
    kind = MeetingKind.COORDINATION
    title = factory.Sequence(lambda n: f"Rapat Koordinasi {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + timedelta(hours=2))
    place = "Aula Bapas"
    created_by = factory.SubFactory(UserFactory, office=factory.SelfAttribute("..office"))

    @factory.post_generation
    def partners(self, create, extracted, **kwargs):
        if create and extracted:
            self.partners.add(*extracted)

    @factory.post_generation
    def invitees(self, create, extracted, **kwargs):
        if create and extracted:
            for user in extracted:
                Invitation.objects.create(meeting=self, user=user)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Agenda {n}")


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    meeting = factory.SubFactory(MeetingFactory)
    description = factory.Sequence(lambda n: f"Tindak lanjut {n}")
    due_date = factory.LazyAttribute(lambda item: item.meeting.day + timedelta(days=14))
    created_by = factory.SelfAttribute("meeting.created_by")
