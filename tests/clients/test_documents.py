"""Client documents and the client photo: private storage, checked uploads, logged downloads."""

import io
from datetime import timedelta

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from bapas.models import AccessLog
from clients.models import Client, ClientDocument

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ROLE_STATUS = [
    ("pk", 200), ("pk2", 404), ("other_pk", 404), ("operator", 200), ("supervisor", 200),
    ("head", 200), ("partner", 404), ("regional", 404), ("admin", 200),
]


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # assertions read the English source messages


@pytest.fixture(autouse=True)
def private_files(monkeypatch, tmp_path):
    """Point the models' private storage at a temporary folder.

    The models resolve their storage callable once, at import, so the conftest's STORAGES
    override does not reach them; without this the tests would write into var/private.
    """
    storage = FileSystemStorage(location=tmp_path / "private-files")
    monkeypatch.setattr(ClientDocument._meta.get_field("file"), "storage", storage)
    monkeypatch.setattr(Client._meta.get_field("photo"), "storage", storage)
    return tmp_path / "private-files"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, "PNG")
    return buffer.getvalue()


def upload_url(client):
    return reverse("clients:document_add", args=[client.pk])


def document_data(**overrides):
    data = {
        "doc-kind": "decree",
        "doc-title": "SK Pembebasan Bersyarat",
        "doc-document_date": timezone.localdate().isoformat(),
        "doc-file": SimpleUploadedFile("sk.pdf", PDF, content_type="application/pdf"),
    }
    data.update(overrides)
    return data


@pytest.fixture
def document(users, own_client):
    from clients.services.clients import document_upload

    return document_upload(
        client=own_client, by=users["pk"], kind="court", title="Putusan PN Jember",
        document_date=timezone.localdate(),
        file=SimpleUploadedFile("putusan.pdf", PDF, content_type="application/pdf"),
    )


# --- Upload -----------------------------------------------------------------------------------


def test_pk_uploads_a_document_to_private_storage(login, users, own_client, settings,
                                                  private_files):
    response = login(users["pk"]).post(upload_url(own_client), document_data())
    assert response.status_code == 302
    assert response["Location"].endswith("?tab=documents")
    document = ClientDocument.objects.get()
    assert (document.client, document.kind, document.title, document.uploaded_by) == (
        own_client, "decree", "SK Pembebasan Bersyarat", users["pk"]
    )
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF)
    assert "sk" not in document.file.name.rsplit("/", 1)[1]  # stored under a random name
    path = private_files / document.file.name
    assert path.read_bytes() == PDF
    assert not str(path).startswith(str(settings.MEDIA_ROOT))


@pytest.mark.parametrize("role", ["operator", "supervisor", "head"])
def test_office_staff_upload_documents(login, users, own_client, role):
    assert login(users[role]).post(upload_url(own_client), document_data()).status_code == 302
    assert ClientDocument.objects.count() == 1


@pytest.mark.parametrize(("role", "status"), [
    ("pk2", 404), ("other_pk", 404), ("partner", 404), ("regional", 404), ("admin", 403),
])
def test_others_cannot_upload(login, users, own_client, role, status):
    assert login(users[role]).post(upload_url(own_client), document_data()).status_code == status
    assert not ClientDocument.objects.exists()


def _refused(response, field="file"):
    assert response.status_code == 200
    form = response.context["document_form"]
    assert form.errors[field]
    assert response.context["tab"] == "documents"
    assert not ClientDocument.objects.exists()
    return form


def test_html_named_pdf_is_refused_with_a_clear_message(login, users, own_client,
                                                         private_files):
    html = SimpleUploadedFile("sk.pdf", b"<!DOCTYPE html><html><script>x</script></html>",
                              content_type="application/pdf")
    response = login(users["pk"]).post(upload_url(own_client), document_data(**{"doc-file": html}))
    form = _refused(response)
    assert "not a real .pdf file" in form.errors["file"][0]
    content = response.content.decode()
    assert "not a real .pdf file" in content
    assert 'value="SK Pembebasan Bersyarat"' in content  # typed values kept
    assert not any(private_files.rglob("*"))


def test_file_over_ten_megabytes_is_refused(login, users, own_client, settings):
    big = SimpleUploadedFile("sk.pdf", PDF + b"0" * settings.UPLOAD_MAX_BYTES,
                             content_type="application/pdf")
    response = login(users["pk"]).post(upload_url(own_client), document_data(**{"doc-file": big}))
    form = _refused(response)
    assert "too large" in form.errors["file"][0]


