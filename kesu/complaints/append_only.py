"""The database trigger that refuses to change a timeline event once written.

SQLite drops a table's triggers when a migration rebuilds the table, so every migration that
alters `complaints_complaintevent` ends with `install` again (tests/test_timeline.py checks).
"""

SQLITE_UP = """
CREATE TRIGGER IF NOT EXISTS complaintevent_append_only
BEFORE UPDATE ON complaints_complaintevent
BEGIN SELECT RAISE(ABORT, 'timeline events are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS complaintevent_append_only;"
POSTGRES_UP = """
CREATE OR REPLACE FUNCTION kesu_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'timeline events are append-only'; END; $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS complaintevent_append_only ON complaints_complaintevent;
CREATE TRIGGER complaintevent_append_only BEFORE UPDATE ON complaints_complaintevent
FOR EACH ROW EXECUTE FUNCTION kesu_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS complaintevent_append_only ON complaints_complaintevent;
DROP FUNCTION IF EXISTS kesu_append_only();
"""


def install(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)


def uninstall(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
