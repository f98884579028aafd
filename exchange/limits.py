"""Configurable limits of the Excel exchange (SPEC §7): each may be set in settings, else the default.

The defaults are ten times what common credential platforms accept (SPEC §7).
"""

from django.conf import settings

MB = 1024 * 1024

DEFAULTS = {
    # Data rows in one uploaded workbook.
    "EXCHANGE_MAX_ROWS": 50_000,
    # Bytes of one uploaded workbook, as received.
    "EXCHANGE_MAX_FILE_BYTES": 20 * MB,
    # An archive's parts are refused when they unpack to more than this in total...
    "EXCHANGE_MAX_UNPACKED_BYTES": 1024 * MB,
    # ...or when one part is this many times larger than its compressed size (a zip bomb). Real
    # spreadsheets compress 5 to 30 times; a bomb a thousand times.
    "EXCHANGE_MAX_COMPRESSION_RATIO": 100,
    # The parts openpyxl reads whole into memory (shared strings, styles): bounded separately,
    # because the worksheet itself is streamed.
    "EXCHANGE_MAX_WHOLE_PART_BYTES": 100 * MB,
    "EXCHANGE_MAX_ARCHIVE_MEMBERS": 1000,
    # Photos in bulk: one zip of JPEG/PNG files named by ID number.
    "EXCHANGE_PHOTO_ZIP_MAX_BYTES": 100 * MB,
    "EXCHANGE_PHOTO_ZIP_MAX_FILES": 5000,
}


def get(name: str) -> int:
    return getattr(settings, name, DEFAULTS[name])


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
