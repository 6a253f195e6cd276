"""Append-only tables: a record once written is never changed or deleted.

Three guards, each for one way in: `AppendOnlyModel.save`/`delete` refuse on an instance, the
`AppendOnlyQuerySet` refuses bulk `update`/`delete`, and a database trigger (`Trigger`) refuses
an UPDATE from anywhere, raw SQL included. Deletion is refused by the ORM guards and by the
foreign keys that protect what rows point at, not by a trigger: a test database is emptied
between tests with DELETE on SQLite. The complaints' timeline is the first such table;
every capability's own events (the reports', the statistics') are others.

SQLite drops a table's triggers when a migration rebuilds the table: a migration that alters
an append-only table ends with the trigger's `install` again.
"""

from dataclasses import dataclass

from django.db import models

# One PostgreSQL function serves every table's trigger.
_POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION kesu_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'timeline events are append-only'; END; $$ LANGUAGE plpgsql;
"""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("timeline events are append-only")

    def delete(self):
        raise TypeError("timeline events are append-only")


class AppendOnlyModel(models.Model):
    """A model whose rows are only ever added."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("timeline events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("timeline events are append-only")


@dataclass(frozen=True)
class Trigger:
    """The database trigger refusing UPDATE on `table`; `install` and `uninstall` are a
    migration's RunPython pair: `migrations.RunPython(trigger.install, trigger.uninstall)`."""

    table: str
    name: str

    def install(self, apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {self.name} BEFORE UPDATE ON {self.table} "
                "BEGIN SELECT RAISE(ABORT, 'timeline events are append-only'); END;"
            )
        elif vendor == "postgresql":
            schema_editor.execute(_POSTGRES_FUNCTION)
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {self.name} ON {self.table};")
            schema_editor.execute(
                f"CREATE TRIGGER {self.name} BEFORE UPDATE ON {self.table} "
                "FOR EACH ROW EXECUTE FUNCTION kesu_append_only();"
            )

    def uninstall(self, apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {self.name};")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {self.name} ON {self.table};")
