"""The office's pages of the public notice (/officer/publicity/): open notices, decide objections."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certification.models import EnrolmentStatus, StateLog
from workflows.models import Objection, ObjectionStatus, PublicityNotice
from workflows.publicity import services as publicity

from .. import factories
from .test_publicity_services import MONDAY, NEXT_MONDAY, at, open_notice, passed, status_of

INDEX = "/officer/publicity/"
NOTICES = "/officer/publicity/notices/"
OBJECTIONS = "/officer/publicity/objections/"
CLOSE_DUE = "/officer/publicity/close-due/"


@pytest.fixture
def cast(officer, assessor, inst1_staff):
    return {"staff": inst1_staff, "officer": officer, "assessor": assessor}


@pytest.fixture
def notice(cast, officer):
    return open_notice(officer, passed(**cast))


def lodge(entry, name="李四"):
    with at(MONDAY):
        return publicity.lodge_objection(entry_id=entry.pk, name=name, contact="13900000000", text="成绩造假。")


def decide_url(objection) -> str:
    return f"/officer/publicity/objections/{objection.pk}/decide/"


def same_queries(client, url, add_rows, expected_rows) -> None:
    client.get(url)  # warm up per-process caches
    with CaptureQueriesContext(connection) as one_row:
        client.get(url)
    add_rows()
    with CaptureQueriesContext(connection) as many_rows:
        response = client.get(url)
    assert response.context["page_obj"].paginator.count == expected_rows
    assert len(many_rows) == len(one_row)


# Who may see the pages


@pytest.fixture
def every_officer_request(notice):
    objection = lodge(notice.entries.get())
    return [
        ("get", INDEX),
        ("post", INDEX),
        ("get", NOTICES),
        ("get", f"{NOTICES}{notice.pk}/"),
        ("get", OBJECTIONS),
        ("post", decide_url(objection)),
        ("post", CLOSE_DUE),
    ]


def test_anonymous_is_sent_to_the_login_page(client, every_officer_request):
    for method, url in every_officer_request:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role_fixture", ["inst1_staff", "assessor", "trainee_user"])
def test_everyone_but_the_office_is_refused(client, request, role_fixture, every_officer_request):
    client.force_login(request.getfixturevalue(role_fixture))
    for method, url in every_officer_request:
        assert getattr(client, method)(url, {"action": "uphold", "reason": "x", "title": "x"}).status_code == 403, url
    assert Objection.objects.get().status == ObjectionStatus.OPEN
    assert PublicityNotice.objects.count() == 1


def test_an_unknown_notice_or_objection_is_not_found(client, officer, notice):
    client.force_login(officer)
    assert client.get(f"{NOTICES}{notice.pk + 100}/").status_code == 404
    unknown = "/officer/publicity/objections/999/decide/"
    assert client.post(unknown, {"action": "dismiss", "reason": "x"}).status_code == 404


# Opening a notice


def test_it_lists_passed_candidates_and_open_notices(client, cast, officer, notice):
    (waiting,) = passed(**cast)
    client.force_login(officer)

    response = client.get(INDEX)

    assert response.status_code == 200
    assert [e.pk for e in response.context["page_obj"]] == [waiting.pk]
    assert [n.pk for n in response.context["open_notices"]] == [notice.pk]
    page = response.content.decode()
    assert waiting.trainee.name in page
    assert notice.title in page


def test_it_filters_passed_candidates_by_track_and_institution(client, cast, officer, assessor, inst2_staff, assessor2):
    (pattern_maker,) = passed(**cast, track_code="PM")
    (craftsman,) = passed(**cast, track_code="CR")
    (elsewhere,) = passed(inst2_staff, officer, assessor2, track_code="PM")
    client.force_login(officer)

    def shown(**query):
        return {e.pk for e in client.get(INDEX, query).context["page_obj"]}

    assert shown() == {pattern_maker.pk, craftsman.pk, elsewhere.pk}
    assert shown(track="CR") == {craftsman.pk}
    assert shown(institution=inst2_staff.institution_id) == {elsewhere.pk}
    assert shown(track="PM", institution=cast["staff"].institution_id) == {pattern_maker.pk}


def test_opening_a_notice_for_the_selected_candidates(client, cast, officer):
    chosen, left = passed(**cast, count=2)
    client.force_login(officer)

    with at(MONDAY):
        response = client.post(INDEX, {"enrolment": [chosen.pk], "title": "2026年第一批公示"})

    notice = PublicityNotice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{NOTICES}{notice.pk}/"
    assert (notice.title, notice.ends_on) == ("2026年第一批公示", NEXT_MONDAY)
    assert status_of(chosen) == EnrolmentStatus.IN_PUBLICITY
    assert status_of(left) == EnrolmentStatus.PASSED


def test_all_candidates_matching_the_filter_may_be_opened_at_once(client, cast, officer):
    craftsmen = passed(**cast, count=2, track_code="CR")
    (pattern_maker,) = passed(**cast, track_code="PM")
    client.force_login(officer)

    client.post(f"{INDEX}?track=CR", {"all_matching": "on", "title": "工艺师公示"})

    assert {status_of(e) for e in craftsmen} == {EnrolmentStatus.IN_PUBLICITY}
    assert status_of(pattern_maker) == EnrolmentStatus.PASSED


def test_a_notice_without_a_title_is_refused_and_keeps_the_selection(client, cast, officer):
    (enrolment,) = passed(**cast)
    client.force_login(officer)

    response = client.post(INDEX, {"enrolment": [enrolment.pk], "title": ""})

    assert response.status_code == 400
    assert response.context["selected_ids"] == {enrolment.pk}
    assert status_of(enrolment) == EnrolmentStatus.PASSED


def test_a_candidate_moved_by_someone_else_stops_the_whole_notice_with_409(client, cast, officer, notice):
    (fresh,) = passed(**cast)
    already_in_notice = notice.entries.get().enrolment
    client.force_login(officer)

    response = client.post(INDEX, {"enrolment": [fresh.pk, already_in_notice.pk], "title": "第二批"})

    assert response.status_code == 409
    assert already_in_notice.trainee.name in response.context["error_message"]
    assert status_of(fresh) == EnrolmentStatus.PASSED
    assert PublicityNotice.objects.count() == 1


def test_nothing_selected_is_bad_input(client, officer):
    client.force_login(officer)
    response = client.post(INDEX, {"title": "空公示"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "Select at least one." in response.content.decode()
    assert client.post(INDEX, {"title": "空公示", "enrolment": ["x"]}).status_code == 400
    assert not PublicityNotice.objects.exists()


def test_the_index_query_count_does_not_grow_with_candidates_or_notices(client, cast, officer, inst2_staff, assessor2):
    open_notice(officer, passed(**cast))
    passed(**cast)
    client.force_login(officer)

    def add_rows():
        for number in range(29):
            staff, assessor = (cast["staff"], cast["assessor"]) if number % 2 else (inst2_staff, assessor2)
            passed(staff, officer, assessor, track_code=["PM", "CR", "NM"][number % 3])
        for number in range(3):
            open_notice(officer, passed(**cast), title=f"公示 {number}")

    same_queries(client, INDEX, add_rows, expected_rows=30)


# Notices


def test_the_notice_list_shows_each_notice_with_its_counts(client, cast, officer, notice):
    client.force_login(officer)
    lodge(notice.entries.get())

    response = client.get(NOTICES)

    (listed,) = response.context["page_obj"]
    assert (listed.candidate_count, listed.in_publicity_count, listed.open_objection_count) == (1, 1, 1)
    assert "2026-03-09" in response.content.decode()


def test_the_notice_list_query_count_does_not_grow_with_notices(client, cast, officer, notice):
    client.force_login(officer)

    def add_rows():
        for number in range(29):
            open_notice(officer, passed(**cast), title=f"公示 {number}")

    same_queries(client, NOTICES, add_rows, expected_rows=30)


def test_a_notice_page_shows_its_candidates_to_the_office(client, officer, notice):
    enrolment = notice.entries.get().enrolment
    client.force_login(officer)

    response = client.get(f"{NOTICES}{notice.pk}/")

    assert response.status_code == 200
    assert enrolment.trainee.name in response.content.decode()


def test_the_notice_page_query_count_does_not_grow_with_candidates(client, cast, officer):
    small = open_notice(officer, passed(**cast))
    client.force_login(officer)
    client.get(f"{NOTICES}{small.pk}/")
    with CaptureQueriesContext(connection) as one_row:
        client.get(f"{NOTICES}{small.pk}/")
    big = open_notice(officer, passed(**cast, count=15) + passed(**cast, count=15, track_code="CR"), title="大公示")
    lodge(big.entries.first())
    with CaptureQueriesContext(connection) as many_rows:
        response = client.get(f"{NOTICES}{big.pk}/")
    assert response.context["page_obj"].paginator.count == 30
    assert len(many_rows) == len(one_row)


# Objections


def test_it_lists_open_objections_with_who_lodged_them(client, officer, notice):
    objection = lodge(notice.entries.get(), name="举报人王五")
    client.force_login(officer)

    response = client.get(OBJECTIONS)

    assert [o.pk for o in response.context["page_obj"]] == [objection.pk]
    page = response.content.decode()
    assert "举报人王五" in page and "13900000000" in page


def test_decided_objections_are_listed_by_status(client, officer, notice):
    objection = lodge(notice.entries.get())
    publicity.dismiss_objection(officer=officer, objection_id=objection.pk, reason="查无实据")
    client.force_login(officer)

    assert not client.get(OBJECTIONS).context["page_obj"].object_list
    response = client.get(OBJECTIONS, {"status": "dismissed"})
    assert [o.pk for o in response.context["page_obj"]] == [objection.pk]
    assert "查无实据" in response.content.decode()


def test_upholding_disqualifies_the_candidate_with_the_reason_in_the_history(client, officer, notice):
    objection = lodge(notice.entries.get())
    client.force_login(officer)

    response = client.post(decide_url(objection), {"action": "uphold", "reason": "经查学历造假"})

    assert response.status_code == 302
    assert response["Location"] == OBJECTIONS
    enrolment = notice.entries.get().enrolment
    assert status_of(enrolment) == EnrolmentStatus.DISQUALIFIED
    log = StateLog.objects.get(enrolment=enrolment, transition="uphold_objection")
    assert (log.actor, log.reason) == (officer, "经查学历造假")


def test_upholding_without_a_reason_is_refused_and_changes_nothing(client, officer, notice):
    objection = lodge(notice.entries.get())
    client.force_login(officer)

    response = client.post(decide_url(objection), {"action": "uphold", "reason": ""})

    assert response.status_code == 400
    assert response.context["failed_id"] == objection.pk
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.OPEN
    assert status_of(notice.entries.get().enrolment) == EnrolmentStatus.IN_PUBLICITY


def test_dismissing_keeps_the_candidate_until_the_period_ends_then_it_closes(client, officer, notice):
    objection = lodge(notice.entries.get())
    enrolment = notice.entries.get().enrolment
    client.force_login(officer)

    client.post(decide_url(objection), {"action": "dismiss", "reason": "经核实成绩无误"})
    assert status_of(enrolment) == EnrolmentStatus.IN_PUBLICITY
    with at(NEXT_MONDAY + timedelta(days=1)):
        response = client.post(CLOSE_DUE)

    assert response.status_code == 302
    assert status_of(enrolment) == EnrolmentStatus.READY_TO_ISSUE
    assert StateLog.objects.get(enrolment=enrolment, transition="close_publicity").actor == officer


def test_deciding_an_objection_already_decided_is_a_conflict(client, officer, notice):
    objection = lodge(notice.entries.get())
    publicity.dismiss_objection(officer=officer, objection_id=objection.pk, reason="无依据")
    client.force_login(officer)

    response = client.post(decide_url(objection), {"action": "uphold", "reason": "再议"})

    assert response.status_code == 409
    assert status_of(notice.entries.get().enrolment) == EnrolmentStatus.IN_PUBLICITY


def test_the_objection_list_query_count_does_not_grow_with_objections(client, cast, officer, notice):
    lodge(notice.entries.get())
    other = open_notice(officer, passed(**cast, count=2, track_code="NM"), title="另一批")
    client.force_login(officer)

    def add_rows():
        entries = list(other.entries.all()) + [notice.entries.get()]
        for number in range(29):
            lodge(entries[number % 3], name=f"异议人{number}")

    same_queries(client, OBJECTIONS, add_rows, expected_rows=30)


# Closing now


def test_the_close_button_reports_how_many_moved(client, officer, notice):
    client.force_login(officer)

    with at(NEXT_MONDAY + timedelta(days=1)):
        response = client.post(CLOSE_DUE, follow=True)

    assert "1" in [str(m) for m in response.context["messages"]][0]
    assert status_of(notice.entries.get().enrolment) == EnrolmentStatus.READY_TO_ISSUE


def test_the_close_button_only_takes_a_post(client, officer):
    client.force_login(officer)
    assert client.get(CLOSE_DUE).status_code == 405


def test_a_passed_candidate_of_any_institution_is_listed_for_the_office(client, officer, inst2_staff, assessor2):
    elsewhere = factories.advance(
        factories.draft_enrolment(inst2_staff), staff=inst2_staff, officer=officer, assessor=assessor2, to="passed"
    )
    client.force_login(officer)

    assert [e.pk for e in client.get(INDEX).context["page_obj"]] == [elsewhere.pk]
