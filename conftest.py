"""Which tests this machine can run: markers that depend on the database and on the browser.

- `@pytest.mark.postgres` tests run only when the default database is PostgreSQL
  (`make test-pg`, or DATABASE_URL=postgres://...); on SQLite they are skipped.
- `@pytest.mark.browser` tests always run: setup installs Debian's chromium, and a browser test that
  silently skipped in CI would prove nothing. Set ALLOW_NO_BROWSER=1 to skip them on a machine
  without /usr/bin/chromium.
- `make test` runs the suite on SQLite, then on PostgreSQL. A test that touches no database, and
  a `@pytest.mark.layout` test (how pages look and read in the browser: width, accessibility, which
  no database changes), comes out the same on both, so the second run leaves it out:
  scripts/test.sh sets TESTS_RAN_WITHOUT_DATABASE_ON to the first run's database, and this hook
  deselects those tests and says how many. `make test-pg` alone runs them all.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# pytest-django's fixtures that open the test database (django_db_blocker is in every test's closure:
# pytest-django's own autouse fixtures ask for it); a test asking for none of these cannot reach it.
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server"}


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

    if os.environ.get("TESTS_RAN_WITHOUT_DATABASE_ON"):
        items[:] = _leave_out_what_ran_already(config, items)

    for item in items:
        if skip_postgres and item.get_closest_marker("postgres"):
            item.add_marker(skip_postgres)
        if skip_browser and item.get_closest_marker("browser"):
            item.add_marker(skip_browser)


def _same_on_every_database(item) -> bool:
    if item.get_closest_marker("postgres"):
        return False
    if item.get_closest_marker("layout"):
        return True
    uses_database = item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    return not uses_database


def _leave_out_what_ran_already(config, items):
    kept, left_out = [], []
    for item in items:
        (left_out if _same_on_every_database(item) else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"{len(left_out)} tests that touch no database or check only layout ran on "
                f"{os.environ['TESTS_RAN_WITHOUT_DATABASE_ON']} already: left out of this run."
            )
    return kept
