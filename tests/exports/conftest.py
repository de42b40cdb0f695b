"""Export tests use the site's URLs with the export pages added (see tests/imports/urls.py)
and read messages in English."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _export_urls(settings):
    settings.ROOT_URLCONF = "tests.imports.urls"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
