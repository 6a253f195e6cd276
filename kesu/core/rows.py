"""One-row INSERT with a statement compiled once per model: the registration hot path.

`Model.objects.create()` compiles its INSERT anew on every call, which for a 50-column
complaint costs more than the database does, and it does so while the write lock is held.
`insert_row` sends the same statement and the same values (each field prepares its own value
exactly as the ORM would) with the SQL built once. Only for models whose `save()` adds
nothing and that have no `auto_now` fields or save signals — the callers say why.
"""

import functools

from django.db import connection, models


@functools.cache
def _statement(model: type[models.Model], vendor: str) -> tuple[str, tuple[models.Field, ...]]:
    quote = connection.ops.quote_name
    fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key)
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    pk = quote(model._meta.pk.column)
    table = quote(model._meta.db_table)
    # Names come from the model and are quoted; values are always parameters.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING {pk}"  # noqa: S608
    return sql, fields


def insert_row(instance: models.Model) -> None:
    """INSERT `instance` as a new row and set its primary key."""
    sql, fields = _statement(type(instance), connection.vendor)
    params = [f.get_db_prep_save(getattr(instance, f.attname), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        instance.pk = cursor.fetchone()[0]
    instance._state.adding = False
    instance._state.db = connection.alias
