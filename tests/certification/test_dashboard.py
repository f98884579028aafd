"""The dashboard at /: what waits for each role, and a fixed number of queries whatever the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certification import services
from certification import services as lifecycle
from certification.models import InstitutionStatus, Track

from .. import factories


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.django_db
def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_officer_sees_institutions_pending_vetting_and_enrolments_to_approve(client, officer, submitted_enrolment):
    factories.institution("待审核培训机构", status=InstitutionStatus.PENDING)
    client.force_login(officer)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert response.context["pending_institution_count"] == 1
    assert response.context["submitted_count"] == 1
    page = response.content.decode()
    assert "待审核培训机构" in page
    assert reverse("officer:institutions") in page
    assert reverse("officer:approvals") in page


def test_the_officer_dashboard_costs_the_same_queries_with_1_or_30_enrolments(client, officer, inst1_staff):
    factories.draft_enrolment(inst1_staff)
    client.force_login(officer)
    with_one = queries_for(client, reverse("dashboard"))
    for _ in range(29):
        factories.draft_enrolment(inst1_staff)
    factories.institution("待审核培训机构", status=InstitutionStatus.PENDING)
    assert queries_for(client, reverse("dashboard")) == with_one


def test_institution_staff_see_their_own_work_by_status(client, inst1_staff, inst2_staff, submitted_enrolment):
    factories.draft_enrolment(inst1_staff)
    factories.draft_enrolment(inst2_staff)  # another institution's: not counted
    client.force_login(inst1_staff)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    todo = {item["status"]: item["count"] for item in response.context["todo"]}
    assert todo["draft"] == 1
    assert response.context["total"] == 2
    assert f"{reverse('enrolments:list')}?status=draft" in response.content.decode()


@pytest.mark.django_db
def test_institution_staff_are_warned_while_their_institution_is_not_approved(client):
    staff = factories.user(
        "newstaff", "institution", institution=factories.institution(status=InstitutionStatus.PENDING)
    )
    client.force_login(staff)
    response = client.get(reverse("dashboard"))
    assert response.context["institution_approved"] is False
    assert "not approved" in response.content.decode()


def test_the_institution_dashboard_costs_the_same_queries_with_1_or_30_enrolments(client, inst1_staff):
    factories.draft_enrolment(inst1_staff)
    client.force_login(inst1_staff)
    with_one = queries_for(client, reverse("dashboard"))
    for _ in range(29):
        factories.draft_enrolment(inst1_staff)
    assert queries_for(client, reverse("dashboard")) == with_one


def test_the_assessor_sees_candidates_under_review_but_not_their_own_institutions(
    client, assessor, enrolment_ready_for_review, inst2_staff, officer
):
    own = factories.advance(
        factories.draft_enrolment(inst2_staff), staff=inst2_staff, officer=officer, to="under_review"
    )
    client.force_login(assessor)
    response = client.get(reverse("dashboard"))
    assert response.context["under_review_count"] == 1
    assert response.context["candidates"] == [enrolment_ready_for_review]
    assert reverse("enrolments:detail", args=[enrolment_ready_for_review.pk]) in response.content.decode()
    assert reverse("enrolments:detail", args=[own.pk]) not in response.content.decode()


def test_the_assessor_dashboard_costs_the_same_queries_with_1_or_12_candidates(
    client, assessor, enrolment_ready_for_review, inst1_staff, officer
):
    client.force_login(assessor)
    with_one = queries_for(client, reverse("dashboard"))
    for _ in range(11):
        factories.advance(factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="under_review")
    response = client.get(reverse("dashboard"))
    assert len(response.context["candidates"]) == 10
    assert queries_for(client, reverse("dashboard")) == with_one


def states(response, index=0) -> list[str]:
    return [step["state"] for step in response.context["enrolments"][index]["steps"]]


def test_the_trainee_sees_their_enrolment_timeline_and_masked_id(client, trainee_user, enrolled_enrolment):
    client.force_login(trainee_user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert states(response) == ["done", "done", "current"] + ["future"] * 6
    page = response.content.decode()
    assert enrolled_enrolment.trainee.masked_id_number in page
    assert enrolled_enrolment.trainee.id_number not in page
    assert enrolled_enrolment.batch.institution.name in page
    assert reverse("password_change") in page


def test_a_trainee_sees_only_their_own_enrolments(client, trainee_user, inst1_staff):
    factories.draft_enrolment(inst1_staff)  # someone else
    client.force_login(trainee_user)
    assert len(client.get(reverse("dashboard")).context["enrolments"]) == 1


def fail(enrolment, assessor, reason="实操成绩不足"):
    services._move(actor=assessor, enrolment_id=enrolment.pk, transition="fail", reason=reason)


def test_a_failed_trainee_is_told_a_resit_is_still_possible(client, enrolment_ready_for_review, assessor2):
    fail(enrolment_ready_for_review, assessor2)
    client.force_login(enrolment_ready_for_review.trainee.user)
    response = client.get(reverse("dashboard"))
    item = response.context["enrolments"][0]
    assert "A resit is still possible" in item["explanation"]
    assert item["reason"] == "实操成绩不足"
    assert states(response) == ["done"] * 4 + ["stopped"] + ["future"] * 4


def test_a_failed_trainee_is_told_why_no_resit_is_possible(client, enrolment_ready_for_review, assessor2):
    Track.objects.filter(pk=enrolment_ready_for_review.track_id).update(max_attempts=1)
    fail(enrolment_ready_for_review, assessor2)
    client.force_login(enrolment_ready_for_review.trainee.user)
    explanation = client.get(reverse("dashboard")).context["enrolments"][0]["explanation"]
    assert "no resit is possible" in explanation
    assert "All 1 attempts have been used" in explanation


def test_a_withdrawn_enrolment_shows_where_it_stopped(client, trainee_user, enrolled_enrolment, inst1_staff):
    lifecycle.withdraw(actor=inst1_staff, enrolment_id=enrolled_enrolment.pk, reason="本人申请退出")
    client.force_login(trainee_user)
    response = client.get(reverse("dashboard"))
    assert states(response) == ["done", "done", "stopped"] + ["future"] * 6
    assert "withdrawn" in response.context["enrolments"][0]["explanation"]
    assert "本人申请退出" in response.content.decode()


def test_the_trainee_dashboard_costs_the_same_queries_with_1_or_2_enrolments(
    client, trainee_user, enrolled_enrolment, inst1_staff, officer
):
    client.force_login(trainee_user)
    with_one = queries_for(client, reverse("dashboard"))
    second = factories.draft_enrolment(inst1_staff, "NM", trainee_obj=enrolled_enrolment.trainee)
    factories.advance(second, staff=inst1_staff, officer=officer, to="enrolled")
    assert queries_for(client, reverse("dashboard")) == with_one


def test_the_officer_sees_the_open_objections(client, officer, assessor, inst1_staff):
    from tests.workflows.test_publicity_services import lodge, open_notice, passed

    (enrolment,) = passed(inst1_staff, officer, assessor)
    notice = open_notice(officer, [enrolment])
    objection = lodge(notice.entries.get())
    client.force_login(officer)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'id="open-objections"' in page
    assert f"#objection-{objection.pk}" in page and enrolment.trainee.name in page
    client.force_login(inst1_staff)
    assert 'id="open-objections"' not in client.get(reverse("dashboard")).content.decode()
