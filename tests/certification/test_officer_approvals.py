import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certification import services, vetting
from certification.models import EnrolmentStatus, StateLog, Track, TrackQuota

from .. import factories

URL = "/officer/approvals/"


def submitted(staff, count=1, track_code="PM", **kwargs):
    enrolments = [factories.draft_enrolment(staff, track_code, **kwargs) for _ in range(count)]
    for enrolment in enrolments:
        services.submit_enrolment(actor=staff, enrolment_id=enrolment.pk)
    return enrolments


def statuses(enrolments) -> set[str]:
    for enrolment in enrolments:
        enrolment.refresh_from_db()
    return {enrolment.status for enrolment in enrolments}


# The queue


def test_it_lists_submitted_enrolments_oldest_first(client, officer, inst1_staff):
    draft = factories.draft_enrolment(
        inst1_staff, trainee_obj=factories.trainee(inst1_staff.institution, name="草稿生")
    )
    older, newer = submitted(inst1_staff, 2)
    client.force_login(officer)
    response = client.get(URL)
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [older, newer]
    page = response.content.decode()
    assert older.trainee.name in page and older.trainee.id_number_last_four in page
    assert older.trainee.id_number not in page
    assert f"/enrolments/{older.pk}/" in page
    assert 'data-select-all="enrolment"' in page
    assert draft.trainee.name not in page  # drafts are not submitted yet


def test_it_filters_by_institution_track_and_batch_and_searches_by_name(client, officer, inst1_staff, inst2_staff):
    (pm,) = submitted(inst1_staff, trainee_obj=factories.trainee(inst1_staff.institution, name="李雪梅"))
    (nm,) = submitted(
        inst1_staff, track_code="NM", trainee_obj=factories.trainee(inst1_staff.institution, name="王建国")
    )
    (other,) = submitted(inst2_staff, trainee_obj=factories.trainee(inst2_staff.institution, name="赵丽"))
    client.force_login(officer)

    def shown(**query):
        return set(client.get(URL, query).context["page_obj"])

    assert shown(institution=inst2_staff.institution_id) == {other}
    assert shown(track="NM") == {nm}
    assert shown(batch=pm.batch_id) == {pm}
    assert shown(q="王建") == {nm}
    assert shown(institution=inst1_staff.institution_id, track="PM") == {pm}


def test_it_says_when_nothing_waits(client, officer):
    client.force_login(officer)
    response = client.get(URL)
    assert response.status_code == 200
    assert 'class="empty"' in response.content.decode()


def test_it_redirects_anonymous_to_login(client):
    for response in (client.get(URL), client.post(URL, {"action": "approve"})):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role_fixture", ["inst1_staff", "assessor", "trainee_user"])
def test_it_refuses_everyone_but_officers(client, request, role_fixture, inst1_staff):
    (enrolment,) = submitted(inst1_staff)
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"action": "approve", "enrolment": [enrolment.pk]}).status_code == 403
    assert statuses([enrolment]) == {EnrolmentStatus.SUBMITTED}


def test_its_query_count_does_not_grow_with_rows(client, officer, inst1_staff, inst2_staff):
    submitted(inst1_staff)
    client.force_login(officer)
    client.get(URL)  # warm up per-process caches
    with CaptureQueriesContext(connection) as one_row:
        assert client.get(URL).status_code == 200
    # Spread over institutions, tracks and batches so that any lookup per row would show.
    for number in range(39):
        staff = inst1_staff if number % 2 else inst2_staff
        submitted(staff, track_code=["PM", "CR", "NM"][number % 3])
    with CaptureQueriesContext(connection) as many_rows:
        response = client.get(URL)
    assert response.context["page_obj"].paginator.count == 40
    assert len(many_rows) == len(one_row)


# Deciding


def test_a_bulk_approval_moves_all_and_logs_each_with_the_officer(client, officer, inst1_staff):
    enrolments = submitted(inst1_staff, 3)
    client.force_login(officer)
    response = client.post(f"{URL}?track=PM", {"action": "approve", "enrolment": [e.pk for e in enrolments]})
    assert response.status_code == 302 and response["Location"] == f"{URL}?track=PM"
    assert statuses(enrolments) == {EnrolmentStatus.ENROLLED}
    logs = StateLog.objects.filter(transition="approve")
    assert logs.count() == 3
    assert {log.actor for log in logs} == {officer}
    assert {log.enrolment_id for log in logs} == {e.pk for e in enrolments}
    assert "3 enrolments approved" in client.get(response["Location"]).content.decode()


