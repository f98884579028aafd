"""A list's controls in the browser (core.lists): on a phone the filters fold into a <details> that
opens on demand, on a laptop they are open; headings sort, and say so (aria-sort); no sideways scroll."""

import pytest

from .. import factories
from .browsing import PASSWORD, TIMEOUT_MS

# As the other browser modules: the flush after each test leaves the database for the next module's
# serialized rollback to refill (a plain transactional test re-creates content types, and the next
# module's refill then collides with them).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE, LAPTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 768}


@pytest.fixture
def listed(transactional_db, inst1_staff):
    batch = factories.batch(inst1_staff.institution)
    for name in ("赵一", "钱二", "孙三"):
        factories.draft_enrolment(
            inst1_staff, trainee_obj=factories.trainee(inst1_staff.institution, name=name), batch_obj=batch
        )
    return inst1_staff


def test_the_filters_fold_on_a_phone_and_the_headings_sort(browser, live_server, listed):
    context = browser.new_context(locale="en", viewport=PHONE)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", listed.username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("main form.form button[type=submit]")

        page.goto(live_server.url + "/enrolments/")
        details, summary = page.locator("details.list-filters"), page.locator("details.list-filters > summary")
        assert summary.is_visible() and not page.locator("#id_last_four").is_visible()
        summary.click()
        assert page.locator("#id_last_four").is_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

        page.set_viewport_size(LAPTOP)
        page.goto(live_server.url + "/enrolments/")
        assert details.evaluate("d => d.open") and not summary.is_visible()
        with page.expect_navigation():
            page.click("th a.sort >> text=Trainee")
        heading = page.locator("th[aria-sort=ascending]")
        assert heading.count() == 1 and "Trainee" in heading.inner_text()
        names = page.locator("tbody tr td:first-child a").all_inner_texts()
        assert names == sorted(names)
    finally:
        context.close()
