"""Health check, navigation per role, error pages, audit pages, uploads and demo data."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from bapas.audit import log_access
from bapas.models import AccessLog, Office, User
from bapas.uploads import validate_image, validate_upload


def test_healthz_reports_every_component(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok"
    assert data["database"] == data["cache"] == data["broker"] == "ok"


def test_healthz_answers_503_when_broker_is_down(client, db, monkeypatch):
    from kombu import Connection

    from bapas.celery import app

    # Nothing listens on port 1: the broker check must fail and the endpoint say so.
    monkeypatch.setattr(app, "connection_for_write",
                        lambda: Connection("redis://127.0.0.1:1/0", connect_timeout=1))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


@pytest.mark.parametrize(
    "role,visible,hidden",
    [
        ("pk", [], ["/users/", "/audit/changes/", "/offices/"]),
        ("supervisor", ["/users/", "/audit/changes/"], ["/offices/"]),
        ("admin", ["/users/", "/offices/", "/audit/changes/"], []),
        ("partner", [], ["/users/", "/audit/changes/", "/offices/"]),
    ],
)
def test_navigation_shows_each_role_what_it_can_use(login, users, role, visible, hidden):
    content = login(users[role]).get(reverse("home")).content.decode()
    for url in visible:
        assert f'href="{url}"' in content
    for url in hidden:
        assert f'href="{url}"' not in content


@pytest.mark.parametrize("language,text", [("id", "Halaman tidak ditemukan"),
                                           ("en", "Page not found")])
def test_404_page_in_both_languages(login, users, language, text):
    client = login(users["pk"])
    client.cookies["django_language"] = language
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert text in response.content.decode()


def test_language_switch_changes_interface(login, users):
    client = login(users["pk"])
    assert "Beranda" in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Home" in client.get(reverse("home")).content.decode()


def test_indonesian_by_default_even_for_an_english_browser(login, users):
    client = login(users["pk"])
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Beranda" in page.content.decode()
    assert page["Content-Language"] == "id"
    assert "Accept-Language" not in page.get("Vary", "")  # the browser's language is not used
    client.cookies["django_language"] = "en"  # what the language switch stores
    assert "Home" in client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    client.cookies["django_language"] = "xx"  # unknown: the default
    assert "Beranda" in client.get(reverse("home")).content.decode()


def test_audit_pages_scoped_to_office(login, users, office, other_office, rf):
    request = rf.get("/clients/1/")
    request.user = users["pk"]
    log_access(request, office, AccessLog.Action.VIEW)
    request.user = users["other_pk"]
    log_access(request, other_office, AccessLog.Action.VIEW)

    client = login(users["supervisor"])
    page = client.get(reverse("audit_access")).content.decode()
    assert office.name in page
    assert other_office.name not in page
    csv_text = client.get(reverse("audit_access_csv")).content.decode()
    assert office.name in csv_text and other_office.name not in csv_text


@pytest.mark.parametrize(("role", "status"), [
    ("pk", 403), ("operator", 403), ("partner", 404), ("regional", 403)])
def test_audit_pages_refused_to_other_roles(login, users, role, status):
    client = login(users[role])
    for name in ("audit_changes", "audit_access", "audit_access_csv"):
        assert client.get(reverse(name)).status_code == status


def test_access_log_filters_by_user_and_record(login, users, office, rf):
    request = rf.get("/x/")
    request.user = users["pk"]
    log_access(request, office)
    request.user = users["pk2"]
    log_access(request, office)
    client = login(users["supervisor"])
    page = client.get(reverse("audit_access"), {"user": users["pk2"].pk}).content.decode()
    assert users["pk2"].full_name in page
    assert users["pk"].full_name not in page.split("<table")[1]


def test_access_log_is_append_only(users, office, rf):
    request = rf.get("/x/")
    request.user = users["pk"]
    entry = log_access(request, office)
    entry.object_label = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AccessLog.objects.all().delete()
    with pytest.raises(PermissionError):
        AccessLog.objects.update(object_label="x")
    assert AccessLog.objects.get().object_label == str(office)


def test_change_history_shows_who_and_what(login, users, office):
    client = login(users["admin"])
    client.post(reverse("office_edit", args=[office.pk]), {
        "name": office.name, "office_class": "II", "city": "Jember Kota",
        "address": office.address, "regional_office": office.regional_office_id,
        "head_name": "", "head_nip": "", "is_active": "on"})
    page = client.get(reverse("audit_changes"), {"model": "bapas.office"}).content.decode()
    assert "Jember Kota" in page
    assert users["admin"].full_name in page


def test_change_history_query_count_is_constant(login, users, office,
                                                django_assert_max_num_queries):
    client = login(users["admin"])
    for i in range(3):
        office.city = f"Kota {i}"
        office.save()
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("audit_changes"), {"model": "bapas.office"})
    for i in range(30):
        office.city = f"Kota lain {i}"
        office.save()
    with django_assert_max_num_queries(15) as many:
        client.get(reverse("audit_changes"), {"model": "bapas.office"})
    assert len(few) == len(many)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_upload_checks_real_type():
    validate_image(SimpleUploadedFile("photo.png", PNG))
    with pytest.raises(ValidationError, match=r"bukan|not a real"):
        validate_upload(SimpleUploadedFile("letter.pdf", b"<html><script>x</script></html>"))
    with pytest.raises(ValidationError):
        validate_image(SimpleUploadedFile("photo.jpg", PNG))


def test_upload_checks_size(settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 200))


def test_seed_demo_is_idempotent_and_creates_logins(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())
    assert Office.objects.filter(name="Bapas Kelas II Jember").count() == 1
    for email in ["admin@demo.local", "kabapas@demo.local", "kasubsi@demo.local",
                  "pk1@demo.local", "pk2@demo.local", "pk3@demo.local",
                  "operator@demo.local", "kanwil@demo.local", "pk@bondowoso.demo.local"]:
        user = User.objects.get(email=email)
        assert user.check_password("demo12345")
        assert email in out.getvalue()


def test_seed_demo_refused_when_debug_off(db, settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    settings.TESTING = False
    with pytest.raises(CommandError, match="refused"):
        call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.parametrize("email", ["admin@demo.local", "kabapas@demo.local",
                                   "kasubsi@demo.local", "pk1@demo.local", "pk2@demo.local",
                                   "pk3@demo.local", "operator@demo.local", "kanwil@demo.local",
                                   "pk@bondowoso.demo.local"])
def test_every_demo_login_reaches_its_home_page(client, db, email):
    call_command("seed_demo", stdout=io.StringIO())
    response = client.post(reverse("account_login"), {"login": email, "password": "demo12345"})
    assert response.status_code == 302
    assert client.get(response.url, follow=True).status_code == 200
