"""Upload checks shared by every app: size and real file type (by content, not by name)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Signatures of the types we accept, by their first bytes.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "webp": (b"RIFF",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
}
IMAGE_TYPES = ("jpg", "jpeg", "png", "webp")
DOCUMENT_TYPES = ("pdf", *IMAGE_TYPES, "docx", "xlsx", "odt")


def sniff(head: bytes) -> str | None:
    for kind, prefixes in SIGNATURES.items():
        if any(head.startswith(prefix) for prefix in prefixes):
            if kind == "webp" and head[8:12] != b"WEBP":
                continue
            return kind
    return None


def validate_upload(upload, allowed: tuple[str, ...] = DOCUMENT_TYPES) -> None:
    """Refuse files over the size limit, with an unexpected extension, or whose bytes disagree."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    extension = Path(upload.name).suffix.lower().lstrip(".")
    if extension not in allowed:
        raise ValidationError(
            _("Files of type .%(ext)s are not accepted. Allowed: %(allowed)s.")
            % {"ext": extension or "?", "allowed": ", ".join(allowed)}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    actual = sniff(head)
    same_family = {"jpg": "jpeg", "jpeg": "jpeg", "docx": "zip", "xlsx": "zip", "odt": "zip"}
    if actual is None or same_family.get(actual, actual) != same_family.get(extension, extension):
        raise ValidationError(
            _("The content of this file is not a real .%(ext)s file.") % {"ext": extension}
        )


def validate_image(upload) -> None:
    validate_upload(upload, IMAGE_TYPES)
