"""Which tests this machine can run: markers that depend on the database and on the browser.

- `@pytest.mark.postgres` tests run only when the default database is PostgreSQL
  (`make test-pg`, or DATABASE_URL=postgres://...); on SQLite they are skipped.
- `@pytest.mark.browser` tests always run: setup installs Debian's chromium, and a browser test that
  silently skipped in CI would prove nothing. Set ALLOW_NO_BROWSER=1 to skip them on a machine
  without /usr/bin/chromium.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def _default_database_is_postgresql() -> bool:
    from django.conf import settings

    return "postgresql" in settings.DATABASES["default"]["ENGINE"]


def pytest_collection_modifyitems(config, items):
    skip_postgres = None
    if not _default_database_is_postgresql():
        skip_postgres = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://... (make test-pg)")

    skip_browser = None
    if os.environ.get("ALLOW_NO_BROWSER") == "1" and not CHROMIUM.exists():
        skip_browser = pytest.mark.skip(reason=f"{CHROMIUM} is missing and ALLOW_NO_BROWSER=1")

    for item in items:
        if skip_postgres and item.get_closest_marker("postgres"):
            item.add_marker(skip_postgres)
        if skip_browser and item.get_closest_marker("browser"):
            item.add_marker(skip_browser)
