"""The partner directory, partner pages, partner and agreement forms, the service catalogue."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bapas.models import AccessLog
from partners.models import (
    Agreement,
    AgreementStatus,
    Partner,
    PartnerContact,
    ReferralStatus,
    Service,
    agreement_status_for,
)
from tests.factories import PartnerFactory
from tests.factories.partners import AgreementFactory, log_session

PDF = b"%PDF-1.4\n%demo\n"
TODAY = timezone.localdate


# Directory and partner page: officers of the office (and admins); partner staff 404; Kanwil 403.
VIEW_ACCESS = {"pk": 200, "pk2": 200, "operator": 200, "supervisor": 200, "head": 200,
               "admin": 200, "other_pk": 404, "partner": 404, "regional": 403}
MANAGE_ACCESS = {"supervisor": 200, "head": 200, "admin": 200, "pk": 403, "operator": 403,
                 "other_pk": 403, "partner": 404, "regional": 403}


@pytest.mark.parametrize(("role", "status"), VIEW_ACCESS.items())
def test_who_may_open_the_partner_page(login, users, partner, role, status):
    assert login(users[role]).get(
        reverse("partners:detail", args=[partner.pk])
    ).status_code == status


@pytest.mark.parametrize(("role", "status"), {**VIEW_ACCESS, "other_pk": 200}.items())
def test_who_may_open_the_directory(login, users, role, status):
    assert login(users[role]).get(reverse("partners:directory")).status_code == status


def test_officers_see_only_their_offices_partners(login, users, partner, other_office):
    stranger = PartnerFactory(name="Mitra Bondowoso", offices=[other_office])
    page = login(users["pk"]).get(reverse("partners:directory")).context["page"]
    assert [p.pk for p in page] == [partner.pk]
    admin_page = login(users["admin"]).get(reverse("partners:directory")).context["page"]
    assert {p.pk for p in admin_page} == {partner.pk, stranger.pk}


def test_directory_filters(login, users, office, partner):
    pokmas = PartnerFactory(name="Pokmas Lipas Hukum dan Kemasyarakatan Jember",
                            kind=Partner.Kind.POKMAS, pokmas_group=Partner.PokmasGroup.LAW,
                            offices=[office])
    old = PartnerFactory(name="Yayasan Lama", kind=Partner.Kind.NGO, is_active=False,
                         offices=[office])
    AgreementFactory(partner=partner, office=office, end_date=TODAY() + timedelta(days=20))
    AgreementFactory(partner=pokmas, office=office, end_date=TODAY() + timedelta(days=400))
    AgreementFactory(partner=old, office=office, start_date=TODAY() - timedelta(days=800),
                     end_date=TODAY() - timedelta(days=10))
    client = login(users["pk"])

    def names(query):
        return [p.name for p in client.get(reverse("partners:directory") + query).context["page"]]

    assert names("?q=hukum") == [pokmas.name]
    assert names("?kind=pokmas") == [pokmas.name]
    assert names("?group=law") == [pokmas.name]
    assert names("?active=no") == [old.name]
    assert names("?agreement=expiring") == [partner.name]
    assert names("?agreement=active") == [pokmas.name]
    assert names("?agreement=expired") == [old.name]
    PartnerFactory(name="Tanpa Perjanjian", offices=[office])
    assert names("?agreement=none") == ["Tanpa Perjanjian"]


def test_directory_shows_agreement_status(login, users, office, partner):
    AgreementFactory(partner=partner, office=office, end_date=TODAY() + timedelta(days=20))
    page = login(users["pk"]).get(reverse("partners:directory")).context["page"]
    assert page[0].agreement_status == AgreementStatus.EXPIRING


def test_directory_query_count_is_constant(login, users, office, service):
    def add(n):
        for _ in range(n):
            p = PartnerFactory(offices=[office])
            p.services.add(service)
            AgreementFactory(partner=p, office=office)

    client = login(users["supervisor"])
    url = reverse("partners:directory")
    add(3)
    client.get(url)
    with CaptureQueriesContext(connection) as three:
        client.get(url)
    add(30)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(three) == len(many)
    assert len(response.context["page"]) == 25


def test_partner_page_shows_agreements_staff_referrals_and_figures(
    login, users, office, partner, make_referral, colleague_order
):
    AgreementFactory(partner=partner, office=office, title="PKS Pembinaan Klien 2025")
    referral = make_referral(ReferralStatus.IN_PROGRESS)
    log_session(referral, users["partner"])
    make_referral(ReferralStatus.SENT, order=colleague_order)
    response = login(users["supervisor"]).get(reverse("partners:detail", args=[partner.pk]))
    body = response.content.decode()
    assert "PKS Pembinaan Klien 2025" in body
    assert users["partner"].email in body  # the staff account
    activity = response.context["activity"]
    assert activity["total"] == 2
    assert activity["sessions_this_year"] == 1
    assert activity["clients_served"] == 1
    assert len(response.context["referrals"]) == 2
    # a PK sees only their caseload's referrals on the page
    pk_response = login(users["pk"]).get(reverse("partners:detail", args=[partner.pk]))
    assert [r.pk for r in pk_response.context["referrals"]] == [referral.pk]


# --- Creating and editing partners ----------


def partner_data(**overrides):
    data = {"name": "Pokmas Lipas Kemandirian dan Kepribadian Jember", "kind": "pokmas",
            "pokmas_group": "independence", "address": "Jl. Mastrip", "phone": "0331-1",
            "email": "", "is_active": "on",
            "contacts-TOTAL_FORMS": "1", "contacts-INITIAL_FORMS": "0",
            "contacts-MIN_NUM_FORMS": "0", "contacts-MAX_NUM_FORMS": "1000",
            "contacts-0-name": "Haji Mahfud", "contacts-0-position": "Ketua",
            "contacts-0-phone": "0812-1", "contacts-0-email": ""}
    data.update(overrides)
    return data


@pytest.mark.parametrize(("role", "status"), MANAGE_ACCESS.items())
def test_who_may_create_partners(login, users, role, status):
    assert login(users[role]).get(reverse("partners:create")).status_code == status


def test_supervisor_creates_a_partner_for_their_office(login, users, office, service):
    response = login(users["supervisor"]).post(
        reverse("partners:create"), partner_data(services=[service.pk])
    )
    assert response.status_code == 302
    created = Partner.objects.get(name__startswith="Pokmas Lipas Kemandirian")
    assert list(created.offices.all()) == [office]
    assert list(created.services.all()) == [service]
    assert PartnerContact.objects.get(partner=created).name == "Haji Mahfud"
    assert created.history.first().history_user == users["supervisor"]


def test_pokmas_needs_its_group(login, users):
    response = login(users["supervisor"]).post(reverse("partners:create"),
                                               partner_data(pokmas_group=""))
    assert response.status_code == 200
    assert "Choose the group of this Pokmas Lipas." in response.content.decode()
    assert not Partner.objects.filter(kind="pokmas").exists()


def test_supervisor_cannot_edit_another_offices_partner(login, users, other_office):
    stranger = PartnerFactory(offices=[other_office])
    assert login(users["supervisor"]).get(
        reverse("partners:edit", args=[stranger.pk])
    ).status_code == 404


def test_editing_keeps_other_offices_links(login, users, partner, other_office):
    partner.offices.add(other_office)
    response = login(users["supervisor"]).post(
        reverse("partners:edit", args=[partner.pk]),
        partner_data(name="Dinas Sosial Kab. Jember", kind="government", pokmas_group=""),
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.name == "Dinas Sosial Kab. Jember"
    assert partner.offices.count() == 2


# --- Agreements ----------


def agreement_data(**overrides):
    data = {"kind": "pks", "number": "W15.PAS.PAS23-HM.05.02-12", "title": "PKS Layanan Sosial",
            "parties": "Bapas Kelas II Jember\nDinas Sosial", "start_date": "2025-01-01",
            "end_date": "2027-12-31"}
    data.update(overrides)
    return data


@pytest.mark.parametrize(("role", "status"), MANAGE_ACCESS.items())
def test_who_may_add_agreements(login, users, partner, role, status):
    response = login(users[role]).get(reverse("partners:agreement_create", args=[partner.pk]))
    assert response.status_code == status


def test_supervisor_adds_an_agreement_with_its_pdf(login, users, partner, office):
    document = SimpleUploadedFile("pks.pdf", PDF, content_type="application/pdf")
    response = login(users["supervisor"]).post(
        reverse("partners:agreement_create", args=[partner.pk]),
        agreement_data(document=document),
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.office == office and agreement.partner == partner
    assert agreement.status == AgreementStatus.ACTIVE
    assert agreement.party_list == ["Bapas Kelas II Jember", "Dinas Sosial"]
    download = login(users["pk"]).get(
        reverse("partners:agreement_document", args=[partner.pk, agreement.pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert AccessLog.objects.filter(user=users["pk"], action="download").exists()


def test_agreement_ending_before_it_starts_is_refused(login, users, partner):
    response = login(users["supervisor"]).post(
        reverse("partners:agreement_create", args=[partner.pk]),
        agreement_data(start_date="2026-05-01", end_date="2026-04-30"),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "The agreement cannot end before it starts." in body
    assert "PKS Layanan Sosial" in body  # typed values kept
    assert not Agreement.objects.exists()


def test_a_fake_pdf_is_refused(login, users, partner):
    document = SimpleUploadedFile("pks.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = login(users["supervisor"]).post(
        reverse("partners:agreement_create", args=[partner.pk]),
        agreement_data(document=document),
    )
    assert response.status_code == 200
    assert "not a real .pdf file" in response.content.decode()
    assert not Agreement.objects.exists()


def test_a_word_file_is_refused(login, users, partner):
    document = SimpleUploadedFile("pks.docx", b"PK\x03\x04 docx")
    response = login(users["supervisor"]).post(
        reverse("partners:agreement_create", args=[partner.pk]),
        agreement_data(document=document),
    )
    assert response.status_code == 200
    assert not Agreement.objects.exists()


def test_agreement_document_of_another_office_is_404(login, users, partner, other_office):
    partner.offices.add(other_office)
    agreement = AgreementFactory(partner=partner, office=other_office)
    response = login(users["pk"]).get(
        reverse("partners:agreement_document", args=[partner.pk, agreement.pk])
    )
    assert response.status_code == 404


def test_supervisor_edits_an_agreement(login, users, partner, office):
    agreement = AgreementFactory(partner=partner, office=office)
    response = login(users["supervisor"]).post(
        reverse("partners:agreement_edit", args=[partner.pk, agreement.pk]),
        agreement_data(title="PKS diperbarui"),
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.title == "PKS diperbarui"


@pytest.mark.parametrize(("days", "status"), [(61, "active"), (60, "expiring"), (0, "expiring"),
                                              (-1, "expired")])
def test_agreement_status_from_its_end_date(days, status):
    assert agreement_status_for(TODAY() + timedelta(days=days)) == status


def test_database_refuses_an_agreement_ending_before_it_starts(partner, office):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementFactory(partner=partner, office=office, start_date=TODAY(),
                         end_date=TODAY() - timedelta(days=1))


# --- The service catalogue ----------


def test_catalogue_is_seeded_with_the_domain_services(db):
    names = set(Service.objects.values_list("name", flat=True))
    assert {"Pelatihan keterampilan kerja", "Konseling psikososial", "Layanan kesehatan",
            "Rehabilitasi narkoba", "Pembuatan dokumen kependudukan (KTP/KK)",
            "Bimbingan keagamaan", "Pencatatan pernikahan", "Bantuan sosial", "Bantuan hukum",
            "Penempatan kerja", "Bantuan modal usaha"} <= names


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("supervisor", 403), ("head", 403),
                                              ("pk", 403), ("partner", 404), ("regional", 403)])
def test_only_administrators_edit_the_catalogue(login, users, role, status):
    client = login(users[role])
    assert client.get(reverse("partners:services")).status_code == status
    assert client.get(reverse("partners:service_create")).status_code == status


def test_admin_adds_and_retires_a_service(login, users):
    client = login(users["admin"])
    response = client.post(reverse("partners:service_create"),
                           {"name": "Pendampingan psikologis anak", "is_active": "on"})
    assert response.status_code == 302
    service = Service.objects.get(name="Pendampingan psikologis anak")
    client.post(reverse("partners:service_edit", args=[service.pk]),
                {"name": service.name, "description": ""})
    service.refresh_from_db()
    assert not service.is_active
