from django.core.files.base import ContentFile
from django.core.files.storage import storages

from bapas.storage import private_storage


def test_private_storage_follows_settings(settings, tmp_path):
    name = private_storage().save("x/test.txt", ContentFile(b"abc"))
    assert (tmp_path / "private" / name).read_bytes() == b"abc"
    assert storages["private"].path(name) == str(tmp_path / "private" / name)
