"""Browser journeys: Debian's chromium driven by Playwright (sync API) against pytest-django's live_server.

Each journey opens one browser context per person (their own cookies), renders in the default
language (the context asks for zh-CN, as the office's users do), selects elements by id, name, CSS
class and data attributes rather than by translated text, and saves a screenshot per step under
the test's tmp_path.
"""

import pytest
from django.utils import timezone

from certification.models import Role

from .. import factories
from .browsing import Album, Visitor

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    """Chromium for the tests of one module. Not for the session: Playwright's event loop runs in this
    thread while it is open, and later tests that call asyncio.run (PDF signing) would fail."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    thread_connections = {alias: connections[alias] for alias in connections}
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        # The loop makes Django see an async context; the tests' own ORM calls (building the data,
        # checking the database) are still plain synchronous code.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        # With Playwright's event loop running in this thread, Django keeps connections per context
        # (asgiref.local.Local) and would open new ones. Hand the context the thread's own: the ORM
        # calls of the tests, the live server and serialized_rollback then share one test database
        # connection, as they do everywhere else in the suite.
        for alias, connection in thread_connections.items():
            connections[alias] = connection
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def album(tmp_path):
    return Album(tmp_path)


@pytest.fixture
def visitor(browser, live_server, album):
    """visitor("officer") → a fresh browser context for that person; all are closed after the test."""
    contexts = []

    def make(who: str) -> Visitor:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        return Visitor(context, live_server.url, album, who)

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def cast(transactional_db):
    """The people of the journeys and institution 1's pattern-making batch, starting today."""
    inst1 = factories.institution("杭州时尚职业培训学校")
    return {
        "inst1": inst1,
        "staff": factories.user("inst1", Role.INSTITUTION, institution=inst1),
        "officer": factories.user("officer", Role.OFFICER),
        "assessor": factories.user("assessor1", Role.ASSESSOR),
        "batch": factories.batch(inst1, "PM", start=timezone.localdate()),
    }
