"""Backup and restore: the demo data round-trips with every row and every file intact.

Runs on whichever database the suite uses (SQLite locally, PostgreSQL in CI). The tests run
inside the test transaction, so emptying and restoring the database is rolled back after each.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from bapas.management.commands.backup import MANIFEST_MEMBER, serialize_database
from bapas.management.commands.restore import is_empty, wipe_database
from bapas.models import AccessLog, Office, User
from clients.models import Client, Contact, Province, SupervisionOrder, Village
from tests.factories import ClientFactory, ContactFactory, OfficeFactory, OrderFactory

pytestmark = pytest.mark.django_db


def database_rows() -> list:
    """Every row of every backed-up model (times to the microsecond; many-to-many sorted)."""
    out = io.StringIO()
    serialize_database(out)
    rows = json.loads(out.getvalue())
    for row in rows:
        for name, value in row["fields"].items():
            if isinstance(value, list) and all(isinstance(v, int) for v in value):
                row["fields"][name] = sorted(value)
    return sorted(rows, key=lambda row: (row["model"], str(row["pk"])))


def file_checksums() -> dict[str, str]:
    found = {}
    roots = (("media", settings.MEDIA_ROOT), ("private", settings.PRIVATE_STORAGE_ROOT))
    for prefix, root in roots:
        for path in Path(root).rglob("*"):
            if path.is_file():
                found[f"{prefix}/{path.relative_to(root)}"] = hashlib.sha256(
                    path.read_bytes()).hexdigest()
    return found


def remove_files() -> None:
    for root in (settings.MEDIA_ROOT, settings.PRIVATE_STORAGE_ROOT):
        for path in sorted(Path(root).rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()


def write_files(settings) -> None:
    """Uploaded files of both kinds: a public one and case documents in private storage."""
    media = Path(settings.MEDIA_ROOT) / "logos"
    media.mkdir(parents=True)
    (media / "kop.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"logo" * 100)
    private = Path(settings.PRIVATE_STORAGE_ROOT) / "clients" / "docs" / "2026" / "01"
    private.mkdir(parents=True)
    (private / "sk.pdf").write_bytes(b"%PDF-1.4 decree " + bytes(range(256)) * 50)
    (private / "nama dengan spasi.jpg").write_bytes(b"\xff\xd8\xff" + b"x" * 2000)


@pytest.fixture
def demo(settings):
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    write_files(settings)
    return {"clients": Client.objects.count()}


@pytest.fixture
def sample(settings, users, office):
    """A small office: the users of every role, two clients with orders and contacts."""
    for name in ("Ahmad Fauzi", "Siti Aminah"):
        order = OrderFactory(client=ClientFactory(office=office, full_name=name),
                             assigned_pk=users["pk"])
        ContactFactory(order=order)
    write_files(settings)
    return users


def backup(tmp_path: Path, name: str = "bapas.tar.gz") -> Path:
    archive = tmp_path / "backups" / name
    call_command("backup", "--output", str(archive), stdout=io.StringIO())
    return archive


def test_demo_round_trips_every_row_and_file(demo, tmp_path, client):
    assert demo["clients"] == 64
    rows_before, files_before = database_rows(), file_checksums()
    regions_before = (Province.objects.count(), Village.objects.count())
    archive = backup(tmp_path)

    # A fresh installation: nothing but what migrations load.
    wipe_database()
    remove_files()
    assert is_empty() and not file_checksums()
    call_command("restore", str(archive), stdout=io.StringIO())

    assert database_rows() == rows_before
    assert file_checksums() == files_before
    assert (Province.objects.count(), Village.objects.count()) == regions_before
    # The restored demo shows the same pages.
    supervisor = User.objects.get(email="kasubsi@demo.local")
    client.force_login(supervisor)
    page = client.get(reverse("clients:caseload"))
    assert page.status_code == 200
    some = SupervisionOrder.objects.filter(client__office=supervisor.office,
                                           status="aktif").order_by("client__full_name").first()
    assert some.client.full_name in page.content.decode()


def test_restored_database_continues_ids_after_the_restored_rows(sample, tmp_path):
    archive = backup(tmp_path)
    highest = Contact.objects.order_by("-pk").values_list("pk", flat=True).first()
    wipe_database()
    call_command("restore", str(archive), stdout=io.StringIO())
    order = SupervisionOrder.objects.filter(status="aktif").first()
    contact = Contact.objects.create(order=order, kind="telepon", planned_at=order.created_at)
    assert contact.pk > highest


def test_archive_holds_dump_files_and_a_manifest_of_checksums(sample, tmp_path):
    archive = backup(tmp_path)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile(MANIFEST_MEMBER))
        for name, entry in manifest["members"].items():
            data = tar.extractfile(name).read()
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
            assert len(data) == entry["size"]
        dump = json.loads(tar.extractfile("database.json").read())
    assert names[0] == "database.json" and names[-1] == MANIFEST_MEMBER
    assert "private/clients/docs/2026/01/sk.pdf" in manifest["members"]
    assert "media/logos/kop.png" in manifest["members"]
    assert manifest["counts"]["clients.Client"] == 2
    assert "clients.Village" not in manifest["counts"]  # loaded by a migration
    assert manifest["database"]["vendor"] == connection.vendor
    assert not any(row["model"] in {"clients.village", "clients.province",
                                    "sessions.session"} for row in dump)


def test_restore_refuses_a_database_that_holds_data(sample, tmp_path):
    archive = backup(tmp_path)
    Client.objects.filter(pk=Client.objects.first().pk).update(full_name="Changed after backup")
    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert Client.objects.filter(full_name="Changed after backup").exists()


def test_restore_with_force_replaces_the_data(sample, tmp_path):
    rows_before = database_rows()
    archive = backup(tmp_path)
    Client.objects.filter(pk=Client.objects.first().pk).update(full_name="Changed after backup")
    OfficeFactory(name="Kantor baru setelah backup")
    call_command("restore", str(archive), "--force", stdout=io.StringIO())
    after = database_rows()
    assert [(r["model"], r["pk"]) for r in after] == [(r["model"], r["pk"]) for r in rows_before]
    assert after == rows_before
    assert not Office.objects.filter(name="Kantor baru setelah backup").exists()


def test_restore_refuses_a_tampered_archive_and_changes_nothing(sample, tmp_path):
    archive = backup(tmp_path)
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "private/clients/docs/2026/01/sk.pdf":
                data = data.replace(b"decree", b"DECREE")
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    wipe_database()
    with pytest.raises(CommandError, match="Checksum mismatch"):
        call_command("restore", str(tampered), stdout=io.StringIO())
    assert is_empty()


def test_restore_refuses_what_is_not_a_backup(db, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive at all" * 100)
    with pytest.raises(CommandError, match="not a readable backup archive"):
        call_command("restore", str(junk), stdout=io.StringIO())
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing.tar.gz"), stdout=io.StringIO())


def test_restore_refuses_an_archive_with_unsafe_names(db, tmp_path):
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        info = tarfile.TarInfo("../outside.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"bad"))
    with pytest.raises(CommandError, match="unsafe member"):
        call_command("restore", str(evil), stdout=io.StringIO())
    assert not (tmp_path / "outside.txt").exists()


def test_backup_default_output_goes_to_the_backups_folder(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("backup", stdout=out)
    written = list((tmp_path / "backups").glob("bapas-*.tar.gz"))
    assert len(written) == 1 and "Backup written" in out.getvalue()
    assert not list((tmp_path / "backups").glob(".*partial"))


def test_access_log_rows_survive_a_round_trip(sample, tmp_path, rf):
    from bapas.audit import log_access

    request = rf.get("/clients/")
    request.user = sample["supervisor"]
    log_access(request, None, AccessLog.Action.EXPORT, label="Caseload list")
    before = list(AccessLog.objects.values_list("pk", "at", "object_label"))
    archive = backup(tmp_path)
    call_command("restore", str(archive), "--force", stdout=io.StringIO())
    assert list(AccessLog.objects.values_list("pk", "at", "object_label")) == before

