"""The demo meetings: the article's coordination meeting, a TPP hearing, next week's meeting."""

from datetime import date

from django.utils import timezone

from bapas.demo import seed_offices_and_users
from clients.models import RevocationProposal
from meetings import demo
from meetings.models import ActionItem, Attendance, Meeting, MeetingKind
from tests.factories import ClientFactory, OrderFactory, PartnerFactory


def test_demo_builds_the_article_meeting_and_is_idempotent(db):
    context = seed_offices_and_users()
    jember = context.office
    for name in ("Pokmas Lipas Kemandirian dan Kepribadian", "Dinas Sosial Kabupaten Jember",
                 "Dinas Kependudukan dan Pencatatan Sipil (Dukcapil) Kabupaten Jember",
                 "FISIP Universitas Jember"):
        PartnerFactory(name=name, offices=[jember])
    order = OrderFactory(client=ClientFactory(office=jember),
                         assigned_pk=context.users["pk1@demo.local"])
    proposal = RevocationProposal.objects.create(order=order, reasons="Tiga kali mangkir",
                                                 proposed_by=context.users["pk1@demo.local"])

    demo.seed(context)
    demo.seed(context)

    assert Meeting.objects.count() == 3
    article = Meeting.objects.get(title=demo.ARTICLE_TITLE)
    assert timezone.localtime(article.starts_at).date() == date(2024, 10, 1)
    assert article.partners.count() == 4
    assert article.agenda_items.count() == len(demo.ARTICLE_AGENDA)
    assert article.decisions.count() == len(demo.ARTICLE_DECISIONS)
    assert "Pokmas Lipas" in article.minutes
    assert ActionItem.objects.filter(meeting=article).count() == 4
    assert ActionItem.objects.filter(meeting=article, status="done").count() == 2
    # Four organisations without staff accounts each sent a representative.
    assert Attendance.objects.filter(meeting=article, user__isnull=True).count() == 4

    hearing = Meeting.objects.get(kind=MeetingKind.TPP)
    assert list(hearing.revocation_proposals.all()) == [proposal]
    assert hearing.is_upcoming
    upcoming = Meeting.objects.get(title=demo.UPCOMING_TITLE)
    assert upcoming.is_upcoming and upcoming.partners.count() == 4


def test_demo_without_partners_or_proposals_still_works(db):
    context = seed_offices_and_users()
    demo.seed(context)
    article = Meeting.objects.get(title=demo.ARTICLE_TITLE)
    assert article.partners.count() == 0
    assert ActionItem.objects.filter(meeting=article).count() == 1  # the PK's own item
    assert not Meeting.objects.get(kind=MeetingKind.TPP).revocation_proposals.exists()
