"""Case documents and photos live outside MEDIA_ROOT; only permission-checked views serve them."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage


class PrivateStorage(FileSystemStorage):
    """File storage under PRIVATE_STORAGE_ROOT, read at each use (tests and deployments move it),
    and with no public URL."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return settings.PRIVATE_STORAGE_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)


_private = PrivateStorage()


def private_storage() -> Storage:
    """Callable storage for FileFields (migrations reference this function, not an instance)."""
    return _private
