"""The statistics page (docs/spec.md §10): figures counted in the database agree with the rows, the
page and its xlsx show the same numbers, and an institution sees its own figures only."""

import statistics as py_statistics
from datetime import timedelta
from html.parser import HTMLParser
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from certification import services
from certification import statistics as figures_of
from certification.models import Enrolment, StateLog
from workflows.assessment import services as assessment

from .. import factories

OFFICER_PAGE = "/officer/statistics/"
INSTITUTION_PAGE = "/institution/statistics/"


class _Tables(HTMLParser):
    """Each <table data-figure="key"> of a page as rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.key, self.row, self.cell = None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-figure" in attrs:
            self.key = attrs["data-figure"]
            self.tables[self.key] = []
        elif self.key and tag == "tr":
            self.row = []
        elif self.row is not None and tag in ("td", "th"):
            self.cell = ""

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[self.key].append(self.row)
            self.row = None
        elif tag == "table":
            self.key = None


def _number(text: str):
    """A cell as the number it shows (the page prints 0.0 where the workbook stores 0)."""
    try:
        return float(text)
    except ValueError:
        return text


def tables(response) -> dict[str, list[list]]:
    parser = _Tables()
    parser.feed(response.content.decode())
    return {key: [[_number(cell) for cell in row] for row in rows] for key, rows in parser.tables.items()}


def sheets(response) -> dict[str, list[list[str]]]:
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    return {
        sheet.title: [[_number("—" if v is None else str(v)) for v in row] for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }


@pytest.fixture
def programme(inst1_staff, inst2_staff, officer, assessor, assessor2):
    """Institution 1: a draft, a submitted, an enrolled, two trained, one failed, one passed and one
    in public notice. Institution 2 (another track): three trained."""
    made = {"inst1": [], "inst2": []}
    for to in [None, "submitted", "enrolled", "trained", "trained", "under_review", "passed", "in_publicity"]:
        enrolment = factories.draft_enrolment(inst1_staff)
        if to:
            factories.advance(enrolment, staff=inst1_staff, officer=officer, to=to, assessor=assessor)
        made["inst1"].append(enrolment)
    failing = made["inst1"][5]
    task = factories.open_review_task(failing)
    assessment.decide(assessor=assessor, task_id=task.pk, decision="fail", reason="Practical work incomplete")
    for _ in range(3):
        enrolment = factories.draft_enrolment(inst2_staff, track_code="CR")
        factories.advance(enrolment, staff=inst2_staff, officer=officer, to="trained")
        made["inst2"].append(enrolment)
    return made


def reached_from_the_state_log(enrolments) -> dict[str, int]:
    """Counted independently: enrolments with a move into each stage (no resit in this data)."""
    logs = StateLog.objects.filter(enrolment__in=enrolments)
    reached = {"draft": enrolments.count()}
    for status in ["submitted", "enrolled", "trained", "under_review", "passed", "in_publicity", "certified"]:
        reached[status] = logs.filter(to_status=status).values("enrolment").distinct().count()
    return reached


def test_the_officer_sees_the_funnel_of_every_institution_counted_from_the_rows(client, officer, programme):
    client.force_login(officer)

    funnel = tables(client.get(OFFICER_PAGE))["funnel"]

    expected = reached_from_the_state_log(Enrolment.objects.all())
    assert [int(row[1]) for row in funnel[1:]] == list(expected.values())
    assert expected["trained"] == 5 + 3  # both institutions
    failed_column = funnel[0].index("failed")
    assert [row[0] for row in funnel[1:] if row[failed_column] == 1] == ["Under review"]


def test_trained_per_month_and_pass_rates_agree_with_the_rows(client, officer, programme):
    client.force_login(officer)

    page = tables(client.get(OFFICER_PAGE))

    this_month = timezone.localdate().strftime("%Y-%m")
    trained = {row[0]: row for row in page["trained_monthly"][1:]}
    assert trained[this_month][-1] == StateLog.objects.filter(transition="complete_training").count() == 8
    pass_by_track = {row[0]: row for row in page["pass_by_track"][1:]}
    pattern_making = next(name for name in pass_by_track if "制版" in name or "attern" in name)
    # Institution 1: three first attempts decided (two passed, one failed); no resit yet.
    assert pass_by_track[pattern_making][1:] == [3, 2, 66.7, 2, 66.7]


def test_the_page_opens_with_the_headline_in_sentences_most_trained_track_first(client, officer, programme):
    client.force_login(officer)

    body = client.get(OFFICER_PAGE).content.decode()

    # Pattern-making 5 (institution 1), garment craft 3 (institution 2); nobody certified yet.
    assert '<p id="headline-trained">8 people trained: Pattern-making 5, Garment craft 3.</p>' in body
    assert '<p id="headline-certified">0 people certified.</p>' in body


def test_the_page_and_the_xlsx_show_the_same_numbers(client, officer, programme):
    client.force_login(officer)

    page = tables(client.get(OFFICER_PAGE))
    workbook = sheets(client.get(OFFICER_PAGE + "all.xlsx"))

    assert len(workbook) == len(page) == 9
    assert list(workbook.values()) == list(page.values())
    one = sheets(client.get(OFFICER_PAGE + "funnel.xlsx"))
    assert list(one.values()) == [page["funnel"]]


def test_institution_staff_see_only_their_institutions_figures(client, inst1_staff, inst2, programme):
    client.force_login(inst1_staff)

    response = client.get(INSTITUTION_PAGE, {"institution": inst2.pk})
    xlsx = client.get(INSTITUTION_PAGE + "all.xlsx", {"institution": inst2.pk})

    page = tables(response)
    workbook = sheets(xlsx)
    own = reached_from_the_state_log(Enrolment.objects.filter(batch__institution=inst1_staff.institution))
    assert [int(row[1]) for row in page["funnel"][1:]] == list(own.values())
    assert list(workbook.values()) == list(page.values())
    assert inst2.name not in response.content.decode()
    assert all(inst2.name not in str(cell) for rows in workbook.values() for row in rows for cell in row)
    assert 'name="institution"' not in response.content.decode()
    # Institution 2's three trained candidates are nowhere in the monthly totals.
    assert sum(row[-1] for row in page["trained_monthly"][1:]) == 5
    # Assessors are not named to an institution.
    assert [row[0] for row in page["workload"][1:]] == ["All assessors"]


def test_a_filter_selects_the_figures(client, officer, inst2, programme):
    client.force_login(officer)

    funnel = tables(client.get(OFFICER_PAGE, {"institution": inst2.pk}))["funnel"]

    assert [int(row[1]) for row in funnel[1:4]] == [3, 3, 3]


@pytest.mark.parametrize(
    "path", [OFFICER_PAGE, OFFICER_PAGE + "funnel.xlsx", INSTITUTION_PAGE, INSTITUTION_PAGE + "all.xlsx"]
)
def test_anonymous_visitors_go_to_the_login_page(client, db, path):
    response = client.get(path)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("assessor", OFFICER_PAGE),
        ("inst1_staff", OFFICER_PAGE),
        ("inst1_staff", OFFICER_PAGE + "all.xlsx"),
        ("assessor", INSTITUTION_PAGE),
        ("officer", INSTITUTION_PAGE + "funnel.xlsx"),
    ],
)
def test_the_wrong_role_is_refused(client, request, who, path):
    client.force_login(request.getfixturevalue(who))

    assert client.get(path).status_code == 403


def test_an_unknown_figure_is_not_found(client, officer):
    client.force_login(officer)

    assert client.get(OFFICER_PAGE + "salaries.xlsx").status_code == 404


def test_the_number_of_queries_does_not_grow_with_the_data(client, officer, inst1_staff, assessor):
    client.force_login(officer)
    # Reviewed, like the four below: each request derives moved enrolments and decided reviews alike.
    factories.advance(
        factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="passed", assessor=assessor
    )
    with CaptureQueriesContext(connection) as captured:
        client.get(OFFICER_PAGE)
    few = len(captured)  # now: the next request resets the connection's query log
    for _ in range(4):
        factories.advance(
            factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="passed", assessor=assessor
        )
    with CaptureQueriesContext(connection) as captured:
        client.get(OFFICER_PAGE)
    more = len(captured)

    assert more == few > 0


def test_days_per_stage_are_the_median_and_90th_percentile_of_the_state_log(inst1_staff):
    start = timezone.now() - timedelta(days=100)
    waits = [1.5, 2, 3, 4, 10, 12.25]
    for days in waits:
        enrolment = factories.draft_enrolment(inst1_staff)
        StateLog.objects.create(
            enrolment=enrolment, transition="submit", from_status="draft", to_status="submitted", created_at=start
        )
        StateLog.objects.create(
            enrolment=enrolment,
            transition="approve",
            from_status="submitted",
            to_status="enrolled",
            created_at=start + timedelta(days=days),
        )

    approval = next(row for row in figures_of.days_per_stage(figures_of.Scope()) if row.stage == "approval")

    median, p90 = py_statistics.median(waits), py_statistics.quantiles(waits, n=10, method="inclusive")[-1]
    assert approval.count == 6
    assert approval.median == pytest.approx(median, abs=1e-6)
    assert approval.p90 == pytest.approx(p90, abs=1e-6)


def test_an_enrolment_withdrawn_counts_where_it_left(client, officer, inst1_staff):
    enrolment = factories.draft_enrolment(inst1_staff)
    factories.advance(enrolment, staff=inst1_staff, officer=officer, to="enrolled")
    services.withdraw(actor=inst1_staff, enrolment_id=enrolment.pk, reason="Moved away")

    stages = {row.status: row for row in figures_of.funnel(figures_of.Scope())}

    assert stages["enrolled"].reached == 1 and stages["enrolled"].left["withdrawn"] == 1
    assert stages["trained"].reached == 0


@pytest.fixture
def statistics_cache(settings):
    settings.STATISTICS_CACHE_SECONDS = 300
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "stats"}}
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_a_second_look_is_served_from_the_cache_until_something_moves(client, officer, inst1_staff, statistics_cache):
    client.force_login(officer)
    enrolment = factories.draft_enrolment(inst1_staff)
    with CaptureQueriesContext(connection) as captured:
        before = tables(client.get(OFFICER_PAGE))["funnel"]
    first = len(captured)  # now: the next request resets the connection's query log
    with CaptureQueriesContext(connection) as captured:
        again = tables(client.get(OFFICER_PAGE))["funnel"]
    second = len(captured)
    services.submit_enrolment(actor=inst1_staff, enrolment_id=enrolment.pk)
    after = tables(client.get(OFFICER_PAGE))["funnel"]

    assert again == before and second < first - 5
    assert [row[1] for row in before[1:3]] == [1, 0]
    assert [row[1] for row in after[1:3]] == [1, 1]


def test_the_batch_list_offers_the_chosen_institutions_batches(client, officer, inst1_staff, inst2_staff, inst2):
    mine = factories.batch(inst1_staff.institution, "PM")
    theirs = factories.batch(inst2, "CR")
    client.force_login(officer)

    unchosen = client.get(OFFICER_PAGE).content.decode()
    chosen = client.get(OFFICER_PAGE, {"institution": inst2.pk}).content.decode()

    def offered(batch, page):
        return f'<option value="{batch.pk}">{batch.name}</option>' in page

    assert not offered(theirs, unchosen) and not offered(mine, unchosen)
    assert offered(theirs, chosen) and not offered(mine, chosen)
