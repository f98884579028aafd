"""The provincial register export (docs/spec.md §10): one row per certificate in the register's
columns, xlsx and CSV with a BOM, every row checked complete before a file is made; office only."""

import csv
import io
from io import BytesIO

import pytest
from django.utils import translation
from openpyxl import load_workbook

from certificates import services as certificates
from certification.models import AssessmentAttempt, Education, Gender

from .. import factories
from .conftest import ready_enrolments

URL = "/officer/register-export/"
DEFAULT_HEADINGS = [
    "序号", "姓名", "性别", "证件类型", "证件号码", "出生日期", "文化程度", "职业（工种）", "职业方向", "技能等级",
    "理论知识成绩", "操作技能成绩", "考核日期", "证书编号", "发证日期", "评价机构", "培训机构", "证书状态",
]  # fmt: skip


@pytest.fixture
def issued(inst1_staff, inst2_staff, officer, assessor, assessor2, fast_rendering):
    """Two certificates of institution 1 (pattern making), one of institution 2 (new media)."""
    mine = ready_enrolments(inst1_staff, officer, assessor, 2)
    theirs = ready_enrolments(inst2_staff, officer, assessor2, 1, track_code="NM")
    return [certificates.issue_certificate(officer=officer, enrolment_id=e.pk) for e in mine + theirs]


def workbook_rows(response) -> list[list]:
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_office_downloads_one_row_per_certificate_in_the_registers_columns(client, officer, issued):
    client.force_login(officer)

    rows = workbook_rows(client.get(URL, {"format": "xlsx"}))

    assert rows[0] == DEFAULT_HEADINGS
    assert [row[0] for row in rows[1:]] == [1, 2, 3]
    by_number = {row[13]: dict(zip(DEFAULT_HEADINGS, row, strict=True)) for row in rows[1:]}
    assert set(by_number) == {c.number for c in issued}
    first = issued[0]
    trainee = first.enrolment.trainee
    row = by_number[first.number]
    assert (row["姓名"], row["证件号码"], row["职业方向"], row["培训机构"]) == (
        trainee.name,
        trainee.id_number,
        first.direction,
        first.institution_name,
    )
    assert (row["理论知识成绩"], row["操作技能成绩"]) == (75, 82)
    assert row["出生日期"].date() == trainee.birth_date and row["发证日期"].date() == first.issue_date
    with translation.override("zh-hans"):  # the register is the province's Chinese document
        assert row["性别"] == str(Gender(trainee.gender).label)
        assert row["文化程度"] == str(Education(trainee.education).label)
    assert all(value not in (None, "") for value in row.values())


def test_the_csv_has_a_bom_and_the_same_rows_as_the_xlsx(client, officer, issued):
    client.force_login(officer)

    raw = b"".join(client.get(URL, {"format": "csv"}).streaming_content)
    xlsx = workbook_rows(client.get(URL, {"format": "xlsx"}))

    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == DEFAULT_HEADINGS
    assert len(rows) == len(xlsx) == 4
    assert [row[13] for row in rows[1:]] == [row[13] for row in xlsx[1:]]
    assert [row[4] for row in rows[1:]] == [row[4] for row in xlsx[1:]]


def test_the_period_and_the_institution_select_the_certificates(client, officer, inst2, issued):
    client.force_login(officer)
    today = issued[0].issue_date.isoformat()

    theirs = workbook_rows(client.get(URL, {"format": "xlsx", "institution": inst2.pk}))
    before = workbook_rows(client.get(URL, {"format": "xlsx", "date_to": "2000-01-01"}))
    within = workbook_rows(client.get(URL, {"format": "xlsx", "date_from": today, "date_to": today}))

    assert [row[13] for row in theirs[1:]] == [issued[2].number]
    assert before == [DEFAULT_HEADINGS]
    assert len(within) == 4


def test_the_office_renames_and_reorders_columns_in_the_setting(client, officer, issued, settings):
    settings.REGISTER_EXPORT_COLUMNS = [["certificate_number", "证书号"], "name", ["seq"]]
    client.force_login(officer)

    rows = workbook_rows(client.get(URL, {"format": "xlsx"}))

    assert rows[0] == ["证书号", "姓名", "序号"]
    assert rows[1] == [issued[0].number, issued[0].holder_name, 1]


def test_an_unknown_column_in_the_setting_fails_the_system_check(settings):
    from reports.checks import check_register_columns

    settings.REGISTER_EXPORT_COLUMNS = ["name", "salary"]

    assert [error.id for error in check_register_columns()] == ["reports.E001"]


def test_an_incomplete_row_stops_the_export_with_the_rows_listed(client, officer, issued):
    AssessmentAttempt.objects.filter(enrolment=issued[1].enrolment).update(theory_score=None)
    client.force_login(officer)

    response = client.get(URL, {"format": "xlsx"})
    csv_response = client.get(URL, {"format": "csv"})

    assert response.status_code == csv_response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert 'id="register-incomplete"' in page
    assert issued[1].number in page and "理论知识成绩" in page
    assert issued[0].number not in page


def test_text_that_looks_like_a_formula_is_written_as_text(client, inst1_staff, officer, assessor, fast_rendering):
    trainee = factories.trainee(inst1_staff.institution, name="=HYPERLINK(1)")
    enrolment = factories.advance(
        factories.draft_enrolment(inst1_staff, trainee_obj=trainee),
        staff=inst1_staff,
        officer=officer,
        assessor=assessor,
        to="ready_to_issue",
    )
    certificates.issue_certificate(officer=officer, enrolment_id=enrolment.pk)
    client.force_login(officer)

    rows = workbook_rows(client.get(URL, {"format": "xlsx"}))
    raw = b"".join(client.get(URL, {"format": "csv"}).streaming_content).decode("utf-8-sig")

    assert rows[1][1] == "'=HYPERLINK(1)"
    assert "'=HYPERLINK(1)" in raw and ",=HYPERLINK" not in raw


def test_the_form_page_lists_the_columns(client, officer):
    client.force_login(officer)

    response = client.get(URL)

    assert response.status_code == 200
    assert all(heading in response.content.decode() for heading in DEFAULT_HEADINGS)


def test_anonymous_visitors_go_to_the_login_page(client, db):
    response = client.get(URL, {"format": "xlsx"})

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["inst1_staff", "assessor", "trainee_user"])
def test_only_the_office_may_export_the_register(client, request, who, issued):
    client.force_login(request.getfixturevalue(who))

    assert client.get(URL, {"format": "xlsx"}).status_code == 403
    assert client.get(URL, {"format": "csv", "institution": request.getfixturevalue("inst1").pk}).status_code == 403
