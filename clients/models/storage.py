"""Case documents and photos live outside MEDIA_ROOT; only permission-checked views serve them."""

from django.core.files.storage import Storage, storages


def private_storage() -> Storage:
    """Callable storage, so tests and deployments can point STORAGES['private'] elsewhere."""
    return storages["private"]
