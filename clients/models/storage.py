"""Case documents and photos are stored outside MEDIA_ROOT and served by permission-checked views."""

from django.core.files.storage import Storage, storages


def private_storage() -> Storage:
    """Callable storage, so tests and deployments can point STORAGES['private'] elsewhere."""
    return storages["private"]
