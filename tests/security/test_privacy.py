"""Data-subject rights and retention: a client's copy of their data (ZIP with JSON, PDF and
files) and the anonymisation of clients past the retention period."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from bapas.models import AccessLog, ImportBatch, ImportRow
from bapas.notifications.models import ClientMessageConsent
from bapas.privacy import (
    ANONYMISED_NAME,
    NEUTRAL_TEXT,
    client_access_log,
    clients_due_for_anonymisation,
)
from clients.models import (
    CaseNote,
    Client,
    ClientDocument,
    Contact,
    ContactPhoto,
    OrderStatus,
    OrderStatusChange,
    Outcome,
    SupervisionOrder,
    WarningLetter,
)
from meetings.models import ActionItem, AgendaItem, Decision, Meeting, MeetingClient
from partners.models import Referral, ServiceSession
from tests.factories import ClientFactory, ContactFactory, OrderFactory
from tests.factories.meetings import ActionItemFactory, MeetingFactory
from tests.factories.partners import ReferralFactory

from .conftest import PDF_BYTES, png_bytes

PDFTOTEXT = shutil.which("pdftotext")


# --- the export ----------------------------------------------------------------------------

@pytest.fixture
def case(users, office):
    """A client of users['pk'] with something in every section the export covers."""
    client = ClientFactory(office=office, full_name="Slamet Riyadi", phone="081298765432",
                           address_street="Jl. Mawar No. 7", guarantor_name="Sri Wahyuni")
    client.photo.save("foto.png", ContentFile(png_bytes()), save=True)
    order = OrderFactory(client=client, assigned_pk=users["pk"], offence="Penggelapan")
    contact = ContactFactory(order=order, notes="Klien bekerja di bengkel Pak Darto",
                             planned_at=timezone.now() - timedelta(days=2),
                             outcome=Outcome.ATTENDED, happened_at=timezone.now())
    photo = ContactPhoto(contact=contact, caption="Rumah", uploaded_by=users["pk"])
    photo.image.save("rumah.png", ContentFile(png_bytes("green")), save=False)
    photo.save()
    CaseNote.objects.create(client=client, order=order, text="Catatan ZQX-9",
                            author=users["pk"])
    document = ClientDocument(client=client, kind=ClientDocument.Kind.DECREE, title="SK PB ZQX",
                              document_date=timezone.localdate(),
                              content_type="application/pdf", uploaded_by=users["pk"])
    document.file.save("sk.pdf", ContentFile(PDF_BYTES), save=False)
    document.save()
    referral = ReferralFactory(order=order, partner__name="Dinas Sosial Uji")
    ServiceSession.objects.create(referral=referral, date=timezone.localdate(),
                                  duration_minutes=60, attendance="attended",
                                  activity="Konseling keluarga ZQX", logged_by=users["partner"])
    meeting = MeetingFactory(office=office, created_by=users["supervisor"])
    MeetingClient.objects.create(meeting=meeting, client=client, note="Dibahas di TPP")
    ClientMessageConsent.objects.create(client=client, phone=client.phone)
    AccessLog.objects.create(user=users["pk2"], office=office, action=AccessLog.Action.VIEW,
                             content_type=None, object_label="unrelated", path="/x/")
    return {"client": client, "order": order, "document": document, "referral": referral,
            "meeting": meeting, "contact": contact}


def _download(client, case):
    return client.post(reverse("privacy:client_export_download", args=[case["client"].pk]))


def _archive(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert case_name_not_in(response["Content-Disposition"])
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def case_name_not_in(text: str) -> bool:
    return "Slamet" not in text


@pytest.mark.parametrize("role", ["supervisor", "head", "admin"])
def test_managers_and_admin_open_the_export_page(login, users, case, role):
    response = login(users[role]).get(reverse("privacy:client_export", args=[case["client"].pk]))
    assert response.status_code == 200
    assert b"Slamet Riyadi" in response.content
    assert "no-store" in response["Cache-Control"]


# Partner staff get 404: office pages are outside their portal (no hint the client exists).
@pytest.mark.parametrize(("role", "status"), [("pk", 403), ("pk2", 403), ("operator", 403),
                                              ("partner", 404), ("regional", 403)])
def test_other_roles_are_refused_the_export(login, users, case, role, status):
    client = login(users[role])
    assert client.get(reverse("privacy:client_export", args=[case["client"].pk])).status_code \
        == status
    assert _download(client, case).status_code == status


def test_export_of_another_office_client_is_not_found(login, users, other_office):
    foreign = ClientFactory(office=other_office)
    client = login(users["supervisor"])
    assert client.get(reverse("privacy:client_export", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("privacy:client_export_download",
                               args=[foreign.pk])).status_code == 404


def test_download_is_post_only(login, users, case):
    response = login(users["supervisor"]).get(
        reverse("privacy:client_export_download", args=[case["client"].pk]))
    assert response.status_code == 405


def test_export_holds_everything_about_the_client(login, users, case):
    http = login(users["supervisor"])
    http.get(reverse("privacy:client_export", args=[case["client"].pk]))  # logged: a view
    archive = _archive(_download(http, case))
    names = set(archive.namelist())
    assert {"data.json", "data.pdf"} <= names
    data = json.loads(archive.read("data.json"))
    identity = data["identity"][0]
    assert identity["full_name"] == "Slamet Riyadi"
    assert identity["nik"] == case["client"].nik
    assert identity["address_street"] == "Jl. Mawar No. 7"
    assert identity["guarantor_name"] == "Sri Wahyuni"
    assert [o["offence"] for o in data["orders"]] == ["Penggelapan"]
    assert data["contacts"][0]["notes"] == "Klien bekerja di bengkel Pak Darto"
    assert [n["text"] for n in data["case_notes"]] == ["Catatan ZQX-9"]
    assert [d["title"] for d in data["documents"]] == ["SK PB ZQX"]
    assert data["referrals"][0]["partner"] == "Dinas Sosial Uji"
    assert [g["description"] for g in data["referral_goals"]]
    assert data["service_sessions"][0]["activity"] == "Konseling keluarga ZQX"
    assert data["meetings"][0]["note"] == "Dibahas di TPP"
    assert data["message_consents"][0]["phone"]
    # the access log about the client: the export page view, not other records' rows
    assert any(row["user"] == users["supervisor"].full_name for row in data["access_log"])
    assert all(row["object_label"] != "unrelated" for row in data["access_log"])
    # the files themselves
    document_file = next(n for n in names if n.startswith("files/documents/"))
    assert archive.read(document_file) == PDF_BYTES
    assert any(n.startswith("files/photo") for n in names)
    assert any(n.startswith("files/visit-photos/") for n in names)
    assert data["missing_files"] == []
    pdf = archive.read("data.pdf")
    assert pdf.startswith(b"%PDF")
    if PDFTOTEXT:
        text = subprocess.run([PDFTOTEXT, "-", "-"], input=pdf, capture_output=True,
                              check=True).stdout.decode()
        for expected in ("Slamet Riyadi", "Penggelapan", "Catatan ZQX-9", "RAHASIA"):
            assert expected in text, expected


def test_export_is_access_logged_as_an_export(login, users, case):
    _download(login(users["head"]), case)
    row = AccessLog.objects.filter(action=AccessLog.Action.EXPORT).latest("id")
    assert row.user == users["head"]
    assert row.object_id == str(case["client"].pk)
    assert row.office_id == case["client"].office_id


def test_a_missing_file_is_listed_not_fatal(login, users, case):
    case["document"].file.storage.delete(case["document"].file.name)
    data = json.loads(_archive(_download(login(users["supervisor"]), case)).read("data.json"))
    assert len(data["missing_files"]) == 1


def test_client_access_log_gathers_rows_of_every_record_of_the_client(login, users, case):
    http = login(users["pk"])
    http.get(reverse("clients:document", args=[case["client"].pk, case["document"].pk]))
    http.get(reverse("clients:contact_detail", args=[case["contact"].pk]))
    kinds = {row.content_type.model for row in client_access_log(case["client"])}
    assert {"clientdocument", "contact"} <= kinds


# --- retention -----------------------------------------------------------------------------

YEARS_AGO_6 = timezone.localdate() - timedelta(days=6 * 366)


@pytest.fixture
def old_case(case, users):
    """The case closed six years ago: due for anonymisation after five."""
    order = case["order"]
    SupervisionOrder.objects.filter(pk=order.pk).update(
        status=OrderStatus.COMPLETED, status_changed_at=YEARS_AGO_6,
        supervision_start=YEARS_AGO_6 - timedelta(days=400),
        supervision_end=YEARS_AGO_6)
    OrderStatusChange.objects.create(order=order, from_status=OrderStatus.ACTIVE,
                                     to_status=OrderStatus.COMPLETED, effective_date=YEARS_AGO_6,
                                     reason="Masa bimbingan selesai, Slamet pindah ke Malang",
                                     reference="W15-123", changed_by=users["supervisor"])
    WarningLetter.objects.create(order=order, level="sp1", number="SP1/ZQX",
                                 issued_on=YEARS_AGO_6, reason="Tidak lapor",
                                 issued_by=users["pk"])
    Referral.objects.filter(pk=case["referral"].pk).update(note_for_partner="Ibu Slamet sakit")
    return case


@pytest.fixture
def recent_case(users, office):
    """A client whose order closed last year, and one still under supervision."""
    recent = OrderFactory(client=ClientFactory(office=office, full_name="Baru Selesai"),
                          assigned_pk=users["pk"])
    SupervisionOrder.objects.filter(pk=recent.pk).update(
        status=OrderStatus.COMPLETED, status_changed_at=timezone.localdate() - timedelta(days=300))
    active = OrderFactory(client=ClientFactory(office=office, full_name="Masih Aktif"),
                          assigned_pk=users["pk"])
    return recent.client, active.client


def _statistics(client: Client) -> dict:
    orders = list(SupervisionOrder.objects.filter(client=client).values(
        "program", "status", "status_changed_at", "supervision_start", "supervision_end",
        "risk_level", "offence", "assigned_pk"))
    contacts = list(Contact.objects.filter(order__client=client).values(
        "kind", "outcome", "planned_at", "happened_at", "officer"))
    referrals = list(Referral.objects.filter(order__client=client).values(
        "partner", "service", "status", "sent_at", "closed_at"))
    sessions = list(ServiceSession.objects.filter(referral__order__client=client).values(
        "date", "duration_minutes", "attendance"))
    fresh = Client.objects.get(pk=client.pk)
    return {"office": fresh.office_id, "section": fresh.section, "sex": fresh.sex,
            "birth_year": fresh.birth_date.year, "orders": orders, "contacts": contacts,
            "referrals": referrals, "sessions": sessions,
            "notes": CaseNote.objects.filter(client=client).count()}


def test_dry_run_counts_and_changes_nothing(old_case, recent_case):
    client = old_case["client"]
    out = io.StringIO()
    call_command("anonymise_clients", "--years", "5", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "1 would be anonymised" in text
    assert "documents: 1, photos: 2" in text
    assert "Slamet" not in text  # counts only, no names
    client.refresh_from_db()
    assert client.full_name == "Slamet Riyadi" and client.nik
    assert ClientDocument.objects.filter(client=client).exists()


def test_anonymisation_removes_identity_and_free_texts(old_case, recent_case, users,
                                                       django_capture_on_commit_callbacks):
    client = old_case["client"]
    storage = client.photo.storage
    files = [client.photo.name, old_case["document"].file.name,
             ContactPhoto.objects.get(contact=old_case["contact"]).image.name]
    assert all(storage.exists(name) for name in files)
    before = _statistics(client)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("anonymise_clients", "--years", "5", stdout=out)
    assert "1 anonymised" in out.getvalue()
    assert callbacks  # the files go only once the anonymisation is committed

    client = Client.objects.get(pk=client.pk)
    assert client.full_name == ANONYMISED_NAME and client.nik is None
    assert (client.aliases, client.address_street, client.phone, client.whatsapp) == ("",) * 4
    assert (client.guarantor_name, client.guarantor_phone, client.guarantor_address) == ("",) * 3
    assert client.birth_place == "" and client.birth_date == date(1990, 1, 1)
    assert not client.photo
    assert not ClientDocument.objects.filter(client=client).exists()
    assert not ContactPhoto.objects.filter(contact__order__client=client).exists()
    assert not any(storage.exists(name) for name in files)  # files deleted after commit
    order = SupervisionOrder.objects.get(client=client)
    assert order.decree_number == "" and order.special_conditions == ""
    assert CaseNote.objects.get(client=client).text == NEUTRAL_TEXT
    assert Contact.objects.get(pk=old_case["contact"].pk).notes == ""
    change = OrderStatusChange.objects.get(order=order)
    assert "Slamet" not in change.reason and change.reference == ""
    assert Referral.objects.get(order=order).note_for_partner == ""
    assert ServiceSession.objects.get(referral__order=order).activity == NEUTRAL_TEXT
    assert MeetingClient.objects.get(client=client).note == ""
    consent = ClientMessageConsent.objects.get(client=client)
    assert consent.phone == "" and consent.withdrawn_at is not None
    # statistics intact
    assert _statistics(client) == before


def test_anonymisation_purges_the_old_versions(old_case, recent_case):
    client = old_case["client"]
    assert client.history.count() >= 2
    call_command("anonymise_clients", "--years", "5", stdout=io.StringIO())
    versions = Client.history.filter(id=client.pk)
    assert versions.count() == 1  # the anonymisation itself, nothing older
    assert versions.get().full_name == ANONYMISED_NAME
    assert versions.get().history_change_reason.startswith("anonymised")
    order = old_case["order"]
    assert not SupervisionOrder.history.filter(id=order.pk, decree_number__gt="").exists()
    assert not CaseNote.history.filter(client_id=client.pk, text="Catatan ZQX-9").exists()
    assert not ClientDocument.history.filter(client_id=client.pk).exists()
    assert not Contact.history.filter(id=old_case["contact"].pk).exclude(notes="").exists()


def test_recent_and_active_clients_are_left_alone(old_case, recent_case):
    recent, active = recent_case
    call_command("anonymise_clients", "--years", "5", stdout=io.StringIO())
    assert Client.objects.get(pk=recent.pk).full_name == "Baru Selesai"
    assert Client.objects.get(pk=active.pk).full_name == "Masih Aktif"


def test_a_client_with_one_active_order_is_not_due(old_case, users):
    OrderFactory(client=old_case["client"], assigned_pk=users["pk"])
    assert not clients_due_for_anonymisation(years=5).exists()


def test_running_twice_anonymises_nothing_more(old_case):
    call_command("anonymise_clients", "--years", "5", stdout=io.StringIO())
    out = io.StringIO()
    call_command("anonymise_clients", "--years", "5", stdout=out)
    assert ": 0 anonymised" in out.getvalue()


def test_retention_period_comes_from_settings(settings, old_case):
    settings.RETENTION_YEARS = 10
    out = io.StringIO()
    call_command("anonymise_clients", "--dry-run", stdout=out)
    assert "(10 years): 0 would be anonymised" in out.getvalue()
    settings.RETENTION_YEARS = 5
    out = io.StringIO()
    call_command("anonymise_clients", "--dry-run", stdout=out)
    assert "(5 years): 1 would be anonymised" in out.getvalue()


def test_years_must_be_positive(db):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("anonymise_clients", "--years", "0", stdout=io.StringIO())


# --- what anonymisation reaches outside the client's own records -----------------------------

@pytest.fixture
def imported(old_case, users, office):
    """The client came in through a spreadsheet: the rows that created them, their contact, a
    rejected duplicate typed with their NIK, and another client's row in the same file."""
    client = old_case["client"]
    batch = ImportBatch.objects.create(office=office, kind=ImportBatch.Kind.CLIENTS,
                                       file="imports/caseload.xlsx", status="done",
                                       original_name="caseload.xlsx", total_rows=4,
                                       imported_count=2, error_count=1,
                                       created_by=users["operator"])
    label = f"{client.register_number} · {client.full_name}"
    rows = {
        "created": ImportRow.objects.create(
            batch=batch, sheet="Klien", number=2, status=ImportRow.Status.IMPORTED,
            values={"Nama Lengkap": "Slamet Riyadi", "NIK": client.nik, "Alamat": "Jl. Mawar"},
            summary="New client Slamet Riyadi with the order SK-1.", target=label),
        "contact": ImportRow.objects.create(
            batch=batch, sheet="Kontak", number=2, status=ImportRow.Status.IMPORTED,
            values={"NIK": client.nik, "Catatan": "Slamet datang bersama ibunya"},
            summary="Wajib lapor", target=label),
        "duplicate": ImportRow.objects.create(
            batch=batch, sheet="Klien", number=3, status=ImportRow.Status.ERROR,
            values={"Nama Lengkap": "Slamet R.", "NIK": client.nik},
            errors={"NIK": ["Slamet Riyadi already has this NIK."]}, summary="Slamet R."),
        "other": ImportRow.objects.create(
            batch=batch, sheet="Klien", number=4, status=ImportRow.Status.IMPORTED,
            values={"Nama Lengkap": "Budi Santoso", "NIK": "3509010101900099"},
            summary="New client Budi Santoso.", target="REG-99999 · Budi Santoso"),
    }
    return batch, rows


