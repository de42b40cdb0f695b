"""The misspelled name search stays indexable on PostgreSQL (issue 9, docs/performance.md).

The folded name is compared through ``clients_phonetic_fold(search_name)``, an immutable SQL
function with a GIN trigram index, and word similarity through the ``<%`` operator and the
trigram index on ``search_name``; both give the same answers as the Python folds.
"""

from __future__ import annotations

import pytest
from django.db import connection

from clients.models import Client
from clients.search import PHONETIC_FOLDS, WORD_SIMILARITY, phonetic_fold, search_clients
from tests.factories import ClientFactory

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the indexes are PostgreSQL's"
)

NAMES = ["muhammad rizky firmansyah", "kholil anwar", "siti aisyah", "zulkifli", "yohanes",
         "chairul tanjung", "dhani", "thoriq", "shinta", "sya'ban", "philip", "vivi", "qomar",
         "aakhirah", "tiitik", "uuntung", "ee", "abbas", "ladda", "effendi", "anggun", "rahhim",
         "akkbar", "ollla", "ammar", "hanna", "appah", "marrta", "hassan", "attun", ""]


@postgresql_only
@pytest.mark.django_db
def test_sql_fold_function_matches_the_python_folds():
    with connection.cursor() as cursor:
        for name in NAMES:
            cursor.execute("SELECT clients_phonetic_fold(%s)", [name])
            assert cursor.fetchone()[0] == phonetic_fold(name), name
        cursor.execute("SELECT clients_phonetic_fold(NULL)")
        assert cursor.fetchone()[0] is None
    # The migration froze a copy of the folds: they must still agree.
    from importlib import import_module

    migration = import_module("clients.migrations.0004_performance_indexes")
    assert migration.FOLDS == PHONETIC_FOLDS


@postgresql_only
@pytest.mark.django_db
def test_word_similarity_threshold_is_the_searchs():
    with connection.cursor() as cursor:
        cursor.execute("SHOW pg_trgm.word_similarity_threshold")
        assert float(cursor.fetchone()[0]) == WORD_SIMILARITY


@postgresql_only
@pytest.mark.django_db
def test_misspelling_with_dropped_letter_is_found(office):
    # word_similarity('santso', 'rizky santoso') is 0.57: found at 0.5, not at pg_trgm's 0.6.
    wanted = ClientFactory(office=office, full_name="Rizky Santoso")
    ClientFactory(office=office, full_name="Siti Aminah")
    assert list(search_clients(Client.objects.all(), "riski santso")) == [wanted]


@postgresql_only
@pytest.mark.django_db
def test_name_search_plan_uses_both_trigram_indexes(office):
    ClientFactory(office=office, full_name="Rizky Santoso")
    sql, params = search_clients(Client.objects.all(), "riski santso").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "clients_client_folded_name_trgm" in plan, plan
    assert "clients_client_search_name_trgm" in plan, plan
    assert "clients_client_register_number_upper" in plan, plan
