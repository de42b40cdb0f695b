"""Kept for the migrations that reference ``clients.models.storage.private_storage``."""

from bapas.storage import private_storage

__all__ = ["private_storage"]
