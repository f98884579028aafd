"""What raw SQL needs from the models."""

from django.db import connection


def quoted_table(model) -> str:
    """The model's table name, quoted for the default database, to write into raw SQL."""
    return connection.ops.quote_name(model._meta.db_table)