def test_anonymisation_blanks_the_imported_spreadsheet_rows_of_the_client(imported):
    batch, rows = imported
    out = io.StringIO()
    call_command("anonymise_clients", "--years", "5", "--dry-run", stdout=out)
    assert "imported spreadsheet rows: 3" in out.getvalue()
    call_command("anonymise_clients", "--years", "5", stdout=io.StringIO())
    for key in ("created", "contact", "duplicate"):
        row = ImportRow.objects.get(pk=rows[key].pk)
        assert row.values == {} and row.errors == {}, key
        assert "Slamet" not in f"{row.summary} {row.target}", key
        assert row.status == rows[key].status  # the verdict stays for the batch's counts
    other = ImportRow.objects.get(pk=rows["other"].pk)
    assert other.values == rows["other"].values and other.target == rows["other"].target
    batch.refresh_from_db()
    assert (batch.total_rows, batch.imported_count, batch.error_count) == (4, 2, 1)


def test_anonymisation_takes_the_name_out_of_the_minutes_of_linked_meetings(old_case, users):
    client = old_case["client"]
    Client.objects.filter(pk=client.pk).update(aliases="Amet")
    meeting = old_case["meeting"]
    meeting.title = "Sidang TPP Slamet Riyadi"
    meeting.save()
    meeting.minutes = ("TPP membahas klien SLAMET  RIYADI. Pak Amet hadir bersama ibunya. "
                       "Klien Budi Santoso dibahas kemudian. Pamet bukan nama klien.")
    meeting.save()  # two history versions hold the name
    decision = Decision.objects.create(meeting=meeting, text="Usulan untuk Slamet Riyadi ditolak")
    agenda = AgendaItem.objects.create(meeting=meeting, title="Kasus slamet riyadi")
    action = ActionItemFactory(meeting=meeting, description="Kunjungi rumah Slamet Riyadi",
                               owner_user=users["pk"], created_by=users["supervisor"])
    unlinked = MeetingFactory(office=meeting.office, created_by=users["supervisor"],
                              minutes="Slamet Riyadi tidak dibahas di sini")

    out = io.StringIO()
    call_command("anonymise_clients", "--years", "5", stdout=out)
    assert "meetings (name taken out of the minutes): 1" in out.getvalue()

    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.title == f"Sidang TPP {NEUTRAL_TEXT}"
    assert meeting.minutes == (f"TPP membahas klien {NEUTRAL_TEXT}. Pak {NEUTRAL_TEXT} hadir "
                               "bersama ibunya. Klien Budi Santoso dibahas kemudian. Pamet "
                               "bukan nama klien.")
    assert Decision.objects.get(pk=decision.pk).text == f"Usulan untuk {NEUTRAL_TEXT} ditolak"
    assert AgendaItem.objects.get(pk=agenda.pk).title == f"Kasus {NEUTRAL_TEXT}"
    assert ActionItem.objects.get(pk=action.pk).description == f"Kunjungi rumah {NEUTRAL_TEXT}"
    for model, pk in ((Meeting, meeting.pk), (Decision, decision.pk), (AgendaItem, agenda.pk),
                      (ActionItem, action.pk)):
        versions = model.history.filter(id=pk)
        assert versions.exists()
        for version in versions:
            text = " ".join(str(v) for v in vars(version).values() if isinstance(v, str))
            assert "slamet" not in text.lower() and "Amet " not in text, (model, text)
    # Only the meetings that discussed the client are searched.
    assert Meeting.objects.get(pk=unlinked.pk).minutes == "Slamet Riyadi tidak dibahas di sini"


