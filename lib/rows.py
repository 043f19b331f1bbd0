"""Model instances from a fixed SQL statement, for the few queries every member page runs.

`Model.objects.raw()` works out on every query which column feeds which field and which
converters apply (RawQuerySet: about half the time of loading a member's profile and
progress rows, docs/performance.md). Here the statement selects the model's columns in field
order (`columns`), so that work is done once per model and database; columns after them
become attributes by their names, as raw() makes annotations.
"""

import functools

from django.db import connections
from django.db.models import Model


def columns(model: type[Model], alias: str) -> str:
    """The model's concrete columns in field order, as `alias`.column, for a SELECT list."""
    return ", ".join(f'{alias}."{f.column}"' for f in model._meta.concrete_fields)


@functools.cache
def _converters(model: type[Model], database: str) -> list[tuple[int, list, object]]:
    """(position, converters, column expression) of each field whose value the database
    backend converts (e.g. SQLite's dates and time zone aware datetimes)."""
    connection = connections[database]
    found = []
    for position, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(column)
        converters += column.get_db_converters(connection)
        if converters:
            found.append((position, converters, column))
    return found


def _make(model: type[Model], values, converters: list, connection, database: str) -> Model:
    """An instance from its columns' values as the database gave them."""
    values = list(values)
    for position, functions, column in converters:
        for convert in functions:
            values[position] = convert(values[position], column, connection)
    return model.from_db(database, None, values)


def fetch(model: type[Model], sql: str, params: list, database: str = "default") -> list:
    """Instances of `model` from `sql`, which selects `columns(model, ...)` first."""
    connection = connections[database]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    width = len(model._meta.concrete_fields)
    converters = _converters(model, database)
    extra = names[width:]
    found = []
    for row in rows:
        instance = _make(model, row[:width], converters, connection, database)
        for name, value in zip(extra, row[width:], strict=True):
            setattr(instance, name, value)
        found.append(instance)
    return found


def update(model: type[Model], values: dict, where: dict, database: str = "default") -> int:
    """UPDATE the model's rows matching every `where` equality with `values` (field names
    to values, prepared by their fields as the ORM does): how many rows. The statement is
    written here rather than by the query compiler, which took four times longer than the
    database to run it (a progress save, docs/performance.md)."""
    connection = connections[database]
    meta, quote = model._meta, connection.ops.quote_name
    assignments, conditions, params = [], [], []
    for name, value in values.items():
        field = meta.get_field(name)
        assignments.append(f"{quote(field.column)} = %s")
        params.append(field.get_db_prep_save(value, connection))
    for name, value in where.items():
        field = meta.pk if name == "pk" else meta.get_field(name)
        conditions.append(f"{quote(field.column)} = %s")
        params.append(field.get_db_prep_value(value, connection))
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {', '.join(assignments)}"  # noqa: S608  # nosec B608 - the model's names
        f" WHERE {' AND '.join(conditions)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def fetch_joined(models: tuple, sql: str, params: list, database: str = "default") -> list:
    """Rows of several models side by side, from `sql` selecting each model's `columns` in
    turn (a join): a tuple of instances per row, None where an outer join found no row (its
    primary key NULL). A row repeated on the one side of a join is made once and shared.
    Columns after the models' become attributes of the first model's instance."""
    connection = connections[database]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        found = cursor.fetchall()
    segments, start = [], 0
    for model in models:
        fields = model._meta.concrete_fields
        pk_at = start + fields.index(model._meta.pk)
        segments.append((model, start, start + len(fields), pk_at, _converters(model, database)))
        start += len(fields)
    extra = names[start:]  # after the models' columns: attributes of the first one's row
    made: dict = {}
    result = []
    for row in found:
        instances = []
        for model, begin, end, pk_at, converters in segments:
            if row[pk_at] is None:
                instances.append(None)
                continue
            key = (model, row[pk_at])
            if key not in made:
                made[key] = _make(model, row[begin:end], converters, connection, database)
            instances.append(made[key])
        if extra and instances[0] is not None:
            for name, value in zip(extra, row[start:], strict=True):
                setattr(instances[0], name, value)
        result.append(tuple(instances))
    return result
