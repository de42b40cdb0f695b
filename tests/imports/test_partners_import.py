"""Importing partners with a contact person, their services, and agreements (MoU/PKS)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from bapas.models import ImportBatch, ImportRow
from clients.imports.engine import import_confirm, import_upload
from partners.imports import PartnerImporter, partner_sheets
from partners.models import Agreement, Partner, PartnerContact, Service
from tests.factories import PartnerFactory
from tests.factories.partners import AgreementFactory

pytestmark = pytest.mark.django_db
S = ImportRow.Status


def partner_row(name: str, **overrides) -> dict:
    row = {"Nama Mitra": name, "Jenis Mitra": "Instansi Pemerintah",
           "Alamat": "Jl. Kartini 1, Jember", "Telepon": "0331-123456",
           "Layanan": "Konseling psikososial; Bantuan sosial", "Aktif (Ya/Tidak)": "Ya",
           "Narahubung": "Siti Rahayu", "Jabatan Narahubung": "Kepala Seksi"}
    row.update(overrides)
    return row


def agreement_row(partner: str, number: str, **overrides) -> dict:
    row = {"Nama Mitra": partner, "Jenis Perjanjian": "PKS", "Nomor Perjanjian": number,
           "Judul": "Pembimbingan klien", "Para Pihak": "Bapas Jember; Mitra",
           "Berlaku Mulai": "02/01/2025", "Berlaku Sampai": "31 Desember 2027"}
    row.update(overrides)
    return row


def workbook(partners: list[dict], agreements: list[dict] | None = None,
             name: str = "mitra.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    first, second = partner_sheets()
    sheet = book.active
    sheet.title = "Mitra"
    sheet.append([c.heading for c in first.columns])
    for row in partners:
        sheet.append([row.get(c.heading) for c in first.columns])
    if agreements is not None:
        other = book.create_sheet("Perjanjian")
        other.append([c.heading for c in second.columns])
        for row in agreements:
            other.append([row.get(c.heading) for c in second.columns])
    output = io.BytesIO()
    book.save(output)
    return SimpleUploadedFile(name, output.getvalue())


def upload(office, by, file) -> ImportBatch:
    return import_upload(importer=PartnerImporter(office=office, by=by), upload=file)


def confirm(batch, by, **kwargs):
    return import_confirm(batch=batch, by=by, signature=batch.error_report["signature"],
                          **kwargs)


def row(batch, number, sheet="Mitra"):
    return batch.rows.get(sheet=sheet, number=number)


def test_partners_with_services_contacts_and_agreements_are_imported(users, office):
    supervisor = users["supervisor"]
    batch = upload(office, supervisor, workbook(
        [partner_row("BNN Kabupaten Jember"),
         partner_row("Pokmas Lipas Sumbersari", **{"Jenis Mitra": "Pokmas",
                                                   "Kelompok Pokmas": "Kemandirian",
                                                   "Layanan": ""})],
        [agreement_row("BNN Kabupaten Jember", "PKS-01/2025"),
         agreement_row("Pokmas Lipas Sumbersari", "MOU-7", **{"Jenis Perjanjian": "MoU"})],
    ))
    assert (batch.new_count, batch.error_count) == (4, 0)

    batch = confirm(batch, supervisor)

    assert batch.error_report["summary"] == {"partners": 2, "contact_people": 2, "agreements": 2}
    bnn = Partner.objects.get(name="BNN Kabupaten Jember")
    assert list(bnn.offices.all()) == [office]
    assert set(bnn.services.values_list("name", flat=True)) == {"Konseling psikososial",
                                                                "Bantuan sosial"}
    assert bnn.contacts.get().position == "Kepala Seksi"
    agreement = bnn.agreements.get()
    assert (agreement.office, agreement.kind, agreement.end_date.isoformat()) == (
        office, "pks", "2027-12-31")
    assert agreement.party_list == ["Bapas Jember", "Mitra"]
    pokmas = Partner.objects.get(name="Pokmas Lipas Sumbersari")
    assert pokmas.pokmas_group == Partner.PokmasGroup.INDEPENDENCE
    assert pokmas.agreements.get().kind == Agreement.Kind.MOU


def test_reimporting_adds_nothing_and_a_known_partner_only_gains_what_is_missing(users, office,
                                                                               partner):
    supervisor = users["supervisor"]
    known = partner  # "Dinas Sosial Kabupaten Jember", a partner of the office
    known.services.add(Service.objects.get(name="Bantuan sosial"))
    AgreementFactory(partner=known, office=office, number="PKS-LAMA")
    file_rows = [partner_row("dinas sosial  kabupaten jember", Alamat="Alamat lain")]
    agreements = [agreement_row("Dinas Sosial Kabupaten Jember", "PKS-LAMA"),
                  agreement_row("Dinas Sosial Kabupaten Jember", "PKS-BARU")]
    batch = upload(office, supervisor, workbook(file_rows, agreements))
    assert row(batch, 2).status == S.MATCH
    assert "Konseling psikososial" in row(batch, 2).summary
    assert "address, phone and email are kept" in row(batch, 2).warnings[0]
    assert row(batch, 2, "Perjanjian").status == S.EXISTS
    assert row(batch, 3, "Perjanjian").status == S.NEW

    confirm(batch, supervisor)

    known.refresh_from_db()
    assert known.address == ""  # the register is not overwritten
    assert known.services.count() == 2 and known.contacts.count() == 1
    assert set(known.agreements.values_list("number", flat=True)) == {"PKS-LAMA", "PKS-BARU"}
    again = upload(office, supervisor, workbook(file_rows, agreements))
    assert again.existing_count == 3 and again.new_count + again.matched_count == 0
    assert Partner.objects.count() == 1


def test_of_two_partners_with_the_same_name_the_first_registered_is_matched(users, office,
                                                                          partner):
    twin = PartnerFactory(name=partner.name, offices=[office])
    batch = upload(office, users["supervisor"], workbook([partner_row(partner.name)]))
    assert row(batch, 2).status == S.MATCH
    confirm(batch, users["supervisor"])
    assert set(partner.services.values_list("name", flat=True)) == {
        "Konseling psikososial", "Bantuan sosial"}
    assert not twin.services.exists() and not twin.contacts.exists()


def test_bad_partner_rows_say_why(users, office):
    batch = upload(office, users["head"], workbook(
        [partner_row("Yayasan A", Layanan="Pijat refleksi"),
         partner_row("Pokmas B", **{"Jenis Mitra": "pokmas"}),
         partner_row("Yayasan A"),
         partner_row("=Yayasan C"),
         partner_row("Yayasan D", Email="bukan-email", Narahubung="",
                     **{"Jabatan Narahubung": "Ketua"})],
        [agreement_row("Mitra Tak Dikenal", "X-1"),
         agreement_row("Yayasan A", "X-2", **{"Berlaku Mulai": "01/01/2026",
                                              "Berlaku Sampai": "01/01/2025"})],
    ))
    assert "not in the service catalogue" in row(batch, 2).errors["Layanan"][0]
    assert "Choose the group" in row(batch, 3).errors["Kelompok Pokmas"][0]
    assert "already in row 2" in row(batch, 4).errors["Nama Mitra"][0]
    assert "formula" in row(batch, 5).errors["Nama Mitra"][0]
    assert row(batch, 6).errors["Email"]
    assert "contact person's name" in row(batch, 6).errors["Narahubung"][0]
    assert "No partner of this name" in row(batch, 2, "Perjanjian").errors["Nama Mitra"][0]
    assert "cannot end before it starts" in row(batch, 3, "Perjanjian").errors[
        "Berlaku Sampai"][0]
    assert batch.new_count == 0


def test_an_administrator_imports_into_the_office_they_choose(users, office, login):
    browser = login(users["admin"])
    response = browser.post(reverse("partners:import_upload"), {
        "office": office.pk, "file": workbook([partner_row("Universitas Jember",
                                                           **{"Jenis Mitra": "universitas"})])})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.office == office
    browser.post(reverse("partners:import_confirm", args=[batch.pk]),
                 {"signature": batch.error_report["signature"]})
    assert list(Partner.objects.get(name="Universitas Jember").offices.all()) == [office]


@pytest.mark.parametrize(("role", "status"), [
    ("supervisor", 200), ("head", 200), ("admin", 200), ("pk", 403), ("operator", 403),
    ("regional", 403), ("partner", 404),
])
def test_who_may_open_the_partner_import(role, status, users, login):
    browser = login(users[role])
    for name in ("partners:imports", "partners:import_upload", "partners:import_template"):
        assert browser.get(reverse(name)).status_code == status, name


def test_another_offices_partner_import_is_not_found(users, other_office, login):
    from bapas.models import Role
    from tests.factories import UserFactory

    batch = upload(other_office, UserFactory(role=Role.SUPERVISOR, office=other_office,
                                             email="sup2@test.local"),
                   workbook([partner_row("Mitra Bondowoso")]))
    browser = login(users["supervisor"])
    assert browser.get(reverse("partners:import_preview", args=[batch.pk])).status_code == 404
    assert browser.post(reverse("partners:import_confirm", args=[batch.pk]),
                        {"signature": "x"}).status_code == 404


def test_the_partner_template_lists_the_service_catalogue(users, login):
    response = login(users["supervisor"]).get(reverse("partners:import_template"))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Mitra", "Perjanjian", "Pilihan"]
    words = {r[1] for r in book["Pilihan"].iter_rows(values_only=True) if r[0]}
    assert {"Konseling psikososial", "Pokmas Lipas", "MoU", "PKS", "Ya"} <= words


def test_the_template_example_is_skipped(users, office):
    response_rows = [partner_row("Contoh: Dinas Sosial Kabupaten Jember"),
                     partner_row("Kantor Kementerian Agama")]
    batch = upload(office, users["supervisor"], workbook(response_rows))
    assert batch.total_rows == 1 and batch.error_report["notes"]
    assert not PartnerContact.objects.exists()
