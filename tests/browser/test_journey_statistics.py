"""The statistics page in the browser: the office opens it and every figure with numbers has its
chart drawn by ECharts (served from /static/vendor/echarts/, under the page's CSP)."""

import re
import subprocess

import pytest

from certification.models import Role, StateLog

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

    # One click: the programme report of the same selection, as a PDF that states the headline.
    with page.expect_download() as download:
        page.click("[data-report]")
    pdf = download.value.path().read_bytes()
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    trained = StateLog.objects.filter(transition="complete_training").count()
    assert f"累计为{trained}名相关人员提供职业技能培训" in re.sub(r"\s+", "", text)
    assert not album.errors, album.errors
