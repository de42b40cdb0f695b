"""Shared fixtures: two offices in one region, and a user of every role."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from bapas.models import Role
from tests.factories import OfficeFactory, PartnerFactory, RegionalOfficeFactory, UserFactory


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MFA_REQUIRED = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Celery reads Django's settings once; set its own configuration too, so tasks queued by
    # the code under test run in the test instead of going to a broker.
    from bapas.celery import app as celery_app

    saved = (celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates)
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    cache.clear()
    yield
    cache.clear()
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = saved


@pytest.fixture(autouse=True)
def _region_tables(request):
    """Transactional tests (live server, browser) flush every table at teardown, including the
    region reference data loaded by a migration; reload it for the tests that follow."""
    if not {"db", "transactional_db"} & set(request.fixturenames):
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames
                            else "db")
    from clients.models import Province
    from clients.regions_data import load_regions

    if not Province.objects.exists():
        load_regions()


@pytest.fixture
def region(db):
    return RegionalOfficeFactory(name="Kanwil Jawa Timur")


@pytest.fixture
def office(region):
    return OfficeFactory(name="Bapas Kelas II Jember", regional_office=region)


@pytest.fixture
def other_office(region):
    return OfficeFactory(name="Bapas Kelas II Bondowoso", regional_office=region)


@pytest.fixture
def far_office(db):
    return OfficeFactory(name="Bapas Kelas I Makassar",
                         regional_office=RegionalOfficeFactory(name="Kanwil Sulawesi Selatan"))


@pytest.fixture
def partner(office):
    return PartnerFactory(name="Dinas Sosial Kabupaten Jember", offices=[office])


@pytest.fixture
def users(office, other_office, region, partner):
    """One user of every role, keyed by a short name."""
    return {
        "pk": UserFactory(role=Role.PK, office=office, email="pk@test.local"),
        "pk2": UserFactory(role=Role.PK, office=office, email="pk2@test.local"),
        "other_pk": UserFactory(role=Role.PK, office=other_office, email="opk@test.local"),
        "operator": UserFactory(role=Role.OPERATOR, office=office, email="op@test.local"),
        "supervisor": UserFactory(role=Role.SUPERVISOR, office=office, email="sup@test.local"),
        "head": UserFactory(role=Role.HEAD, office=office, email="head@test.local"),
        "partner": UserFactory(role=Role.PARTNER, office=None, partner=partner,
                               email="mitra@test.local"),
        "regional": UserFactory(role=Role.REGIONAL, office=None, regional_office=region,
                                email="kanwil@test.local"),
        "admin": UserFactory(admin=True, email="admin@test.local"),
    }


@pytest.fixture
def login(client):
    """login(user) logs the test client in and returns it."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
