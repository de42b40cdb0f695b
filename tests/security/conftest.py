"""The demo data, loaded once per test module, and one login of every role.

``seed_demo`` takes seconds, so the security tests that need realistic data share one load per
module: the module fixture opens a transaction, seeds, adds what the demo lacks (documents,
photos, attachments, generated reports, a calendar token, notifications, a Bondowoso meeting)
and rolls everything back when the module is done. Each test still runs in its own savepoint
(pytest-django's ``db``), so a test that changes data does not disturb the next.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from PIL import Image

# The login of each role the security tests use (the demo's own accounts).
ROLE_LOGINS: dict[str, str] = {
    "pk": "pk1@demo.local",
    "other_pk": "pk@bondowoso.demo.local",
    "operator": "operator@demo.local",
    "supervisor": "kasubsi@demo.local",
    "head": "kabapas@demo.local",
    # Staff of a partner the client used by the matrix is referred to (Dinas Sosial, referral
    # "sent"), and of a partner that has referrals, but none for that client.
    "partner": "dinsos@demo.local",
    "partner_other": "pokmas2@demo.local",
    "regional": "kanwil@demo.local",
    "admin": "admin@demo.local",
}
ROLES: tuple[str, ...] = ("anonymous", *ROLE_LOGINS)

# Distinctive texts planted on the referred client, searched for in partner responses.
CONFIDENTIAL_NOTE = "Catatan rahasia PK: riwayat konflik keluarga ZQX-71"
SHAREABLE_NOTE = "Catatan umum: klien rajin mengikuti pelatihan ZQX-72"


@dataclass
class Demo:
    ids: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    files_root: Any = None

    def __getitem__(self, key: str):
        return self.ids[key]


def png_bytes(colour: str = "navy") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, "PNG")
    return buffer.getvalue()


PDF_BYTES = b"%PDF-1.4\n% demo file for the security tests\n%%EOF\n"


def _extras(demo: Demo) -> None:
    """Objects the demo does not create but the access rules must be proven on."""
    from bapas.models import Office, User
    from bapas.notifications.models import Channel, Notification, Status
    from clients.models import (
        CaseNote,
        Client,
        ClientDocument,
        Contact,
        ContactKind,
        ContactPhoto,
        RevocationProposal,
        SupervisionOrder,
    )
    from meetings.models import (
        ActionItem,
        Attachment,
        CalendarToken,
        Meeting,
        MeetingClient,
        MeetingKind,
    )
    from partners.models import Agreement, Partner, Referral, Service
    from reports.models import GeneratedReport, ReportKind, ReportStatus

    users = {role: User.objects.get(email=email) for role, email in ROLE_LOGINS.items()}
    demo.users = users
    ids = demo.ids
    jember = Office.objects.get(name="Bapas Kelas II Jember")
    bondowoso = Office.objects.get(name="Bapas Kelas II Bondowoso")
    ids["office"], ids["other_office"] = jember.pk, bondowoso.pk
    ids["colleague"] = User.objects.get(email="pk2@demo.local").pk
    ids["other_office_user"] = users["other_pk"].pk

    dinsos = Partner.objects.get(name="Dinas Sosial Kabupaten Jember")
    other_partner = users["partner_other"].partner
    ids["partner"], ids["other_partner"] = dinsos.pk, other_partner.pk

    # The client of pk1 referred to Dinas Sosial (the partner sees the referral).
    referral = (Referral.objects.for_partner(users["partner"])
                .filter(order__assigned_pk=users["pk"]).select_related("order__client")
                .order_by("pk").first())
    client = referral.order.client
    ids["referral"], ids["client"], ids["order"] = referral.pk, client.pk, referral.order_id
    ids["client_nik"], ids["client_name"] = client.nik, client.full_name
    ids["client_offence"] = referral.order.offence
    assert not (referral.share_nik or referral.share_offence or referral.share_case_notes)
    ids["other_partner_referral"] = (
        Referral.objects.for_partner(users["partner_other"]).order_by("pk").first().pk
    )
    # A client of pk1 with no referral at all.
    unreferred = (Client.objects.for_user(users["pk"]).filter(orders__referrals__isnull=True)
                  .exclude(orders__referrals__isnull=False).order_by("pk").first())
    ids["unreferred_client"] = unreferred.pk
    ids["unreferred_order"] = unreferred.orders.order_by("pk").first().pk
    # A client of the other office.
    foreign = Client.objects.filter(office=bondowoso).order_by("pk").first()
    ids["foreign_client"], ids["foreign_name"] = foreign.pk, foreign.full_name
    ids["foreign_nik"] = foreign.nik
    ids["foreign_order"] = foreign.orders.order_by("pk").first().pk

    # Case notes, documents and photos.
    CaseNote.objects.create(client=client, order=referral.order, text=CONFIDENTIAL_NOTE,
                            confidential=True, author=users["pk"])
    CaseNote.objects.create(client=client, order=referral.order, text=SHAREABLE_NOTE,
                            confidential=False, author=users["pk"])
    for key, owner, uploader in (("", client, users["pk"]),
                                 ("foreign_", foreign, users["other_pk"])):
        doc = ClientDocument(client=owner, kind=ClientDocument.Kind.DECREE, title="SK PB",
                             document_date=timezone.localdate(), content_type="application/pdf",
                             size=len(PDF_BYTES), uploaded_by=uploader)
        doc.file.save("sk.pdf", ContentFile(PDF_BYTES), save=False)
        doc.save()
        ids[f"{key}document"] = doc.pk
        owner.photo.save("photo.png", ContentFile(png_bytes()), save=True)
        order = owner.orders.order_by("pk").first()
        contact = Contact.objects.create(
            order=order, kind=ContactKind.HOME_VISIT,
            planned_at=timezone.now() - timedelta(days=3), officer=uploader,
            created_by=uploader,
        )
        photo = ContactPhoto(contact=contact, caption="Rumah klien", uploaded_by=uploader)
        photo.image.save("visit.png", ContentFile(png_bytes("green")), save=False)
        photo.save()
        ids[f"{key}contact"], ids[f"{key}contact_photo"] = contact.pk, photo.pk

    from bapas.notifications.models import ClientMessageConsent

    number = client.whatsapp or client.phone or "081234567890"
    ids["consent"] = ClientMessageConsent.objects.create(
        client=client, phone=number, recorded_by=users["pk"]).pk

    # Revocation: the pending proposal of the office, heard at the demo's TPP hearing.
    proposal = RevocationProposal.objects.filter(
        status=RevocationProposal.Status.PENDING, order__client__office=jember
    ).order_by("pk").first()
    ids["proposal"] = proposal.pk
    tpp = Meeting.objects.filter(office=jember, kind=MeetingKind.TPP).order_by("pk").first()
    ids["tpp_meeting"] = tpp.pk
    if not tpp.revocation_proposals.filter(pk=proposal.pk).exists():
        tpp.revocation_proposals.add(proposal)
    link = MeetingClient.objects.filter(meeting__office=jember).order_by("pk").first()
    ids["meeting_link"], ids["link_meeting"] = link.pk, link.meeting_id

    # Meetings: the coordination meeting both pk1 and Dinas Sosial are invited to.
    meeting = (Meeting.objects.filter(office=jember, kind=MeetingKind.COORDINATION,
                                      invitations__user=users["partner"])
               .order_by("pk").first())
    ids["meeting"] = meeting.pk
    for key, shared in (("attachment", False), ("shared_attachment", True)):
        attachment = Attachment(meeting=meeting, title=key, content_type="application/pdf",
                                shared_with_partners=shared, uploaded_by=users["supervisor"])
        attachment.file.save("lampiran.pdf", ContentFile(PDF_BYTES), save=False)
        attachment.save()
        ids[key] = attachment.pk
    foreign_meeting = Meeting.objects.create(
        office=bondowoso, kind=MeetingKind.COORDINATION, title="Rapat Bondowoso",
        starts_at=timezone.now() + timedelta(days=5),
        ends_at=timezone.now() + timedelta(days=5, hours=2), place="Aula",
        created_by=users["other_pk"],
    )
    ids["foreign_meeting"] = foreign_meeting.pk
    attachment = Attachment(meeting=foreign_meeting, title="Bondowoso",
                            content_type="application/pdf", uploaded_by=users["other_pk"])
    attachment.file.save("lampiran.pdf", ContentFile(PDF_BYTES), save=False)
    attachment.save()
    ids["foreign_attachment"] = attachment.pk
    ids["action_item"] = ActionItem.objects.filter(
        meeting=meeting, owner_user=users["pk"]).order_by("pk").first().pk
    ids["calendar_token"] = CalendarToken.objects.create(user=users["pk"]).token
    ids["other_calendar_token"] = CalendarToken.objects.create(user=users["other_pk"]).token

    # Generated reports: the office's monthly report, a progress report of the referred
    # client, and one of the other office's client.
    today = timezone.localdate()
    start = today.replace(day=1)
    for key, kind, office, owner in (
        ("office_report", ReportKind.MONTHLY_PDF, jember, None),
        ("client_report", ReportKind.PROGRESS, jember, client),
        ("foreign_report", ReportKind.PROGRESS, bondowoso, foreign),
    ):
        report = GeneratedReport(
            kind=kind, office=office, client=owner,
            order=owner.orders.order_by("pk").first() if owner else None,
            period_start=start, period_end=today, status=ReportStatus.READY,
            requested_by=users["supervisor"], finished_at=timezone.now(),
        )
        report.file.save("laporan.pdf", ContentFile(PDF_BYTES), save=False)
        report.size = len(PDF_BYTES)
        report.save()
        ids[key] = report.pk
        ids[f"{key}_code"] = report.verification_code

    # The agreement of Dinas Sosial, with its document.
    agreement = Agreement.objects.filter(partner=dinsos).order_by("pk").first()
    agreement.document.save("pks.pdf", ContentFile(PDF_BYTES), save=True)
    ids["agreement"] = agreement.pk
    ids["service"] = Service.objects.order_by("pk").first().pk

    # Notifications: one in pk1's inbox and one e-mail in the outbox.
    now = timezone.now()
    common = {"subject": "Kontak hari ini", "due_at": now, "next_attempt_at": now}
    ids["notification"] = Notification.objects.create(
        kind="security.test", recipient=users["pk"], channel=Channel.IN_APP,
        status=Status.SENT, sent_at=now, unique_key="security-test-inbox", **common).pk
    ids["outbox_notification"] = Notification.objects.create(
        kind="security.test", recipient=users["pk"], channel=Channel.EMAIL,
        status=Status.FAILED, unique_key="security-test-outbox", **common).pk
    assert SupervisionOrder.objects.filter(pk=ids["order"], assigned_pk=users["pk"]).exists()

    # Import batches of the office: the template's example row, made a real one (the example
    # itself is skipped), as a CSV file, for clients (uploaded by the operator) and for
    # partners (by the supervisor).
    from clients.imports.clients import ClientImporter
    from clients.imports.clients_spec import EXAMPLE_NIK, client_sheets
    from clients.imports.engine import import_upload
    from partners.imports import EXAMPLE_NAME, PartnerImporter, partner_sheets

    real = {EXAMPLE_NIK: "3509011708850002", EXAMPLE_NAME: "Yayasan Uji Impor"}

    for key, importer, sheet in (
        ("client_batch", ClientImporter(office=jember, by=users["operator"]), client_sheets()[0]),
        ("partner_batch", PartnerImporter(office=jember, by=users["supervisor"]),
         partner_sheets()[0]),
    ):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([column.heading for column in sheet.columns])
        writer.writerows([real.get(value, value) for value in row] for row in sheet.example)
        upload = SimpleUploadedFile("data.csv", buffer.getvalue().encode())
        ids[key] = import_upload(importer=importer, upload=upload).pk
    ids["csv"] = "csv"  # the format argument of the export and import-report URLs


@pytest.fixture(scope="module")
def _demo_module(django_db_setup, django_db_blocker, tmp_path_factory):
    root = tmp_path_factory.mktemp("security-demo")
    demo = Demo(files_root=root)
    overrides = override_settings(
        PRIVATE_STORAGE_ROOT=root / "private", MEDIA_ROOT=root / "media", MFA_REQUIRED=False,
        CELERY_TASK_ALWAYS_EAGER=True,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    overrides.enable()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
            _extras(demo)
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            overrides.disable()
            raise
    try:
        yield demo
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
        overrides.disable()


@pytest.fixture
def demo(_demo_module, db, settings):
    """The module's demo data, with the file storage pointing at its files."""
    settings.PRIVATE_STORAGE_ROOT = _demo_module.files_root / "private"
    settings.MEDIA_ROOT = _demo_module.files_root / "media"
    return _demo_module
