"""The programme report's PDF (docs/spec.md §10): its headline and tables agree with the statistics
page, its xlsx and the rows themselves; an institution's staff get their own institution's report."""

import re
import subprocess
from io import BytesIO

import pytest
from openpyxl import load_workbook

from certificates import services as certificates
from certification.models import StateLog, Track

from .. import factories
from ..workflows.test_statistics_page import tables

OFFICER_REPORT = "/officer/statistics/report.pdf"
INSTITUTION_REPORT = "/institution/statistics/report.pdf"


def pdf_text(response) -> str:
    """The PDF's text, read back by poppler's pdftotext, without the line breaks of its layout."""
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True).stdout
    return re.sub(r"\s+", "", text.decode())


def headline(text: str) -> tuple[int, dict[str, int]]:
    match = re.search(r"累计为(\d+)名相关人员提供职业技能培训(?:，其中(.*?))?。", text)
    assert match, text[:400]
    parts = {name: int(n) for name, n in re.findall(r"([^、\d]+?)(\d+)人", match.group(2) or "")}
    return int(match.group(1)), parts


@pytest.fixture
def programme(inst1_staff, inst2_staff, officer, assessor, assessor2, fast_rendering):
    """Institution 1: two pattern-making candidates trained, one certified. Institution 2: three
    garment-craft candidates trained."""
    for to in ["trained", "trained"]:
        factories.advance(factories.draft_enrolment(inst1_staff, "PM"), staff=inst1_staff, officer=officer, to=to)
    ready = factories.advance(
        factories.draft_enrolment(inst1_staff, "PM"),
        staff=inst1_staff,
        officer=officer,
        assessor=assessor,
        to="ready_to_issue",
    )
    certificates.issue_certificate(officer=officer, enrolment_id=ready.pk)
    for _ in range(3):
        factories.advance(
            factories.draft_enrolment(inst2_staff, "CR"), staff=inst2_staff, officer=officer, to="trained"
        )


def trained_by_track_from_the_rows(**filters) -> dict[str, int]:
    """Counted independently: the training completions in the state log, by track's Chinese name."""
    counts = {}
    for track in Track.objects.all():
        n = StateLog.objects.filter(transition="complete_training", enrolment__track=track, **filters).count()
        if n:
            counts[track.name_zh] = n
    return counts


def test_the_headline_states_the_trained_in_the_districts_words_and_agrees_with_page_and_xlsx(
    client, officer, programme
):
    client.force_login(officer)

    text = pdf_text(client.get(OFFICER_REPORT))
    page = tables(client.get("/officer/statistics/"))
    workbook = load_workbook(
        BytesIO(b"".join(client.get("/officer/statistics/trained_monthly.xlsx").streaming_content))
    )

    total, parts = headline(text)
    expected = trained_by_track_from_the_rows()
    assert parts == expected == {"服装制版": 3, "服装工艺": 3}
    assert total == sum(expected.values()) == 6
    assert sum(row[-1] for row in page["trained_monthly"][1:]) == total
    sheet_rows = list(workbook.worksheets[0].iter_rows(values_only=True))[1:]
    assert sum(row[-1] for row in sheet_rows) == total
    # One certificate, in the sentence after the headline and in the table per institution and track.
    assert "同期共有1人取得职业技能等级证书，其中服装制版1人。" in text
    assert "杭州时尚职业培训学校" in text
    assert "合计" in text and "报名流程漏斗" in text


def test_the_report_follows_the_pages_filters(client, officer, inst2, programme):
    client.force_login(officer)

    text = pdf_text(client.get(OFFICER_REPORT, {"institution": inst2.pk}))

    assert headline(text) == (3, {"服装工艺": 3})
    assert inst2.name in text


def test_institution_staff_get_their_own_institutions_report_only(client, inst1_staff, inst2, programme):
    client.force_login(inst1_staff)

    text = pdf_text(client.get(INSTITUTION_REPORT, {"institution": inst2.pk}))

    own = trained_by_track_from_the_rows(enrolment__batch__institution=inst1_staff.institution)
    assert headline(text) == (sum(own.values()), own) == (3, {"服装制版": 3})
    assert inst2.name not in text
    assert inst1_staff.institution.name in text


@pytest.mark.parametrize("path", [OFFICER_REPORT, INSTITUTION_REPORT])
def test_anonymous_visitors_go_to_the_login_page(client, db, path):
    response = client.get(path)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("assessor", OFFICER_REPORT),
        ("assessor", INSTITUTION_REPORT),
        ("inst1_staff", OFFICER_REPORT),
        ("officer", INSTITUTION_REPORT),
    ],
)
def test_the_wrong_role_is_refused(client, request, who, path):
    client.force_login(request.getfixturevalue(who))

    assert client.get(path).status_code == 403
