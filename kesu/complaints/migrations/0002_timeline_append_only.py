"""The database itself refuses to change a timeline event once written."""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER complaintevent_append_only BEFORE UPDATE ON complaints_complaintevent
BEGIN SELECT RAISE(ABORT, 'timeline events are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS complaintevent_append_only;"
POSTGRES_UP = """
CREATE FUNCTION kesu_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'timeline events are append-only'; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER complaintevent_append_only BEFORE UPDATE ON complaints_complaintevent
FOR EACH ROW EXECUTE FUNCTION kesu_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS complaintevent_append_only ON complaints_complaintevent;
DROP FUNCTION IF EXISTS kesu_append_only();
"""


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
