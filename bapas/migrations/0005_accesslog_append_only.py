"""On PostgreSQL the database itself refuses UPDATE and DELETE of access-log rows.

The application already refuses them (AccessLog.save/delete and its queryset), but a breach
report (UU PDP, 3x24 hours) must be able to rely on the log even if application code, a shell
session or an SQL console tries to change it. A BEFORE UPDATE OR DELETE row trigger raises an
error for every role that uses the table normally. TRUNCATE stays possible (row triggers do not
fire on it): ``restore --force`` and the test suite's flushes empty whole tables on purpose.

Nothing happens on SQLite (the development default): there is no separate database role to
protect against there.
"""

from django.db import migrations

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION bapas_accesslog_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'bapas_accesslog is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege',
        HINT = 'Access-log rows are evidence for breach reports; they are never changed.';
END;
$$ LANGUAGE plpgsql;
"""

DROP_TRIGGER_SQL = "DROP TRIGGER IF EXISTS bapas_accesslog_append_only ON bapas_accesslog"

TRIGGER_SQL = """
CREATE TRIGGER bapas_accesslog_append_only
    BEFORE UPDATE OR DELETE ON bapas_accesslog
    FOR EACH ROW EXECUTE FUNCTION bapas_accesslog_refuse_change()
"""

DROP_FUNCTION_SQL = "DROP FUNCTION IF EXISTS bapas_accesslog_refuse_change()"


def protect(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # One statement per call: the driver does not take several in one string with parameters.
    schema_editor.execute(FUNCTION_SQL)
    schema_editor.execute(DROP_TRIGGER_SQL)
    schema_editor.execute(TRIGGER_SQL)


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP_TRIGGER_SQL)
    schema_editor.execute(DROP_FUNCTION_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("bapas", "0004_imports"),
    ]

    operations = [
        migrations.RunPython(protect, unprotect, elidable=False),
    ]
