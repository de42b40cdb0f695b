"""Importing a caseload: every row judged (new, match, already there, error with reasons), one
transaction for the valid rows, nothing twice, large files in the background."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bapas.models import ImportBatch, ImportRow, Role
from clients.imports import engine
from clients.imports.clients import ClientImporter
from clients.imports.clients_spec import EXAMPLE_NIK
from clients.imports.engine import import_confirm, import_run, import_upload
from clients.models import Client, Contact, Outcome, SupervisionOrder
from tests.factories import ClientFactory, OrderFactory, UserFactory

from .conftest import client_row, csv_file, nik_for, xlsx_file

pytestmark = pytest.mark.django_db
S = ImportRow.Status


@pytest.fixture
def operator(users):
    return users["operator"]


def upload(office, by, file) -> ImportBatch:
    return import_upload(importer=ClientImporter(office=office, by=by), upload=file)


def confirm(batch: ImportBatch, by, **kwargs) -> ImportBatch:
    return import_confirm(batch=batch, by=by, signature=batch.error_report["signature"],
                          **kwargs)


def row(batch: ImportBatch, number: int, sheet: str = "Klien") -> ImportRow:
    return batch.rows.get(sheet=sheet, number=number)


def test_valid_rows_become_clients_with_active_orders_of_the_named_pk(users, office, operator):
    rows = [client_row(i, **{"Email PK": users["pk"].email}) for i in range(1, 4)]
    batch = upload(office, operator, xlsx_file(rows))
    assert (batch.total_rows, batch.new_count, batch.error_count) == (3, 3, 0)
    assert batch.status == ImportBatch.Status.PREVIEW and not Client.objects.exists()

    batch = confirm(batch, operator)

    assert batch.status == ImportBatch.Status.DONE and batch.imported_count == 3
    assert batch.error_report["summary"] == {"clients": 3, "orders": 3, "contacts": 0}
    year = timezone.localdate().year
    clients = list(Client.objects.order_by("register_number"))
    assert [c.register_number for c in clients] == [f"{year}/0001", f"{year}/0002",
                                                    f"{year}/0003"]
    assert clients[0].full_name == "Klien Uji 001" and clients[0].nik == nik_for(1)
    assert clients[0].office == office and clients[0].created_by == operator
    order = clients[0].orders.get()
    assert order.status == "aktif" and order.assigned_pk == users["pk"]
    assert order.decree_number == "PAS-1.PK.05.09/2025"
    assert order.history.get().history_user == operator
    assert row(batch, 2).status == S.IMPORTED
    assert row(batch, 2).target == f"{year}/0001 · Klien Uji 001"


def test_reimporting_the_same_file_adds_nothing(office, operator):
    file_rows = [client_row(i) for i in range(1, 6)]
    confirm(upload(office, operator, xlsx_file(file_rows)), operator)

    again = upload(office, operator, xlsx_file(file_rows))

    assert (again.new_count, again.matched_count, again.existing_count) == (0, 0, 5)
    assert "already has the order" in row(again, 2).summary
    with pytest.raises(ValidationError, match="nothing to import"):
        confirm(again, operator)
    assert Client.objects.count() == 5 and SupervisionOrder.objects.count() == 5
    assert set(SupervisionOrder.objects.values_list("office", flat=True)) == {office.pk}


def test_a_known_nik_with_a_new_decree_adds_the_order_to_that_client(office, operator):
    existing = OrderFactory(client=ClientFactory(office=office, full_name="Moh. Rizky Pratama",
                                                 nik=nik_for(7)), decree_number="OLD-1").client
    batch = upload(office, operator, xlsx_file([
        client_row(7, **{"Nama Lengkap": "Muhammad Rizki Pratama", "Nomor SK": "NEW-2"}),
        client_row(7, **{"Nama Lengkap": "Muhammad Rizki Pratama", "Nomor SK": "OLD-1"}),
    ]))
    assert row(batch, 2).status == S.MATCH
    assert existing.register_number in row(batch, 2).summary
    assert row(batch, 3).status == S.EXISTS

    confirm(batch, operator)

    assert Client.objects.count() == 1
    assert set(existing.orders.values_list("decree_number", flat=True)) == {"OLD-1", "NEW-2"}


def test_a_nik_that_exists_with_another_name_is_an_error_and_nothing_is_imported(
    office, operator
):
    ClientFactory(office=office, full_name="Siti Aminah", nik=nik_for(8))
    batch = upload(office, operator, xlsx_file([
        client_row(1), client_row(8, **{"Nama Lengkap": "Bambang Irawan"}),
    ]))
    bad = row(batch, 3)
    assert bad.status == S.ERROR
    assert "already registered for Siti Aminah" in bad.errors["NIK"][0]
    assert batch.error_count == 1 and batch.new_count == 1

    with pytest.raises(ValidationError, match="1 rows have errors, so nothing was imported"):
        confirm(batch, operator)
    assert Client.objects.count() == 1  # only the one that was there
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW


def test_skipping_the_rows_with_errors_imports_the_valid_ones(office, operator):
    batch = upload(office, operator, xlsx_file([client_row(1), client_row(2, NIK="123")]))
    batch = confirm(batch, operator, skip_errors=True)
    assert batch.imported_count == 1
    assert list(Client.objects.values_list("nik", flat=True)) == [nik_for(1)]
    assert row(batch, 3).status == S.ERROR


def test_a_nik_of_another_office_is_an_error_naming_that_office(office, other_office, operator):
    ClientFactory(office=other_office, full_name="Klien Uji 004", nik=nik_for(4))
    batch = upload(office, operator, xlsx_file([client_row(4)]))
    assert "registered at Bapas Kelas II Bondowoso" in row(batch, 2).errors["NIK"][0]


def test_each_bad_cell_gets_its_own_reason(users, office, operator):
    today = timezone.localdate()
    batch = upload(office, operator, xlsx_file([client_row(
        1,
        NIK="35090115069",
        Program="Bebas murni",
        **{
            "Tanggal Lahir": "15/13/1990",
            "Email PK": users["other_pk"].email,
            "Mulai Bimbingan": today.strftime("%d/%m/%Y"),
            "Akhir Bimbingan": (today - timedelta(days=5)).strftime("%d/%m/%Y"),
            "Tingkat Risiko": "parah",
        },
    )]))
    errors = row(batch, 2).errors
    assert "16 digits" in errors["NIK"][0]
    assert "not one of the allowed values" in errors["Program"][0]
    assert "not a date we recognise" in errors["Tanggal Lahir"][0] or \
        "not a real date" in errors["Tanggal Lahir"][0]
    assert "No active PK of Bapas Kelas II Jember" in errors["Email PK"][0]
    assert "parah" in errors["Tingkat Risiko"][0]
    assert batch.error_count == 1


def test_end_before_start_is_an_error_on_the_end_column(office, operator):
    today = timezone.localdate()
    batch = upload(office, operator, xlsx_file([client_row(1, **{
        "Mulai Bimbingan": today.strftime("%d/%m/%Y"),
        "Akhir Bimbingan": (today - timedelta(days=30)).strftime("%d/%m/%Y"),
    })]))
    assert "cannot be before its start" in row(batch, 2).errors["Akhir Bimbingan"][0]


def test_a_formula_or_html_in_a_cell_is_flagged_and_never_stored(office, operator):
    batch = upload(office, operator, xlsx_file([
        client_row(1, **{"Nama Lengkap": "=HYPERLINK(\"http://evil\",\"klik\")"}),
        client_row(2, **{"Nama Lengkap": "<img src=x onerror=alert(1)>"}),
        client_row(3, Alamat="@SUM(1+1)"),
    ]))
    assert "formula" in row(batch, 2).errors["Nama Lengkap"][0]
    assert "HTML" in row(batch, 3).errors["Nama Lengkap"][0]
    assert "formula" in row(batch, 4).errors["Alamat"][0]
    # The preview keeps what was typed, as text.
    assert row(batch, 3).values["Nama Lengkap"] == "<img src=x onerror=alert(1)>"
    assert batch.error_count == 3 and not Client.objects.exists()


def test_missing_or_renamed_columns_refuse_the_file_and_store_nothing(office, operator):
    columns = [c for c in client_row(1) if c not in {"NIK", "Mulai Bimbingan"}]
    columns.append("No KTP")
    with pytest.raises(ValidationError) as error:
        upload(office, operator, xlsx_file([client_row(1)], columns=columns))
    message = " ".join(error.value.messages)
    assert "lacks required columns: “NIK”, “Mulai Bimbingan”" in message
    assert "“No KTP”" in message
    assert not ImportBatch.objects.exists()


def test_the_same_nik_twice_in_a_file_is_one_client_with_two_orders(office, operator):
    batch = upload(office, operator, xlsx_file([
        client_row(1), client_row(1, **{"Nomor SK": "SECOND-SK"}), client_row(1),
        client_row(1, **{"Nama Lengkap": "Orang Lain Sekali"}),
    ]))
    assert [r.status for r in batch.rows.order_by("number")] == [
        S.NEW, S.MATCH, S.EXISTS, S.ERROR]
    assert "Row 2 has this NIK" in row(batch, 5).errors["NIK"][0]
    confirm(batch, operator, skip_errors=True)
    client = Client.objects.get()
    assert client.orders.count() == 2


def test_the_template_example_row_is_skipped(office, operator):
    batch = upload(office, operator, xlsx_file([client_row(0, NIK=EXAMPLE_NIK), client_row(1)]))
    assert batch.total_rows == 1
    assert "example" in batch.error_report["notes"][0]


def test_a_nik_typed_as_a_number_warns(office, operator):
    batch = upload(office, operator, xlsx_file([client_row(1, NIK=int(nik_for(1)))]))
    assert row(batch, 2).status == S.NEW
    assert any("15 digits" in w for w in row(batch, 2).warnings)


def test_nik_contradicting_the_birth_date_is_a_warning(office, operator):
    batch = upload(office, operator, xlsx_file([client_row(1, **{"Tanggal Lahir":
                                                                 "01/01/1991"})]))
    assert row(batch, 2).status == S.NEW
    assert any("birth date" in w for w in row(batch, 2).warnings)


def test_a_diversion_order_makes_a_child_client(office, operator):
    confirm(upload(office, operator, xlsx_file([client_row(1, Program="Diversi")])), operator)
    assert Client.objects.get().section == Client.Section.CHILD


def test_csv_with_semicolons_and_indonesian_dates_is_imported(office, operator):
    file = csv_file([client_row(1, **{"Tanggal Lahir": "15 Juni 1990"}), client_row(2)],
                    delimiter=";")
    batch = confirm(upload(office, operator, file), operator)
    assert batch.imported_count == 2
    assert Client.objects.get(nik=nik_for(1)).birth_date.isoformat() == "1990-06-15"


def test_past_contacts_are_imported_with_their_outcomes_once(users, office, operator):
    today = timezone.localdate()
    contacts = [
        {"NIK": nik_for(1), "Nomor SK": "PAS-1.PK.05.09/2025", "Jenis Kontak": "Wajib lapor",
         "Tanggal": (today - timedelta(days=30)).strftime("%d/%m/%Y"), "Jam": "09:30",
         "Hasil": "Hadir dan patuh"},
        {"NIK": nik_for(1), "Jenis Kontak": "Kunjungan rumah",
         "Tanggal": (today - timedelta(days=10)).strftime("%d/%m/%Y"), "Hasil": "mangkir",
         "Tempat": "Rumah klien"},
        {"NIK": nik_for(1), "Jenis Kontak": "Telepon",
         "Tanggal": (today + timedelta(days=3)).strftime("%d/%m/%Y"), "Hasil": "Hadir"},
        {"NIK": nik_for(9), "Jenis Kontak": "Telepon",
         "Tanggal": (today - timedelta(days=3)).strftime("%d/%m/%Y"), "Hasil": "Hadir"},
        {"NIK": nik_for(1), "Jenis Kontak": "Kunjungan rumah",
         "Tanggal": (today - timedelta(days=5)).strftime("%d/%m/%Y"), "Hasil": "Hadir"},
    ]
    file_rows = [client_row(1, **{"Email PK": users["pk"].email})]
    batch = upload(office, operator, xlsx_file(file_rows, contacts=contacts))
    assert [r.status for r in batch.rows.filter(sheet="Kontak").order_by("number")] == [
        S.NEW, S.NEW, S.ERROR, S.ERROR, S.ERROR]
    assert "Only past contacts" in row(batch, 4, "Kontak").errors["Tanggal"][0]
    assert "No client with this NIK" in row(batch, 5, "Kontak").errors["NIK"][0]
    assert "where the visit took place" in row(batch, 6, "Kontak").errors["Tempat"][0]

    confirm(batch, operator, skip_errors=True)

    order = SupervisionOrder.objects.get()
    recorded = list(order.contacts.order_by("planned_at"))
    assert [(c.kind, c.outcome) for c in recorded] == [
        ("wajib_lapor", Outcome.ATTENDED), ("kunjungan_rumah", Outcome.MISSED)]
    first = recorded[0]
    assert timezone.localtime(first.planned_at).strftime("%H:%M") == "09:30"
    assert first.officer == users["pk"] and first.recorded_by == operator
    assert first.history.get().history_user == operator

    again = upload(office, operator, xlsx_file(file_rows, contacts=contacts[:2]))
    assert again.existing_count == 3 and again.new_count == 0
    assert Contact.objects.count() == 2


def test_a_contact_outside_the_supervision_period_is_an_error(office, operator):
    order = OrderFactory(client=ClientFactory(office=office, nik=nik_for(3),
                                              full_name="Klien Uji 003"))
    day = order.supervision_start - timedelta(days=3)
    batch = upload(office, operator, xlsx_file([], contacts=[
        {"NIK": nik_for(3), "Jenis Kontak": "Telepon", "Tanggal": day.strftime("%d/%m/%Y"),
         "Hasil": "Hadir"}]))
    assert "within the supervision period" in row(batch, 2, "Kontak").errors["Tanggal"][0]


def test_a_failure_during_the_commit_imports_nothing(office, operator):
    batch = upload(office, operator, xlsx_file([client_row(i) for i in range(1, 5)]))
    real = engine.importer_for

    def failing_importer(batch, by):
        importer = real(batch, by)
        original = importer.commit

        def commit(judgement, progress):
            original(judgement, progress)
            raise ValidationError("The register changed.")

        importer.commit = commit
        return importer

    with mock.patch.object(engine, "importer_for", failing_importer):
        batch = confirm(batch, operator)

    assert batch.status == ImportBatch.Status.FAILED
    assert "Nothing was imported: The register changed." in batch.error_report["failure"]
    assert not Client.objects.exists() and not SupervisionOrder.objects.exists()
    assert not batch.rows.filter(status=S.IMPORTED).exists()


def test_a_failed_import_can_be_checked_and_confirmed_again(office, operator):
    batch = upload(office, operator, xlsx_file([client_row(1)]))
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED)
    batch.refresh_from_db()
    engine.import_reopen(batch, operator)
    assert batch.status == ImportBatch.Status.PREVIEW
    assert confirm(batch, operator).status == ImportBatch.Status.DONE


def test_a_change_since_the_preview_stops_the_confirmation(office, operator):
    batch = upload(office, operator, xlsx_file([client_row(1), client_row(2)]))
    ClientFactory(office=office, full_name="Klien Uji 002", nik=nik_for(2))
    with pytest.raises(ValidationError, match="changed since you checked"):
        confirm(batch, operator)
    assert not Client.objects.filter(nik=nik_for(1)).exists()
    assert row(batch, 3).status == S.MATCH  # the preview shows the new state


def test_confirming_twice_imports_once(office, operator):
    batch = upload(office, operator, xlsx_file([client_row(1)]))
    signature = batch.error_report["signature"]
    confirm(batch, operator)
    with pytest.raises(ValidationError, match="already been confirmed"):
        import_confirm(batch=ImportBatch.objects.get(pk=batch.pk), by=operator,
                       signature=signature)
    assert import_run(batch.pk) is None
    assert Client.objects.count() == 1


def test_large_files_are_checked_and_imported_in_the_background_with_progress(
    office, operator, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(engine, "BACKGROUND_ABOVE", 3)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = upload(office, operator, xlsx_file([client_row(i) for i in range(1, 8)]))
    assert batch.status == ImportBatch.Status.CHECKING and not batch.rows.exists()
    assert batch.total_rows == 7 and len(callbacks) == 1
    callbacks[0]()  # the worker checks the file
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW and batch.new_count == 7
    assert batch.rows.count() == 7
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = confirm(batch, operator)
    assert batch.status == ImportBatch.Status.QUEUED and not Client.objects.exists()
    assert len(callbacks) == 1
    seen = []
    real_reporter = engine._progress_reporter

    def reporter(batch_id):
        report = real_reporter(batch_id)

        def wrapped(done, total):
            report(done, total)
            seen.append(ImportBatch.objects.get(pk=batch_id).current_progress())

        return wrapped

    monkeypatch.setattr(engine, "_progress_reporter", reporter)
    callbacks[0]()  # the worker runs the task (eagerly in tests)

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and batch.imported_count == 7
    assert batch.current_progress() == 100
    assert seen == sorted(seen) and 0 < seen[0] < seen[-1] <= 99
    assert Client.objects.count() == 7


def test_a_pk_user_is_never_the_importer(office, users):
    # The pages refuse PKs (403); the services refuse to add orders to other PKs' clients.
    importer = ClientImporter(office=office, by=users["pk"])
    batch = import_upload(importer=importer, upload=xlsx_file([
        client_row(1, **{"Email PK": users["pk2"].email})]))
    assert "Only a supervisor" in row(batch, 2).errors["Email PK"][0]


def test_a_background_import_stops_when_the_register_changed_after_confirming(
    office, operator, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(engine, "BACKGROUND_ABOVE", 1)
    with django_capture_on_commit_callbacks(execute=True):
        batch = upload(office, operator, xlsx_file([client_row(1), client_row(2)]))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = confirm(ImportBatch.objects.get(pk=batch.pk), operator)
    ClientFactory(office=office, full_name="Klien Uji 002", nik=nik_for(2))
    callbacks[0]()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert "changed since you checked" in batch.error_report["failure"]
    assert Client.objects.count() == 1


def test_five_thousand_rows_import(office, operator, django_capture_on_commit_callbacks):
    """A whole caseload in one file: checked and imported in the background, one transaction."""
    pk = UserFactory(role=Role.PK, office=office, email="pk-besar@test.local")
    rows = [client_row(i, **{"Email PK": pk.email}) for i in range(1, 5001)]
    with django_capture_on_commit_callbacks(execute=True):
        batch = upload(office, operator, xlsx_file(rows))
    batch.refresh_from_db()
    assert batch.new_count == 5000
    with django_capture_on_commit_callbacks(execute=True):
        confirm(batch, operator)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert Client.objects.count() == 5000 and pk.caseload_orders.count() == 5000
