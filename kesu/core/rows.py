"""Statements compiled once per model for the hot paths: registration's INSERT, the sweep's
UPDATE of a batch.

`Model.objects.create()` compiles its INSERT anew on every call, which for a 50-column
complaint costs more than the database does, and it does so while the write lock is held.
`PreparedInsert` sends the same statement and the same values (each field prepares its own
value exactly as the ORM would) with the SQL built once, and converts the values when it is
made, so a caller can do that before it takes the write lock and `set` only the values it
learns inside (a number, the key of a row inserted just before). Only for models whose
`save()` adds nothing and that have no `auto_now` fields or save signals — the callers say why.
"""

import functools
from collections.abc import Sequence
from typing import Generic, TypeVar

from django.db import connection, models
from django.db.models import ForeignObjectRel

# Field classes whose conversion returns these values unchanged (to_python of a str is the
# str, a bool is itself, and on SQLite an int too; PostgreSQL's adapter wraps an int in its
# column's size, so there ints take the slow path): such a value goes into the statement as it
# is. Anything else (enums of ints, dates, decimals, JSON, our own fields) takes the field's
# own `get_db_prep_save`.
_UNCHANGED: dict[type[models.Field], type] = {
    models.CharField: str,
    models.EmailField: str,
    models.TextField: str,
    models.BooleanField: bool,
    models.IntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.BigAutoField: int,
    models.AutoField: int,
}


# … and classes that keep None as None (a JSONField does not: its None may be JSON null).
_NONE_KEPT = frozenset(_UNCHANGED) | {models.DateTimeField, models.DateField, models.DecimalField}


def _kept_type(field: models.Field, vendor: str) -> type | None:
    """The type of value `field` passes through; NoneType when it only keeps None."""
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    kept = _UNCHANGED.get(type(field))
    if kept is int and vendor != "sqlite":
        kept = None
    if kept is None and type(field) in _NONE_KEPT:
        return type(None)
    return kept


def _column(field: models.Field | ForeignObjectRel) -> str:
    """A stored field's column (the types allow a field without one: those are not stored)."""
    if not isinstance(field, models.Field) or field.column is None:
        raise TypeError(f"{field!r} is not stored in a column")
    return field.column


@functools.cache
def _statement(
    model: type[models.Model], vendor: str
) -> tuple[str, tuple[models.Field, ...], tuple, dict[str, int]]:
    quote = connection.ops.quote_name
    fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key)
    columns = ", ".join(quote(_column(f)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    pk = quote(_column(model._meta.pk))
    table = quote(model._meta.db_table)
    # Names come from the model and are quoted; values are always parameters.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING {pk}"  # noqa: S608
    kept = tuple(_kept_type(f, vendor) for f in fields)
    # a field by its name or its attname (`complaint` and `complaint_id`)
    position = {name: i for i, f in enumerate(fields) for name in {f.name, f.attname}}
    return sql, fields, kept, position


M = TypeVar("M", bound=models.Model)


class PreparedInsert(Generic[M]):
    """The INSERT of `instance` as a new row, its values converted now."""

    def __init__(self, instance: M):
        self.instance = instance
        self.sql, self.fields, self._kept, self._position = _statement(
            type(instance), connection.vendor
        )
        self.params = [self._value(i) for i in range(len(self.fields))]

    def _value(self, i: int):
        field = self.fields[i]
        value = getattr(self.instance, field.attname)
        kept = self._kept[i]
        if kept is not None and (
            value is None or type(value) is kept or (kept is str and isinstance(value, str))
        ):
            return value
        return field.get_db_prep_save(value, connection)

    def set(self, **values: object) -> "PreparedInsert[M]":
        """Set these fields on the instance (by name or attname) and convert them: what the
        caller learns only inside the transaction (a number, the key of a row just inserted)."""
        for name, value in values.items():
            setattr(self.instance, name, value)
            i = self._position[name]
            self.params[i] = self._value(i)
        return self

    def execute(self) -> None:
        """Send the INSERT and set the instance's primary key."""
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params)
            self.instance.pk = cursor.fetchone()[0]
        self.instance._state.adding = False
        self.instance._state.db = connection.alias


def insert_row(instance: models.Model) -> None:
    """INSERT `instance` as a new row and set its primary key."""
    PreparedInsert(instance).execute()


@functools.cache
def _update_statement(model: type[models.Model], names: tuple[str, ...], vendor: str):
    quote = connection.ops.quote_name
    fields = tuple(model._meta.get_field(name) for name in names)
    assignments = ", ".join(f"{quote(_column(f))} = %s" for f in fields)
    table, pk = quote(model._meta.db_table), quote(_column(model._meta.pk))
    return f"UPDATE {table} SET {assignments} WHERE {pk} = %s", fields  # noqa: S608 (our names)


def update_columns(instances: Sequence[models.Model], names: tuple[str, ...]) -> None:
    """Write these columns of each instance as one statement sent for all the rows: psycopg
    pipelines it (a query per row costs a round trip each), SQLite runs it in C. Django's
    `bulk_update` builds a CASE expression per row in Python instead. Like `update()`: no
    save() and no signals."""
    if not instances:
        return
    sql, fields = _update_statement(type(instances[0]), names, connection.vendor)
    rows = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] + [obj.pk]
        for obj in instances
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
