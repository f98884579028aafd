"""Configurable limits of the Excel exchange (SPEC §7): EXCHANGE_* in config/settings.py, where
each is read from the environment with its default."""

from django.conf import settings


def get(name: str) -> int:
    return getattr(settings, name)


def max_rows() -> int:
    return get("EXCHANGE_MAX_ROWS")


def max_file_bytes() -> int:
    return get("EXCHANGE_MAX_FILE_BYTES")
