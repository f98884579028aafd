"""Configurable limits of the Excel exchange (docs/spec.md §7): EXCHANGE_* in config/settings.py, where
each is read from the environment with its default."""

from django.conf import settings


def get(name: str) -> int:
    return getattr(settings, name)


def max_rows() -> int:
    return get("EXCHANGE_MAX_ROWS")


# Row 1 holds the headers, row 2 the template's keys: the data starts on row 3.
HEADER_ROWS = 2


def last_row() -> int:
    """The last row number an upload may use: the row limit under the header rows. A row or merged
    range numbered beyond it is refused before anything else is read (a 2 KB file may name row
    900,000,000)."""
    return max_rows() + HEADER_ROWS


def max_file_bytes() -> int:
    return get("EXCHANGE_MAX_FILE_BYTES")