def test_a_bulk_rejection_records_the_reason(client, officer, inst1_staff):
    enrolments = submitted(inst1_staff, 2)
    client.force_login(officer)
    response = client.post(URL, {"action": "reject", "reason": "照片不合格", "enrolment": [e.pk for e in enrolments]})
    assert response.status_code == 302
    assert statuses(enrolments) == {EnrolmentStatus.REJECTED}
    assert set(StateLog.objects.filter(transition="reject").values_list("reason", flat=True)) == {"照片不合格"}


def test_rejecting_without_a_reason_is_bad_input_and_changes_nothing(client, officer, inst1_staff):
    enrolments = submitted(inst1_staff, 2)
    client.force_login(officer)
    response = client.post(URL, {"action": "reject", "reason": " ", "enrolment": [e.pk for e in enrolments]})
    assert response.status_code == 400
    assert "reason" in response.content.decode()
    assert statuses(enrolments) == {EnrolmentStatus.SUBMITTED}
    assert not StateLog.objects.filter(transition="reject").exists()
    assert response.context["selected_ids"] == {e.pk for e in enrolments}


def test_an_approval_over_quota_is_refused_with_the_quota_message(client, officer, inst1, inst1_staff):
    track = Track.objects.get(code="PM")
    year = TrackQuota.objects.get(institution=inst1, track=track).year
    vetting.set_quota(officer=officer, institution_id=inst1.pk, track_id=track.pk, year=year, quota=1)
    enrolments = submitted(inst1_staff, 2)
    client.force_login(officer)
    response = client.post(URL, {"action": "approve", "enrolment": [e.pk for e in enrolments]})
    assert response.status_code == 409
    page = response.content.decode()
    assert "quota of 1" in page
    assert not StateLog.objects.filter(transition="approve").exists()
    assert statuses(enrolments) == {EnrolmentStatus.SUBMITTED}
    for enrolment in enrolments:  # the selection is kept
        assert f'value="{enrolment.pk}" id="enrolment-{enrolment.pk}" checked' in page


def test_one_enrolment_moved_by_someone_else_stops_the_whole_batch(client, officer, inst1_staff):
    first, second = submitted(inst1_staff, 2)
    services.reject_enrolments(officer=officer, enrolment_ids=[second.pk], reason="重复报名")
    client.force_login(officer)
    response = client.post(URL, {"action": "approve", "enrolment": [first.pk, second.pk]})
    assert response.status_code == 409
    assert second.trainee.name in response.content.decode()
    assert statuses([first]) == {EnrolmentStatus.SUBMITTED}


def test_approving_nothing_selected_is_bad_input(client, officer, inst1_staff):
    submitted(inst1_staff)
    client.force_login(officer)
    response = client.post(URL, {"action": "approve"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Select at least one." in response.content.decode()


def test_a_forged_selection_is_bad_input(client, officer, inst1_staff):
    (enrolment,) = submitted(inst1_staff)
    client.force_login(officer)
    assert client.post(URL, {"action": "approve", "enrolment": [enrolment.pk, "1 OR 1=1"]}).status_code == 400
    assert client.post(URL, {"action": "delete", "enrolment": [enrolment.pk]}).status_code == 400
    assert statuses([enrolment]) == {EnrolmentStatus.SUBMITTED}


def test_an_approved_enrolment_shows_the_officer_in_its_history(client, officer, inst1_staff):
    (enrolment,) = submitted(inst1_staff)
    client.force_login(officer)
    client.post(URL, {"action": "approve", "enrolment": [enrolment.pk]})
    history = client.get(f"/enrolments/{enrolment.pk}/").context["history"]
    assert [(log.transition, log.actor) for log in history][-1] == ("approve", officer)


def test_each_row_shows_photo_education_and_years_in_the_trade(client, officer, inst1_staff, settings, tmp_path):
    from certification.photos import make_placeholder_photo

    settings.MEDIA_ROOT = str(tmp_path)
    (enrolment,) = submitted(inst1_staff)
    trainee = enrolment.trainee
    trainee.photo.save("p.png", make_placeholder_photo(trainee.name), save=True)
    client.force_login(officer)
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"/institution/trainees/{trainee.pk}/photo/" in page
    assert trainee.get_education_display() in page
    assert f"{trainee.years_in_trade} year" in page
