"""Inserting many new rows of one model in one statement, for imports of thousands of rows.

What `QuerySet.bulk_create` does, minus the per-value work of its SQL compiler (most of its time
for 500 rows of a dozen columns): multi-row INSERTs of as many rows as the database takes
parameters, their text made by repeating one row's placeholders; on PostgreSQL a COPY. Values are prepared by the fields
themselves (`pre_save`, `get_db_prep_save`), as bulk_create prepares them, so defaults, auto_now
and type adaptation are the same; a value that already is what its column stores (text for a text
column, an integer for an integer column) goes as it is, which is what preparing it would give.
It does not return primary keys: the caller reads them back by a natural key. No signals are sent
(bulk_create sends none either).
"""

from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router
from django.utils import timezone

_NOTHING = object()

# Python types stored unchanged by these fields (their get_db_prep_save returns such a value as it is).
_STORED_AS_IS = {
    "CharField": str,
    "TextField": str,
    "SlugField": str,
    "EmailField": str,
    "URLField": str,
    "IntegerField": int,
    "SmallIntegerField": int,
    "BigIntegerField": int,
    "PositiveIntegerField": int,
    "PositiveSmallIntegerField": int,
    "PositiveBigIntegerField": int,
    "BooleanField": bool,
    "ForeignKey": int,
    "OneToOneField": int,
}


def insert_many(model: type[models.Model], objs: Sequence[models.Model], *, with_primary_key: bool = False) -> None:
    """INSERT every object (their primary keys stay unset); IntegrityError as the database raises it.
    `with_primary_key`: the objects carry primary keys that the caller reserved, and they are written."""
    if not objs:
        return
    database = router.db_for_write(model)
    connection = connections[database]
    fields = [
        field
        for field in model._meta.concrete_fields
        if (with_primary_key or not field.primary_key) and not field.generated
    ]
    quote = connection.ops.quote_name
    # Concrete fields are those with a column; the stubs type every field's column as optional.
    columns: list[str] = [f.column for f in fields]  # type: ignore[misc]
    target = f"{quote(model._meta.db_table)} ({', '.join(quote(column) for column in columns)})"
    # Rows inserted together are stamped together: one "now" for every auto_now(_add) field.
    now = timezone.now()
    stamped = {
        field.attname for field in fields if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    }
    prepared = [(field, field.attname in stamped, _STORED_AS_IS.get(field.get_internal_type())) for field in fields]
    rows: list[list[Any]] = []
    last: list[tuple[Any, Any]] = [(_NOTHING, None)] * len(fields)  # each column's last value and its prepared form
    for obj in objs:
        row: list[Any] = []
        for index, (field, is_stamped, as_is) in enumerate(prepared):
            if is_stamped:
                setattr(obj, field.attname, now if isinstance(field, models.DateTimeField) else timezone.localdate(now))
            value = field.pre_save(obj, True) if not is_stamped else getattr(obj, field.attname)
            if value is None or type(value) is as_is:
                row.append(value)
            elif value is last[index][0]:
                row.append(last[index][1])  # the same object as the row before's (a shared timestamp)
            else:
                ready = field.get_db_prep_save(value, connection)
                last[index] = (value, ready)
                row.append(ready)
        rows.append(row)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: psycopg would otherwise scan a long INSERT's text once for every placeholder.
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {target} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            # As many rows per statement as the database takes parameters (SQLite: 999), at most 1,000.
            per_statement = max(1, min(1000, (connection.features.max_query_params or 65535) // len(fields)))
            row_placeholder = f"({', '.join(['%s'] * len(fields))})"
            for start in range(0, len(rows), per_statement):
                batch = rows[start : start + per_statement]
                cursor.execute(
                    f"INSERT INTO {target} VALUES " + ", ".join([row_placeholder] * len(batch)),
                    [value for row in batch for value in row],
                )
    generated = [field.attname for field in model._meta.concrete_fields if field.generated]
    for obj in objs:
        obj._state.adding = False
        obj._state.db = database
        # The database computed these: read on first use (deferred), as Model.save leaves them.
        for attname in generated:
            obj.__dict__.pop(attname, None)