def test_unaccepted_file_type_is_refused(login, users, own_client):
    exe = SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = login(users["pk"]).post(upload_url(own_client), document_data(**{"doc-file": exe}))
    form = _refused(response)
    assert ".exe" in form.errors["file"][0]


def test_missing_file_and_title_are_refused(login, users, own_client):
    data = document_data(**{"doc-title": ""})
    del data["doc-file"]
    response = login(users["pk"]).post(upload_url(own_client), data)
    form = _refused(response)
    assert form.errors["title"]


def test_document_date_in_the_future_is_refused(login, users, own_client):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = login(users["pk"]).post(
        upload_url(own_client), document_data(**{"doc-document_date": tomorrow})
    )
    _refused(response, "document_date")


def test_document_date_accepts_the_indonesian_format(login, users, own_client):
    response = login(users["pk"]).post(
        upload_url(own_client), document_data(**{"doc-document_date": "17/08/2025"})
    )
    assert response.status_code == 302
    assert ClientDocument.objects.get().document_date.isoformat() == "2025-08-17"


def test_images_and_word_files_are_accepted(login, users, own_client):
    browser = login(users["pk"])
    png = SimpleUploadedFile("foto.png", png_bytes(), content_type="image/png")
    docx = SimpleUploadedFile("kontrak.docx", b"PK\x03\x04" + b"\x00" * 40)
    assert browser.post(upload_url(own_client), document_data(**{"doc-file": png})).status_code \
        == 302
    assert browser.post(upload_url(own_client), document_data(**{"doc-file": docx})).status_code \
        == 302
    assert set(ClientDocument.objects.values_list("content_type", flat=True)) == {
        "image/png",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }


# --- Download ---------------------------------------------------------------------------------


def download_url(document):
    return reverse("clients:document", args=[document.client_id, document.pk])


@pytest.mark.parametrize(("role", "status"), ROLE_STATUS)
def test_each_role_on_a_document_download(login, users, document, role, status):
    response = login(users[role]).get(download_url(document))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF


def test_download_is_an_uncached_attachment_and_is_logged(login, users, document):
    response = login(users["supervisor"]).get(download_url(document))
    assert response["Content-Disposition"].startswith("attachment;")
    assert "putusan-pn-jember.pdf" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    row = AccessLog.objects.get(action=AccessLog.Action.DOWNLOAD)
    assert (row.user, row.object_id, row.office_id) == (
        users["supervisor"], str(document.pk), document.client.office_id
    )
    assert "Putusan PN Jember" in row.object_label


def test_document_of_another_client_is_404_through_this_client(login, users, document,
                                                              colleague_order):
    url = reverse("clients:document", args=[colleague_order.client_id, document.pk])
    assert login(users["supervisor"]).get(url).status_code == 404
    assert not AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD).exists()


def test_refused_download_writes_no_log(login, users, document):
    login(users["other_pk"]).get(download_url(document))
    assert not AccessLog.objects.exists()


def test_documents_are_listed_on_the_client_page(login, users, document):
    content = login(users["operator"]).get(
        reverse("clients:detail", args=[document.client_id])
    ).content.decode()
    assert download_url(document) in content
    assert "Putusan PN Jember" in content


# --- Photo ------------------------------------------------------------------------------------


@pytest.fixture
def photographed(users, own_client):
    from clients.services.clients import client_update

    return client_update(
        client=own_client, by=users["pk"],
        photo=SimpleUploadedFile("wajah.png", png_bytes(), content_type="image/png"),
    )


@pytest.mark.parametrize(("role", "status"), ROLE_STATUS)
def test_each_role_on_the_photo(login, users, photographed, role, status):
    response = login(users[role]).get(reverse("clients:photo", args=[photographed.pk]))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == png_bytes()
        assert response["Content-Type"] == "image/png"
        assert "no-store" in response["Cache-Control"]


def test_photo_view_is_logged(login, users, photographed):
    login(users["pk"]).get(reverse("clients:photo", args=[photographed.pk]))
    row = AccessLog.objects.get()
    assert (row.user, row.object_id, row.action) == (
        users["pk"], str(photographed.pk), AccessLog.Action.VIEW
    )


def test_client_without_photo_has_no_photo_url(login, users, own_client):
    assert login(users["pk"]).get(
        reverse("clients:photo", args=[own_client.pk])
    ).status_code == 404


def test_photo_is_stored_privately_under_a_random_name(photographed, private_files):
    assert "wajah" not in photographed.photo.name
    assert (private_files / photographed.photo.name).read_bytes() == png_bytes()
