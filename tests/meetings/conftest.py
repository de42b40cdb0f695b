"""Meeting fixtures: an upcoming coordination meeting of the office, and a past one."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from tests.factories.meetings import AgendaItemFactory, MeetingFactory


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read the English source messages (the UI defaults to Indonesian)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def meeting(users, office, partner):
    """Next week's coordination meeting, organised by the supervisor, inviting the partner
    organisation, the PK and the partner's staff member."""
    meeting = MeetingFactory(
        office=office, created_by=users["supervisor"], title="Rapat Koordinasi Pokmas Lipas",
        partners=[partner], invitees=[users["pk"], users["partner"]],
    )
    AgendaItemFactory(meeting=meeting, position=1, title="Program pelatihan kerja klien")
    AgendaItemFactory(meeting=meeting, position=2, title="Dukungan psikososial")
    return meeting


@pytest.fixture
def past_meeting(users, office, partner):
    start = timezone.now() - timedelta(days=3)
    return MeetingFactory(
        office=office, created_by=users["supervisor"], title="Rapat yang sudah lewat",
        starts_at=start, ends_at=start + timedelta(hours=2),
        partners=[partner], invitees=[users["pk"], users["partner"]],
    )


@pytest.fixture
def foreign_meeting(users, other_office):
    return MeetingFactory(office=other_office, created_by=users["other_pk"],
                          title="Rapat Bondowoso")
