"""Registering and editing clients: duplicate check, NIK warnings, regions, bad input, roles."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from PIL import Image

from bapas.models import AccessLog
from clients.models import Client
from clients.services.clients import client_register, find_duplicates, next_register_number
from tests.factories import ClientFactory, OrderFactory

NIK = "3509011506900001"  # Jember, Kec. Jombang; born 15-06-1990; a man
REGISTER = "clients:register"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # assertions read the English source messages


@pytest.fixture(autouse=True)
def private_files(monkeypatch, tmp_path):
    """The models resolve their private storage once at import; keep test files out of var/."""
    storage = FileSystemStorage(location=tmp_path / "private-files")
    monkeypatch.setattr(Client._meta.get_field("photo"), "storage", storage)
    return tmp_path / "private-files"


def details(**overrides):
    data = {
        "step": "details",
        "full_name": "Moh. Rizky Pratama",
        "aliases": "Kiki",
        "nik": NIK,
        "birth_place": "Jember",
        "birth_date": "1990-06-15",
        "sex": "L",
        "religion": "islam",
        "education": "sma",
        "marital_status": "single",
        "occupation": "Buruh tani",
        "address_street": "Jl. Mawar 12",
        "rt": "002",
        "rw": "005",
        "province": "35",
        "regency": "35.09",
        "district": "35.09.01",
        "village": "35.09.01.2001",
        "phone": "0812-3456-7890",
        "whatsapp": "081234567890",
        "guarantor_name": "Sulastri",
        "guarantor_relationship": "Ibu kandung",
        "guarantor_phone": "081298765432",
        "guarantor_address": "Jl. Mawar 12, Jember",
        "section": "adult",
    }
    data.update(overrides)
    return data


def png(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, "PNG")
    return buffer.getvalue()


def expected_next_url(client) -> str:
    try:
        return reverse("clients:order_create", args=[client.pk])
    except NoReverseMatch:
        return client.get_absolute_url()


# --- Who may register -------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [
    ("pk", 200), ("operator", 200), ("supervisor", 200), ("head", 200),
    ("partner", 404), ("regional", 403), ("admin", 403),
])
def test_who_may_open_the_register_page(login, users, role, status):
    response = login(users[role]).get(reverse(REGISTER))
    assert response.status_code == status
    if status == 200:
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(("role", "status"), [
    ("partner", 404), ("regional", 403), ("admin", 403)])
def test_roles_without_registration_cannot_post_a_client(login, users, role, status):
    assert login(users[role]).post(reverse(REGISTER), details()).status_code == status
    assert not Client.objects.exists()


# --- Step 1: duplicate check ------------------------------------------------------------------


def test_check_without_a_match_opens_the_form_with_the_typed_values(login, users):
    response = login(users["operator"]).post(reverse(REGISTER), {
        "step": "check", "nik": "3509 0115 0690 0001", "full_name": "Rizky Pratama",
        "birth_date": "15/06/1990",
    })
    assert response.status_code == 200
    assert response.templates[0].name == "clients/register/form.html"
    form = response.context["form"]
    assert form.initial["nik"] == NIK
    assert form.initial["full_name"] == "Rizky Pratama"
    assert form.initial["birth_date"] == date(1990, 6, 15)
    content = response.content.decode()
    assert f'value="{NIK}"' in content and 'value="1990-06-15"' in content


def test_check_needs_a_nik_or_a_name_and_birth_date(login, users):
    response = login(users["operator"]).post(reverse(REGISTER),
                                            {"step": "check", "full_name": "Rizky"})
    assert response.templates[0].name == "clients/register/check.html"
    assert response.context["form"].non_field_errors()
    assert 'value="Rizky"' in response.content.decode()


def test_check_refuses_an_impossible_nik(login, users):
    response = login(users["operator"]).post(reverse(REGISTER),
                                            {"step": "check", "nik": "3509013206900001"})
    assert response.context["form"].errors["nik"]
    assert 'value="3509013206900001"' in response.content.decode()


def test_existing_nik_in_own_office_leads_to_the_client(login, users, own_client):
    response = login(users["operator"]).post(reverse(REGISTER),
                                            {"step": "check", "nik": own_client.nik})
    assert response.templates[0].name == "clients/register/check.html"
    rows = response.context["duplicates"]
    assert [row["client"] for row in rows] == [own_client]
    content = response.content.decode()
    assert own_client.get_absolute_url() in content
    assert AccessLog.objects.filter(action=AccessLog.Action.SEARCH,
                                    object_id=str(own_client.pk)).exists()


def test_existing_nik_in_another_office_shows_the_office_only(login, users, foreign_order):
    foreign = foreign_order.client
    response = login(users["operator"]).post(reverse(REGISTER),
                                            {"step": "check", "nik": foreign.nik})
    content = response.content.decode()
    assert "Bapas Kelas II Bondowoso" in content
    assert foreign.full_name not in content
    assert foreign.register_number not in content
    assert foreign.get_absolute_url() not in content
    assert not AccessLog.objects.exists()


def test_existing_client_on_another_pks_caseload_is_not_shown_to_a_pk(login, users,
                                                                     colleague_order):
    colleague = colleague_order.client
    response = login(users["pk"]).post(reverse(REGISTER), {"step": "check", "nik": colleague.nik})
    content = response.content.decode()
    assert colleague.full_name not in content
    assert "another officer" in content
    assert response.context["duplicates"][0]["visible"] is False


def test_name_variant_and_same_birth_date_is_found(login, users, office):
    existing = ClientFactory(office=office, full_name="Muhammad Rizky Pratama",
                             birth_date=date(1990, 6, 15), nik=None)
    response = login(users["supervisor"]).post(reverse(REGISTER), {
        "step": "check", "full_name": "Moch. Rizki Pratama", "birth_date": "1990-06-15",
    })
    assert [row["client"] for row in response.context["duplicates"]] == [existing]


def test_same_name_with_different_nik_is_another_person(office):
    ClientFactory(office=office, full_name="Siti Aminah", birth_date=date(1990, 6, 15),
                  nik="3509015506900099")
    found = find_duplicates(nik="3509015506900100", full_name="Siti Aminah",
                            birth_date=date(1990, 6, 15))
    assert found == []


def test_alias_counts_as_a_name(office):
    existing = ClientFactory(office=office, full_name="Bambang Susilo", aliases="Bambang, Sus",
                             birth_date=date(1985, 1, 2), nik=None)
    found = find_duplicates(full_name="Sus", birth_date=date(1985, 1, 2))
    assert [d.client for d in found] == [existing]


# --- Step 2: saving ---------------------------------------------------------------------------


def test_operator_registers_a_client(login, users, office):
    response = login(users["operator"]).post(reverse(REGISTER), details())
    assert response.status_code == 302
    client = Client.objects.get()
    assert response["Location"] == expected_next_url(client)
    year = timezone.localdate().year
    assert client.register_number == f"{year}/0001"
    assert (client.office, client.created_by, client.nik, client.full_name) == (
        office, users["operator"], NIK, "Moh. Rizky Pratama"
    )
    assert (client.province_id, client.regency_id, client.district_id, client.village_id) == (
        "35", "35.09", "35.09.01", "35.09.01.2001"
    )
    assert client.guarantor_name == "Sulastri"
    assert client.section == Client.Section.ADULT
    record = client.history.get()
    assert (record.history_type, record.history_user) == ("+", users["operator"])


def test_register_numbers_count_up_per_office_and_year(users, office, other_office):
    year = timezone.localdate().year
    first = client_register(office=office, by=users["operator"], **_fields(nik=None))
    second = client_register(office=office, by=users["operator"],
                             **_fields(nik=None, full_name="Budi"))
    elsewhere = client_register(office=other_office, by=users["other_pk"],
                                **_fields(nik=None, full_name="Cici"))
    assert [first.register_number, second.register_number, elsewhere.register_number] == [
        f"{year}/0001", f"{year}/0002", f"{year}/0001"
    ]


def test_register_number_continues_past_9999(office):
    ClientFactory(office=office, register_number="2026/9999")
    ClientFactory(office=office, register_number="2026/10000")
    ClientFactory(office=office, register_number="2025/20000")
    ClientFactory(office=office, register_number="REG-2026/99999")
    assert next_register_number(office, 2026) == "2026/10001"
    assert next_register_number(office, 2027) == "2027/0001"


def test_register_number_retries_when_taken_meanwhile(users, office, monkeypatch):
    from clients.services import clients as service

    year = timezone.localdate().year
    ClientFactory(office=office, register_number=f"{year}/0001")
    calls = []

    def stale_then_fresh(office_, year_):
        calls.append(1)
        return f"{year_}/0001" if len(calls) == 1 else f"{year_}/0002"

    monkeypatch.setattr(service, "next_register_number", stale_then_fresh)
    client = client_register(office=office, by=users["operator"], **_fields())
    assert client.register_number == f"{year}/0002"
    assert len(calls) == 2


def _fields(**overrides):
    fields = {
        "full_name": "Rizky Pratama", "nik": NIK, "birth_place": "Jember",
        "birth_date": date(1990, 6, 15), "sex": "L",
    }
    fields.update(overrides)
    return fields


def test_under_eighteen_is_registered_as_a_child_client(login, users):
    born = timezone.localdate() - timedelta(days=16 * 365)
    response = login(users["operator"]).post(reverse(REGISTER), details(
        nik="", birth_date=born.isoformat(), section="adult",
    ))
    assert response.status_code == 302
    assert Client.objects.get().section == Client.Section.CHILD


def test_client_without_nik_may_be_registered(login, users):
    assert login(users["pk"]).post(reverse(REGISTER), details(nik="")).status_code == 302
    assert Client.objects.get().nik is None


def test_registration_with_a_photo(login, users, private_files):
    photo = SimpleUploadedFile("foto.png", png(), content_type="image/png")
    response = login(users["operator"]).post(reverse(REGISTER), details(photo=photo))
    assert response.status_code == 302
    client = Client.objects.get()
    assert (private_files / client.photo.name).read_bytes() == png()


# --- Bad input --------------------------------------------------------------------------------


def _refused(response, field):
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[field], form.errors
    assert not Client.objects.exists() or Client.objects.count() == 1  # only a pre-existing one
    content = response.content.decode()
    assert 'value="Moh. Rizky Pratama"' in content  # typed values kept
    assert 'value="Jl. Mawar 12"' in content
    return form


@pytest.mark.parametrize("nik", ["35090115069000", "3509011513900001", "3509017506900001x"])
def test_invalid_nik_is_refused(login, users, nik):
    response = login(users["operator"]).post(reverse(REGISTER), details(nik=nik))
    _refused(response, "nik")
    assert not Client.objects.exists()


def test_duplicate_nik_is_an_error_next_to_the_field(login, users, foreign_order):
    foreign_order.client.nik = NIK
    foreign_order.client.save()
    response = login(users["operator"]).post(reverse(REGISTER), details())
    form = _refused(response, "nik")
    assert "already registered" in form.errors["nik"][0]
    assert Client.objects.count() == 1


def test_near_identical_name_and_birth_date_leads_to_the_existing_client(login, users,
                                                                        own_client):
    own_client.full_name = "Muhammad Rizky Pratama"
    own_client.birth_date = date(1990, 6, 15)
    own_client.nik = None
    own_client.save()
    response = login(users["operator"]).post(reverse(REGISTER), details())
    assert response.status_code == 200
    assert [row["client"] for row in response.context["duplicates"]] == [own_client]
    assert own_client.get_absolute_url() in response.content.decode()
    assert Client.objects.count() == 1


def test_birth_date_in_the_future_is_refused(login, users):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = login(users["operator"]).post(
        reverse(REGISTER), details(birth_date=tomorrow.isoformat(), nik="")
    )
    form = _refused(response, "birth_date")
    assert "future" in form.errors["birth_date"][0]
    assert not Client.objects.exists()


def test_photo_over_ten_megabytes_is_refused(login, users, settings):
    big = SimpleUploadedFile("foto.png", png() + b"0" * settings.UPLOAD_MAX_BYTES,
                             content_type="image/png")
    response = login(users["operator"]).post(reverse(REGISTER), details(photo=big))
    form = _refused(response, "photo")
    assert "too large" in form.errors["photo"][0]
    assert not Client.objects.exists()


@pytest.mark.parametrize(("name", "content"), [
    ("foto.jpg", b"<html><body>not an image</body></html>"),
    ("foto.pdf", b"%PDF-1.4 something"),
    ("foto.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10),
])
def test_photo_that_is_not_an_image_is_refused(login, users, name, content):
    upload = SimpleUploadedFile(name, content)
    response = login(users["operator"]).post(reverse(REGISTER), details(photo=upload))
    _refused(response, "photo")
    assert not Client.objects.exists()


def test_region_outside_its_parent_is_refused(login, users):
    response = login(users["operator"]).post(
        reverse(REGISTER), details(district="35.10.01", village="")
    )
    _refused(response, "district")
    assert not Client.objects.exists()


def test_bad_phone_number_is_refused(login, users):
    response = login(users["operator"]).post(reverse(REGISTER), details(phone="call me"))
    _refused(response, "phone")


def test_missing_required_fields_are_marked(login, users):
    response = login(users["operator"]).post(
        reverse(REGISTER), details(birth_place="", sex="")
    )
    form = _refused(response, "birth_place")
    assert form.errors["sex"]


# --- NIK warnings -----------------------------------------------------------------------------


def test_nik_contradiction_warns_then_saves_once_confirmed(login, users):
    browser = login(users["operator"])
    data = details(birth_date="1990-06-16", sex="P")
    response = browser.post(reverse(REGISTER), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert len(form.nik_warnings) == 2
    assert form.errors["nik_checked"]
    assert "nik" not in form.errors  # a warning, not an error
    content = response.content.decode()
    assert 'id="nik-warnings"' in content and 'name="nik_checked"' in content
    assert 'value="1990-06-16"' in content
    assert not Client.objects.exists()

    response = browser.post(reverse(REGISTER), {**data, "nik_checked": "on"})
    assert response.status_code == 302
    assert Client.objects.get().birth_date == date(1990, 6, 16)


def test_correcting_the_nik_needs_no_confirmation(login, users):
    browser = login(users["operator"])
    browser.post(reverse(REGISTER), details(birth_date="1990-06-16"))
    response = browser.post(reverse(REGISTER), details(birth_date="1990-06-16",
                                                       nik="3509011606900001"))
    assert response.status_code == 302


def test_region_mismatch_is_only_a_warning(login, users):
    response = login(users["operator"]).post(
        reverse(REGISTER), details(regency="35.10", district="35.10.01", village="")
    )
    assert response.status_code == 200
    assert len(response.context["form"].nik_warnings) == 1
    assert "3510" in response.context["form"].nik_warnings[0]


def test_form_without_contradictions_shows_no_confirmation_box(login, users):
    response = login(users["operator"]).post(reverse(REGISTER),
                                            {"step": "check", "nik": NIK})
    assert 'name="nik_checked"' not in response.content.decode()


# --- Region options ---------------------------------------------------------------------------


def test_region_options_list_the_children_of_a_parent(login, users):
    browser = login(users["operator"])
    response = browser.get(reverse("clients:region_options"), {"level": "regency",
                                                               "parent": "35"})
    content = response.content.decode()
    assert response.status_code == 200
    assert '<option value="35.09">Kabupaten Jember</option>' in content
    assert "35.10" in content and "32.01" not in content
    villages = browser.get(reverse("clients:region_options"),
                           {"level": "village", "parent": "35.09.01"}).content.decode()
    assert '<option value="35.09.01.2001">Padomasan</option>' in villages


def test_region_options_without_parent_or_with_bad_level(login, users):
    browser = login(users["operator"])
    empty = browser.get(reverse("clients:region_options"), {"level": "district"})
    assert empty.content.decode().count("<option") == 1
    assert browser.get(reverse("clients:region_options"), {"level": "x"}).status_code == 400


@pytest.mark.parametrize(("role", "status"), [("partner", 404), ("regional", 403)])
def test_region_options_need_registration_rights(login, users, role, status):
    assert login(users[role]).get(
        reverse("clients:region_options"), {"level": "regency", "parent": "35"}
    ).status_code == status


def test_bound_form_offers_the_chosen_provinces_regencies(login, users):
    response = login(users["operator"]).post(reverse(REGISTER), details(full_name=""))
    form = response.context["form"]
    assert set(form.fields["regency"].queryset.values_list("province_id", flat=True)) == {"35"}
    assert form.fields["village"].queryset.filter(code="35.09.01.2001").exists()


# --- Editing ----------------------------------------------------------------------------------


def edit_url(client):
    return reverse("clients:edit", args=[client.pk])


@pytest.mark.parametrize(("role", "status"), [
    ("pk", 200), ("pk2", 404), ("other_pk", 404), ("operator", 200), ("supervisor", 200),
    ("head", 200), ("partner", 404), ("regional", 404), ("admin", 403),
])
def test_each_role_on_the_edit_page(login, users, own_client, role, status):
    assert login(users[role]).get(edit_url(own_client)).status_code == status


def test_covering_pk_cannot_edit(login, users, colleague_order):
    colleague_order.cover_pk = users["pk"]
    colleague_order.save()
    browser = login(users["pk"])
    assert browser.get(edit_url(colleague_order.client)).status_code == 404
    assert browser.post(edit_url(colleague_order.client), details()).status_code == 404


def test_pk_edits_own_client_and_history_keeps_both_versions(login, users, own_client):
    old_name = own_client.full_name
    response = login(users["pk"]).post(edit_url(own_client), details(
        full_name="Muhammad Rizky P.", nik=own_client.nik, phone="0813-1111-2222",
    ))
    assert response.status_code == 302
    assert response["Location"] == own_client.get_absolute_url()
    own_client.refresh_from_db()
    assert own_client.full_name == "Muhammad Rizky P."
    assert own_client.phone == "0813-1111-2222"
    latest, previous = own_client.history.all()[:2]
    assert latest.history_user == users["pk"]
    assert previous.full_name == old_name


def test_edit_keeps_the_register_number_and_office(login, users, own_client, office):
    number = own_client.register_number
    login(users["supervisor"]).post(edit_url(own_client), details(nik=own_client.nik))
    own_client.refresh_from_db()
    assert (own_client.register_number, own_client.office) == (number, office)


def test_edit_to_another_clients_nik_is_refused(login, users, own_client, colleague_order):
    response = login(users["supervisor"]).post(edit_url(own_client),
                                              details(nik=colleague_order.client.nik))
    assert response.status_code == 200
    assert response.context["form"].errors["nik"]
    own_client.refresh_from_db()
    assert own_client.full_name == "Muhammad Rizky"


def test_confirmed_contradiction_is_not_asked_again(login, users, own_client):
    own_client.birth_date = date(1990, 6, 16)  # contradicts the factory NIK, confirmed before
    own_client.save()
    response = login(users["pk"]).post(edit_url(own_client), details(
        nik=own_client.nik, birth_date="1990-06-16", occupation="Petani",
    ))
    assert response.status_code == 302


def test_edit_page_is_logged_and_uncached(login, users, own_client):
    response = login(users["pk"]).get(edit_url(own_client))
    assert "no-store" in response["Cache-Control"]
    assert AccessLog.objects.filter(object_id=str(own_client.pk), user=users["pk"]).exists()


def test_photo_may_be_replaced_and_removed(login, users, own_client):
    browser = login(users["pk"])
    browser.post(edit_url(own_client), details(
        nik=own_client.nik, photo=SimpleUploadedFile("a.png", png(), content_type="image/png"),
    ))
    own_client.refresh_from_db()
    assert own_client.photo
    browser.post(edit_url(own_client), details(nik=own_client.nik, remove_photo="on"))
    own_client.refresh_from_db()
    assert not own_client.photo


def test_new_client_of_a_pk_redirects_somewhere_the_pk_may_open(login, users):
    browser = login(users["pk"])
    response = browser.post(reverse(REGISTER), details())
    assert response.status_code == 302
    assert response["Location"] == expected_next_url(Client.objects.get())
    assert browser.get(response["Location"]).status_code == 200


def test_pk_checking_their_own_new_client_again_is_led_to_its_order(login, users):
    browser = login(users["pk"])
    browser.post(reverse(REGISTER), details())
    client = Client.objects.get()
    response = browser.post(reverse(REGISTER), {"step": "check", "nik": NIK})
    row = response.context["duplicates"][0]
    assert row["own"] and row["client"] == client
    if row["order_url"]:
        assert row["order_url"] in response.content.decode()


def test_pk_sees_own_client_with_an_order(login, users, office):
    order = OrderFactory(client=ClientFactory(office=office), assigned_pk=users["pk"])
    assert login(users["pk"]).get(edit_url(order.client)).status_code == 200
