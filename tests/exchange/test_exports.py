"""Exports: rosters, results and statistics, read back with openpyxl; nothing runs as a formula."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .. import factories

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def download(client, user, name, **params):
    client.force_login(user)
    response = client.get(f"/exchange/exports/{name}.xlsx", params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def cells_of(workbook):
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


@pytest.fixture
def hostile_trainee(inst1_staff, officer):
    """A trainee whose fields look like formulas, approved so that results exist too."""
    trainee = factories.trainee(
        inst1_staff.institution,
        name='=HYPERLINK("http://evil","点我")',
        employer="+cmd|' /C calc'!A0",
        address="@SUM(1+1)",
        phone="-13800000000",
        ethnicity="\t汉族",
    )
    enrolment = factories.draft_enrolment(inst1_staff, "PM", trainee_obj=trainee)
    return factories.advance(enrolment, staff=inst1_staff, officer=officer, to="trained")


@pytest.mark.parametrize("name", ["roster", "results", "statistics"])
def test_no_exported_cell_is_a_formula(client, inst1_staff, hostile_trainee, name):
    workbook = download(client, inst1_staff, name)
    for cell in cells_of(workbook):
        assert cell.data_type != "f"
        if isinstance(cell.value, str):
            assert not cell.value.startswith(FORMULA_STARTS), cell.value


def test_the_roster_has_ids_as_text_and_neutralised_names(client, inst1_staff, hostile_trainee):
    sheet = download(client, inst1_staff, "roster").active
    headers = [c.value for c in sheet[1]]
    row = dict(zip(headers, sheet[2]))
    assert row["ID number"].value == hostile_trainee.trainee.id_number
    assert row["ID number"].data_type == "s" and row["ID number"].number_format == "@"
    assert row["Name"].value == '\'=HYPERLINK("http://evil","点我")'
    assert row["Mobile phone"].value == "'-13800000000"
    assert row["Track"].value == "服装制版"


def test_staff_export_only_their_institution_and_officers_everything(client, inst1_staff, inst2_staff, officer):
    mine = factories.draft_enrolment(inst1_staff, "PM")
    theirs = factories.draft_enrolment(inst2_staff, "CR")
    ids = lambda workbook: {row[3] for row in workbook.active.iter_rows(min_row=2, values_only=True)}  # noqa: E731
    assert ids(download(client, inst1_staff, "roster")) == {mine.trainee.id_number}
    assert ids(download(client, officer, "roster")) == {mine.trainee.id_number, theirs.trainee.id_number}


def test_the_roster_is_filtered_like_the_enrolment_list(client, inst1_staff):
    pm = factories.draft_enrolment(inst1_staff, "PM")
    factories.draft_enrolment(inst1_staff, "NM")
    rows = list(download(client, inst1_staff, "roster", track="PM").active.iter_rows(min_row=2, values_only=True))
    assert [row[3] for row in rows] == [pm.trainee.id_number]


def test_results_show_hours_and_the_latest_attempt(client, inst1_staff, hostile_trainee):
    factories.enter_passing_results(hostile_trainee, inst1_staff)
    sheet = download(client, inst1_staff, "results").active
    headers = [c.value for c in sheet[1]]
    row = dict(zip(headers, next(sheet.iter_rows(min_row=2, values_only=True))))
    assert (row["Theory score"], row["Practical score"], row["Attempt"]) == (75, 82, 1)
    assert "版样制作 60.0" in row["Module hours"]


def test_statistics_count_by_institution_and_track(client, officer, inst1_staff, inst2_staff):
    factories.draft_enrolment(inst1_staff, "PM")
    factories.draft_enrolment(inst1_staff, "PM")
    factories.draft_enrolment(inst2_staff, "NM")
    workbook = download(client, officer, "statistics")
    by_institution = list(workbook.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert sorted((row[0], row[1], row[2]) for row in by_institution) == sorted(
        [(inst1_staff.institution.name, "服装制版", 2), (inst2_staff.institution.name, "新媒体营销", 1)]
    )
    by_track = {row[0]: row[1] for row in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert by_track == {"服装制版": 2, "新媒体营销": 1}


@pytest.mark.parametrize("name", ["roster", "results"])
def test_the_query_count_does_not_grow_with_rows(client, inst1_staff, officer, name):
    first = factories.draft_enrolment(inst1_staff, "PM")
    factories.advance(first, staff=inst1_staff, officer=officer, to="trained")
    client.force_login(inst1_staff)
    with CaptureQueriesContext(connection) as one:
        client.get(f"/exchange/exports/{name}.xlsx")
    for _ in range(4):
        enrolment = factories.draft_enrolment(inst1_staff, "PM")
        factories.advance(enrolment, staff=inst1_staff, officer=officer, to="trained")
    with CaptureQueriesContext(connection) as many:
        client.get(f"/exchange/exports/{name}.xlsx")
    assert len(many) == len(one)


def test_exports_are_refused_to_trainees_and_assessors(client, assessor, trainee_user):
    for user in (assessor, trainee_user):
        client.force_login(user)
        assert client.get("/exchange/exports/roster.xlsx").status_code == 403


def test_an_unknown_export_is_404(client, officer):
    client.force_login(officer)
    assert client.get("/exchange/exports/payroll.xlsx").status_code == 404


def _correct_sample_hours(enrolment, staff, *, reason):
    from certification import registration

    module = enrolment.track.modules.get(code="SAMPLE")
    registration.record_module_completion(
        staff=staff, enrolment_id=enrolment.pk, module_id=module.pk, hours=module.min_hours + 4, reason=reason
    )


def test_the_results_export_has_a_sheet_with_every_change_to_hours_and_scores(client, inst1_staff, hostile_trainee):
    _correct_sample_hours(hostile_trainee, inst1_staff, reason="=签到表漏记")
    factories.enter_passing_results(hostile_trainee, inst1_staff)

    workbook = download(client, inst1_staff, "results")

    assert workbook.sheetnames == ["Results", "Change history"]
    sheet = workbook["Change history"]
    headers = [c.value for c in sheet[1]]
    rows = [dict(zip(headers, row)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    correction = next(row for row in rows if row["Reason"] == "'=签到表漏记")
    assert (correction["Of"], correction["What"], correction["Before"], correction["After"]) == (
        "Sample patterns",
        "hours",
        "60",
        "64",
    )
    assert correction["ID number"] == hostile_trainee.trainee.id_number
    assert correction["Changed by"] == inst1_staff.username
    assert {(row["Of"], row["What"], row["After"]) for row in rows} >= {
        ("Exam, attempt 1", "theory score", "75"),
        ("Exam, attempt 1", "practical score", "82"),
    }


def test_the_change_history_holds_only_the_exported_enrolments(client, inst1_staff, inst2_staff, officer):
    mine = factories.advance(
        factories.draft_enrolment(inst1_staff, "PM"), staff=inst1_staff, officer=officer, to="trained"
    )
    theirs = factories.advance(
        factories.draft_enrolment(inst2_staff, "PM"), staff=inst2_staff, officer=officer, to="trained"
    )
    _correct_sample_hours(theirs, inst2_staff, reason="另一机构")

    sheet = download(client, inst1_staff, "results")["Change history"]

    ids = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert ids == {mine.trainee.id_number}
