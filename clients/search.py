"""Finding a client by name, NIK or register number, tolerant of how names get spelled.

Names reach the office spelled many ways: Muhammad / Mohammad / Moh., Rizky / Rizki / Riski,
Kholil / Cholil / Holil. ``Client.search_name`` is already folded by ``normalise_name`` (case,
punctuation and the usual Muhammad-style variants). On top of that we fold a few letters that
Indonesian spelling swaps freely (z/s, y/i, kh/ch/h, doubled letters), on both the column (see
``PhoneticFold``) and the typed term, so the same rules hold on SQLite and PostgreSQL.

On PostgreSQL, pg_trgm also forgives typos the folding cannot foresee: each typed word must
either appear in the folded name or be trigram-similar to a word of it, and rows are ranked by
the trigram similarity of the whole name. On SQLite every row ranks the same.

Both tests are indexable on PostgreSQL, so a search across every office (200,000 clients) reads
only the candidates: the folded name through a GIN trigram index on
``clients_phonetic_fold(search_name)`` (an immutable SQL function with the same folds, migration
clients 0004) and the word similarity through the ``<%`` operator and the trigram index on
``search_name`` (migration 0003). The operator compares against the session setting
``pg_trgm.word_similarity_threshold``, which ``_set_word_similarity_threshold`` sets to
``WORD_SIMILARITY`` on every new connection.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import Case, CharField, F, FloatField, Func, Q, QuerySet, Value, When
from django.db.models.functions import Replace
from django.dispatch import receiver

from .models import normalise_name
from .nik import clean_nik

# Applied in this order, on both sides. Later rules see the output of earlier ones.
PHONETIC_FOLDS: list[tuple[str, str]] = [
    ("kh", "h"), ("ch", "h"), ("dh", "d"), ("th", "t"), ("sy", "s"), ("sh", "s"), ("ph", "f"),
    ("z", "s"), ("y", "i"), ("v", "f"), ("q", "k"),
    ("aa", "a"), ("ii", "i"), ("uu", "u"), ("ee", "e"),
    ("bb", "b"), ("dd", "d"), ("ff", "f"), ("gg", "g"), ("hh", "h"), ("kk", "k"), ("ll", "l"),
    ("mm", "m"), ("nn", "n"), ("pp", "p"), ("rr", "r"), ("ss", "s"), ("tt", "t"),
]

# A typed word matches a word of the name at this trigram word similarity (PostgreSQL only).
WORD_SIMILARITY = 0.5

RANK = "search_rank"  # the annotation search_clients adds; higher is a better match


def phonetic_fold(value: str) -> str:
    """'muhammad rizky' -> 'muhamad riski'. ``PhoneticFold`` does the same in SQL."""
    for old, new in PHONETIC_FOLDS:
        value = value.replace(old, new)
    return value


class PhoneticFold(Func):
    """A name column with PHONETIC_FOLDS applied in SQL: ``clients_phonetic_fold(column)``.

    On PostgreSQL the function is created by migration clients 0004 (immutable, so the GIN
    trigram index on ``clients_phonetic_fold(search_name)`` serves ``LIKE '%word%'``). SQLite's
    parser overflows on that many nested ``REPLACE`` calls inside a list query, so there
    ``phonetic_fold`` itself is registered as an SQL function on the connection just before the
    query runs (registering is idempotent). ``as_nested_replace`` gives the plain-SQL form.
    """

    function = "clients_phonetic_fold"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        connection.ensure_connection()
        connection.connection.create_function(
            self.function, 1, _fold_or_none, deterministic=True
        )
        return super().as_sql(compiler, connection, **extra)

    def as_nested_replace(self, compiler, connection, **extra):
        expression = self.get_source_expressions()[0]
        for old, new in PHONETIC_FOLDS:
            expression = Replace(expression, Value(old), Value(new))
        return compiler.compile(expression)

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, **extra)

    as_sql = as_nested_replace  # other databases


def _fold_or_none(value: str | None) -> str | None:
    return None if value is None else phonetic_fold(value)


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


THRESHOLD_SQL = f"SET pg_trgm.word_similarity_threshold = {WORD_SIMILARITY:.2f}"


@receiver(connection_created)
def _set_word_similarity_threshold(sender, connection, **kwargs) -> None:
    """``word <% name`` holds at WORD_SIMILARITY, not at pg_trgm's default of 0.6."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(THRESHOLD_SQL)
        connection._bapas_word_similarity = connection.connection


def _ensure_word_similarity_threshold() -> None:
    """For a connection opened before this module was imported (once per connection)."""
    if getattr(connection, "_bapas_word_similarity", None) is not connection.connection:
        connection.ensure_connection()
        if getattr(connection, "_bapas_word_similarity", None) is not connection.connection:
            _set_word_similarity_threshold(None, connection)


def search_clients(queryset: QuerySet, term: str, *, client_path: str = "") -> QuerySet:
    """Rows of ``queryset`` whose client matches ``term``, annotated with ``search_rank``.

    ``queryset`` holds clients, or rows that point at one: pass ``client_path="client__"`` for
    supervision orders, ``"order__client__"`` for contacts. An empty term returns every row.
    """
    term = (term or "").strip()
    if not term:
        return queryset.annotate(**{RANK: Value(1.0, output_field=FloatField())})
    p = client_path
    exact = Q(**{f"{p}register_number__iexact": term})
    digits = clean_nik(term)
    if re.fullmatch(r"\d{16}", digits):
        exact |= Q(**{f"{p}nik": digits})
    condition = exact
    if re.search(r"\d", term) and len(term) >= 3:
        # Register numbers are typed in part ("0012/2025"); names have no digits.
        condition |= Q(**{f"{p}register_number__icontains": term})

    tokens = normalise_name(term).split()
    rank = Value(1.0, output_field=FloatField())
    if tokens and not re.search(r"\d", term):
        queryset = queryset.alias(_folded_name=PhoneticFold(f"{p}search_name"))
        name_condition = Q()
        if is_postgresql():
            from django.contrib.postgres.lookups import TrigramWordSimilar
            from django.contrib.postgres.search import TrigramSimilarity

            _ensure_word_similarity_threshold()
            for token in tokens:
                # search_name %> 'token', i.e. word_similarity(token, name) >= WORD_SIMILARITY
                name_condition &= Q(_folded_name__contains=phonetic_fold(token)) | Q(
                    TrigramWordSimilar(F(f"{p}search_name"), Value(token))
                )
            rank = TrigramSimilarity(f"{p}search_name", Value(" ".join(tokens)))
        else:
            for token in tokens:
                name_condition &= Q(_folded_name__contains=phonetic_fold(token))
        condition |= name_condition
    # An exact NIK or register number outranks any name likeness.
    rank = Case(When(exact, then=Value(2.0)), default=rank, output_field=FloatField())
    return queryset.filter(condition).annotate(**{RANK: rank})
