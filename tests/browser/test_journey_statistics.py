"""The statistics page in the browser: the office opens it and every figure with numbers has its
chart drawn by ECharts (served from /static/vendor/echarts/, under the page's CSP)."""

import pytest

from certification.models import Role

from .. import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_officer_sees_the_charts_drawn_beside_their_tables(cast, visitor, album):
    assessor = factories.user("assessor2", Role.ASSESSOR)
    for to in ["submitted", "trained", "passed"]:
        enrolment = factories.draft_enrolment(cast["staff"], batch_obj=cast["batch"])
        factories.advance(enrolment, staff=cast["staff"], officer=cast["officer"], to=to, assessor=assessor)
    officer = visitor("officer")
    officer.log_in("officer")

    page = officer.open("/officer/statistics/")
    page.wait_for_selector("[data-chart='funnel'] svg")
    officer.shoot("statistics")

    containers = page.locator(".chart[data-chart]")
    assert containers.count() >= 5
    for index in range(containers.count()):
        container = containers.nth(index)
        key = container.get_attribute("data-chart")
        assert container.locator("svg, canvas").count() >= 1, f"no chart drawn for {key}"
        assert page.locator(f"table[data-figure='{key}'] tbody tr").count() >= 1
    assert page.locator("nav.mainnav a[aria-current='page']").get_attribute("href") == "/officer/statistics/"
    assert not album.errors, album.errors
