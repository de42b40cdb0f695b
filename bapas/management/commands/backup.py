"""``manage.py backup [--output PATH]``: one archive with everything needed to restore.

The archive (tar.gz) holds:

* ``database.json``: every model in Django's ``dumpdata`` JSON (primary keys as stored, no natural
  keys, times to the microsecond, so the dump loads into SQLite and PostgreSQL alike with
  ``loaddata``), written inside ONE transaction so it
  is a consistent snapshot: on PostgreSQL at REPEATABLE READ; on SQLite the transaction holds
  the write lock, so nothing changes while it runs. The region tables (provinces to villages)
  are left out: a migration loads them into every installation. Sessions are left out too
  (everyone logs in again after a restore).
* ``media/…`` and ``private/…``: every uploaded file (MEDIA_ROOT and PRIVATE_STORAGE_ROOT).
* ``manifest.json`` (last): the SHA-256 checksum and size of every other member, the number of
  rows per model and the applied migrations, which ``manage.py restore`` verifies first.

The archive is written under a temporary name and renamed when complete, so a half-written
backup never looks like a finished one.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.timezone import is_aware

FORMAT = "bapas-backup"
FORMAT_VERSION = 1
DATABASE_MEMBER = "database.json"
MANIFEST_MEMBER = "manifest.json"
# Loaded by migrations into every installation (clients/migrations/0002_load_regions.py).
REGION_MODELS = ("clients.Province", "clients.Regency", "clients.District", "clients.Village")
EXCLUDED_MODELS = (*REGION_MODELS, "sessions.Session")
FILE_ROOTS = (("media", "MEDIA_ROOT"), ("private", "PRIVATE_STORAGE_ROOT"))
CHUNK = 1024 * 1024


def dumped_models() -> list:
    """Every concrete model whose rows go into the dump."""
    excluded = {label.lower() for label in EXCLUDED_MODELS}
    return [
        model for model in apps.get_models()
        if model._meta.label_lower not in excluded and not model._meta.proxy
        and model._meta.managed
    ]


def applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in
                  MigrationRecorder(connection).applied_migrations())


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; a backup keeps every microsecond."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            value = o.isoformat()
            return value.removesuffix("+00:00") + "Z" if value.endswith("+00:00") else value
        if isinstance(o, datetime.time) and not is_aware(o):
            return o.isoformat()
        return super().default(o)


def _all_objects():
    """Every row of every dumped model, model by model in primary-key order (as dumpdata)."""
    for model in dumped_models():
        yield from model._base_manager.order_by(model._meta.pk.name).iterator(chunk_size=2000)


def serialize_database(stream) -> None:
    """dumpdata's JSON (loadable by ``loaddata``), with exact times."""
    serializers.serialize("json", _all_objects(), stream=stream, cls=ExactJSONEncoder)


def dump_database(path: Path) -> dict[str, int]:
    """Dump every model to ``path`` in one consistent snapshot; returns the rows per model."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # Must be the transaction's first statement: every query below sees one snapshot.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        counts = {model._meta.label: model._base_manager.count() for model in dumped_models()}
        with path.open("w", encoding="utf-8") as stream:
            serialize_database(stream)
    return counts


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


class HashingReader(io.RawIOBase):
    """Reads a file for the archive and hashes exactly the bytes that went into it."""

    def __init__(self, handle):
        self.handle, self.digest, self.size = handle, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def uploaded_files(skip: Path | None = None) -> list[tuple[str, Path]]:
    """(archive name, path) of every regular file under MEDIA_ROOT and PRIVATE_STORAGE_ROOT."""
    roots = {prefix: Path(getattr(settings, setting)).resolve() for prefix, setting in FILE_ROOTS}
    found = []
    for prefix, root in roots.items():
        if not root.is_dir():
            continue
        others = [other for name, other in roots.items() if name != prefix and other != root
                  and root in other.parents]
        for path in sorted(root.rglob("*")):
            if path.is_symlink() or not path.is_file():
                continue
            if any(other in path.parents for other in others) or path == skip:
                continue  # a root nested in this one is archived under its own name
            found.append((f"{prefix}/{path.relative_to(root).as_posix()}", path))
    return found


class Command(BaseCommand):
    help = ("Write one tar.gz archive with a consistent database dump, every uploaded file and "
            "a SHA-256 manifest.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", default="",
            help="Archive path (default: VAR_DIR/backups/bapas-YYYYMMDD-HHMMSS.tar.gz). A "
                 "directory puts the default file name in it.",
        )

    def handle(self, *args, **options):
        output = self._output_path(options["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(f".{output.name}.partial")
        manifest: dict = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "database": {"vendor": connection.vendor, "member": DATABASE_MEMBER,
                         "excluded": list(EXCLUDED_MODELS)},
            "members": {},
        }
        try:
            with tempfile.TemporaryDirectory() as tmp:
                dump = Path(tmp) / DATABASE_MEMBER
                manifest["database"]["migrations"] = applied_migrations()
                manifest["counts"] = dump_database(dump)
                with tarfile.open(partial, "w:gz") as archive:
                    archive.add(dump, arcname=DATABASE_MEMBER)
                    manifest["members"][DATABASE_MEMBER] = {
                        "sha256": sha256_of(dump), "size": dump.stat().st_size}
                    for name, path in uploaded_files(skip=output.resolve()):
                        self._add_file(archive, name, path, manifest)
                    data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                    info = tarfile.TarInfo(MANIFEST_MEMBER)
                    info.size, info.mtime = len(data), int(timezone.now().timestamp())
                    archive.addfile(info, io.BytesIO(data))
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        rows = sum(manifest["counts"].values())
        files = len(manifest["members"]) - 1
        self.stdout.write(self.style.SUCCESS(
            f"Backup written to {output} ({rows} rows, {files} files, "
            f"{output.stat().st_size} bytes)."))

    @staticmethod
    def _add_file(archive: tarfile.TarFile, name: str, path: Path, manifest: dict) -> None:
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            return  # deleted while the backup ran; the database no longer refers to it
        with handle:
            stat = os.fstat(handle.fileno())
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o640
            reader = HashingReader(handle)
            archive.addfile(info, reader)
            if reader.size != stat.st_size:
                raise CommandError(f"{path} changed while it was being archived; run the "
                                   "backup again.")
            manifest["members"][name] = {"sha256": reader.digest.hexdigest(),
                                         "size": reader.size}

    @staticmethod
    def _output_path(value: str) -> Path:
        name = f"bapas-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
        if not value:
            return Path(settings.VAR_DIR) / "backups" / name
        path = Path(value).expanduser()
        return path / name if path.is_dir() or value.endswith(os.sep) else path
