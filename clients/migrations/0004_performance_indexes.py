"""Indexes for national-scale data (issue 9, docs/performance.md).

- ``(office, full_name)``: office lists sorted by name read the office's clients in order and
  stop after the page, instead of sorting every client of the office.
- On PostgreSQL, ``clients_phonetic_fold(text)``: the folds of ``clients.search.PHONETIC_FOLDS``
  as an immutable SQL function, and a GIN trigram index on ``clients_phonetic_fold(search_name)``,
  so a misspelled name search across every office uses indexes (with the trigram index of
  0003 on ``search_name`` for the word-similarity test) instead of folding every row; and an
  index on ``upper(register_number)`` for the exact register-number test OR-ed with it.
  ``clients.search.PhoneticFold`` emits the same function, so the expression matches the index.
  If PHONETIC_FOLDS changes, a new migration must replace the function and rebuild the index.
"""

from django.db import migrations, models

# A frozen copy of clients.search.PHONETIC_FOLDS as of this migration, in order.
FOLDS = [
    ("kh", "h"), ("ch", "h"), ("dh", "d"), ("th", "t"), ("sy", "s"), ("sh", "s"), ("ph", "f"),
    ("z", "s"), ("y", "i"), ("v", "f"), ("q", "k"),
    ("aa", "a"), ("ii", "i"), ("uu", "u"), ("ee", "e"),
    ("bb", "b"), ("dd", "d"), ("ff", "f"), ("gg", "g"), ("hh", "h"), ("kk", "k"), ("ll", "l"),
    ("mm", "m"), ("nn", "n"), ("pp", "p"), ("rr", "r"), ("ss", "s"), ("tt", "t"),
]


def fold_sql() -> str:
    expression = "$1"
    for old, new in FOLDS:
        expression = f"replace({expression}, '{old}', '{new}')"
    return expression


FORWARD = [
    "CREATE OR REPLACE FUNCTION clients_phonetic_fold(text) RETURNS text "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
    f"AS $$ SELECT {fold_sql()} $$",
    "CREATE INDEX IF NOT EXISTS clients_client_folded_name_trgm ON clients_client "
    "USING gin (clients_phonetic_fold(search_name) gin_trgm_ops)",
    # The search's exact register-number test (iexact) is OR-ed with the name test: without an
    # index of its own the whole condition falls back to reading every client.
    "CREATE INDEX IF NOT EXISTS clients_client_register_number_upper ON clients_client "
    "(upper(register_number::text))",
]
BACKWARD = [
    "DROP INDEX IF EXISTS clients_client_register_number_upper",
    "DROP INDEX IF EXISTS clients_client_folded_name_trgm",
    "DROP FUNCTION IF EXISTS clients_phonetic_fold(text)",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("clients", "0003_search_trigram")]

    operations = [
        migrations.AddIndex(
            model_name="client",
            index=models.Index(fields=["office", "full_name"], name="clients_cli_office__d0c46a_idx"),
        ),
        migrations.RunPython(forward, backward),
    ]