# --- the client page leads to both -----------------------------------------------------------

@pytest.mark.parametrize(("role", "shown"), [("pk", False), ("operator", False),
                                             ("supervisor", True), ("head", True),
                                             ("admin", True)])
def test_client_page_links_to_who_accessed_and_the_export_for_managers(login, users, case,
                                                                      role, shown):
    web = login(users[role])
    page = web.get(reverse("clients:detail", args=[case["client"].pk]))
    assert page.status_code == 200
    text = page.content.decode()
    who = f'{reverse("audit_access")}?client={case["client"].pk}'
    export = reverse("privacy:client_export", args=[case["client"].pk])
    assert (f'href="{who}"' in text, f'href="{export}"' in text) == (shown, shown)
    if shown:  # and the links answer, with the client's own rows
        answer = web.get(who)
        assert answer.status_code == 200 and answer.context["client"] == case["client"]
        assert web.get(export).status_code == 200


def test_anonymisation_leaves_no_copy_in_the_uploaded_spreadsheet(
        imported, django_capture_on_commit_callbacks):
    batch, _rows = imported
    nik = Client.objects.get(full_name="Slamet Riyadi").nik
    batch.file.save("caseload.csv", ContentFile(
        f"NIK;Nama Lengkap\n{nik};Slamet Riyadi\n".encode()), save=True)
    stored, storage = batch.file.name, batch.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        call_command("anonymise_clients", "--years", "5", stdout=io.StringIO())
    assert not storage.exists(stored)  # the file is gone, not only forgotten
    batch.refresh_from_db()
    assert batch.total_rows and batch.original_name  # the import's record stays
    content = b""
    if batch.file and batch.file.storage.exists(batch.file.name):
        with batch.file.open("rb") as handle:
            content = handle.read()
    assert nik.encode() not in content and b"Slamet" not in content
