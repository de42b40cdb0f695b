"""``manage.py restore ARCHIVE [--force]``: bring an installation back to a backup's state.

In this order, stopping at the first problem with nothing changed:

1. unpack the archive into a temporary directory (names are checked: no absolute paths, no
   ``..``, no links) and verify every member against the manifest's SHA-256 checksums;
2. check that this installation has applied every migration the backup had (run ``migrate``
   first), so the dump matches the tables;
3. refuse a database that already holds data (any client, user or office) unless ``--force``;
4. in ONE transaction: empty every table except the migration-loaded regions, load the dump,
   reset the PostgreSQL sequences, and check the number of rows of every model against the
   manifest (any difference rolls everything back);
5. copy the uploaded files back to MEDIA_ROOT and PRIVATE_STORAGE_ROOT.
"""

from __future__ import annotations

import json
import shutil
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test.utils import override_settings

from .backup import (
    DATABASE_MEMBER,
    FILE_ROOTS,
    FORMAT,
    MANIFEST_MEMBER,
    REGION_MODELS,
    applied_migrations,
    dumped_models,
    sha256_of,
)


def is_empty() -> bool:
    """No client, user or office: a fresh installation (only migration-loaded data)."""
    from bapas.models import Office, User
    from clients.models import Client

    return not (Client.objects.exists() or User.objects.exists() or Office.objects.exists())


def wipe_database() -> None:
    """Empty every table except the region tables (loaded by a migration) and the migration
    history. Part of the caller's transaction."""
    keep = {apps.get_model(label)._meta.db_table for label in REGION_MODELS}
    tables = [name for name in connection.introspection.django_table_names(
        only_existing=True, include_views=False) if name not in keep]
    postgres = connection.vendor == "postgresql"
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True,
                                          allow_cascade=postgres)
    if postgres:
        # TRUNCATE refuses tables with deferred foreign-key checks still pending in this
        # transaction (rows written earlier in it): run those checks now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    connection.ops.execute_sql_flush(statements)
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def reset_sequences() -> None:
    """PostgreSQL: every sequence continues after the highest restored id.

    The statements ``manage.py sqlsequencereset`` prints for every app, run inside the restore's
    transaction (the command's own output wraps them in BEGIN/COMMIT, which would end it).
    """
    if connection.vendor != "postgresql":
        return
    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models(
        include_auto_created=True))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        path = PurePosixPath(member.name)
        if path.is_absolute() or ".." in path.parts or not (member.isfile() or member.isdir()):
            raise CommandError(f"Refusing the archive: unsafe member {member.name!r}.")
        members.append(member)
    return members


def unpack(archive_path: Path, target: Path) -> dict:
    """Unpack and verify; returns the manifest. Raises CommandError on any mismatch."""
    try:
        with tarfile.open(archive_path, "r:*") as archive:
            members = _safe_members(archive)
            archive.extractall(target, members=members, filter="data")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise CommandError(f"{archive_path} is not a readable backup archive: {exc}") from None
    manifest_path = target / MANIFEST_MEMBER
    if not manifest_path.is_file():
        raise CommandError("The archive has no manifest.json: it is not a complete backup.")
    try:
        manifest = json.loads(manifest_path.read_text())
    except ValueError:
        raise CommandError("The archive's manifest.json is damaged.") from None
    if manifest.get("format") != FORMAT:
        raise CommandError("This archive was not written by manage.py backup.")
    listed = manifest.get("members", {})
    if DATABASE_MEMBER not in listed:
        raise CommandError("The manifest lists no database dump.")
    present = {
        path.relative_to(target).as_posix() for path in target.rglob("*") if path.is_file()
    } - {MANIFEST_MEMBER}
    extra = present - set(listed)
    if extra:
        raise CommandError(f"The archive holds files the manifest does not list: "
                           f"{', '.join(sorted(extra)[:5])}.")
    for name, expected in listed.items():
        path = target / name
        if not path.is_file():
            raise CommandError(f"{name} is listed in the manifest but missing from the archive.")
        if path.stat().st_size != expected["size"] or sha256_of(path) != expected["sha256"]:
            raise CommandError(f"Checksum mismatch for {name}: the archive is damaged or was "
                               "changed. Nothing was restored.")
    return manifest


class Command(BaseCommand):
    help = ("Restore a backup archive written by manage.py backup (verifies its checksums "
            "first; refuses a database that already holds data unless --force).")

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .tar.gz written by manage.py backup.")
        parser.add_argument(
            "--force", action="store_true",
            help="Replace the data of a database that is not empty (everything in it is lost).",
        )

    def handle(self, *args, **options):
        archive = Path(options["archive"]).expanduser()
        if not archive.is_file():
            raise CommandError(f"{archive} does not exist.")
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp)
            manifest = unpack(archive, target)
            self._check_migrations(manifest)
            if not is_empty() and not options["force"]:
                raise CommandError(
                    "The database already holds data (clients, users or offices). Restoring "
                    "would replace all of it: run again with --force if that is what you want.")
            self._restore_database(target / DATABASE_MEMBER, manifest)
            restored = self._restore_files(target, manifest)
        self.stdout.write(self.style.SUCCESS(
            f"Restored {sum(manifest.get('counts', {}).values())} rows and {restored} files "
            f"from {archive} (backup of {manifest.get('created_at', '?')})."))

    @staticmethod
    def _check_migrations(manifest: dict) -> None:
        missing = sorted(set(manifest["database"].get("migrations", [])) -
                         set(applied_migrations()))
        if missing:
            raise CommandError(
                "This installation lacks migrations the backup was made with: "
                f"{', '.join(missing[:8])}. Update the application and run "
                "`manage.py migrate` first.")

    def _restore_database(self, dump: Path, manifest: dict) -> None:
        expected = manifest.get("counts", {})
        # The dump holds the history rows already: loading must not write new ones (simple-history
        # records many-to-many changes even for fixture loads).
        with transaction.atomic(), override_settings(SIMPLE_HISTORY_ENABLED=False):
            wipe_database()
            call_command("loaddata", str(dump), verbosity=0)
            reset_sequences()
            for model in dumped_models():
                label = model._meta.label
                if label in expected and model._base_manager.count() != expected[label]:
                    raise CommandError(
                        f"{label}: {model._base_manager.count()} rows restored, "
                        f"{expected[label]} expected. Nothing was restored.")
        ContentType.objects.clear_cache()

    @staticmethod
    def _restore_files(target: Path, manifest: dict) -> int:
        roots = {prefix: Path(getattr(settings, setting)) for prefix, setting in FILE_ROOTS}
        count = 0
        for name in manifest["members"]:
            prefix, _slash, relative = name.partition("/")
            if prefix not in roots or not relative:
                continue
            destination = roots[prefix] / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(target / name, destination)
            count += 1
        return count
