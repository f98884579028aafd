from certification.models import EnrolmentStatus, StateLog


def url(enrolment, transition):
    return f"/enrolments/{enrolment.pk}/move/{transition}/"


def test_staff_submit_their_draft(client, inst1_staff, draft_enrolment):
    client.force_login(inst1_staff)
    response = client.post(url(draft_enrolment, "submit"), {"expected_status": "draft"})
    assert response.status_code == 302
    draft_enrolment.refresh_from_db()
    assert draft_enrolment.status == EnrolmentStatus.SUBMITTED
    log = StateLog.objects.get(enrolment=draft_enrolment)
    assert (log.actor, log.from_status, log.to_status) == (inst1_staff, "draft", "submitted")
    assert log.request_id == response["X-Request-ID"]


def test_officer_approves_and_the_trainee_gets_an_account(client, officer, submitted_enrolment):
    client.force_login(officer)
    assert client.post(url(submitted_enrolment, "approve"), {"expected_status": "submitted"}).status_code == 302
    submitted_enrolment.refresh_from_db()
    assert submitted_enrolment.status == EnrolmentStatus.ENROLLED
    assert submitted_enrolment.trainee.user.username == submitted_enrolment.trainee.id_number


def test_a_stale_move_is_409_with_a_readable_message(client, inst1_staff, submitted_enrolment):
    client.force_login(inst1_staff)
    response = client.post(url(submitted_enrolment, "submit"), {"expected_status": "draft"})
    assert response.status_code == 409
    assert "Someone else moved this enrolment first" in response.content.decode() or response.context["error_message"]


def test_wrong_role_is_403_and_nothing_changes(client, inst1_staff, submitted_enrolment):
    client.force_login(inst1_staff)
    response = client.post(url(submitted_enrolment, "approve"), {"expected_status": "submitted"})
    assert response.status_code == 403
    submitted_enrolment.refresh_from_db()
    assert submitted_enrolment.status == EnrolmentStatus.SUBMITTED


def test_reject_without_reason_is_400(client, officer, submitted_enrolment):
    client.force_login(officer)
    response = client.post(url(submitted_enrolment, "reject"), {"expected_status": "submitted"})
    assert response.status_code == 400
    submitted_enrolment.refresh_from_db()
    assert submitted_enrolment.status == EnrolmentStatus.SUBMITTED


def test_another_institution_gets_404(client, inst2_staff, draft_enrolment):
    client.force_login(inst2_staff)
    assert client.post(url(draft_enrolment, "submit"), {"expected_status": "draft"}).status_code == 404


def test_an_unknown_move_is_404(client, inst1_staff, draft_enrolment):
    client.force_login(inst1_staff)
    assert client.post(url(draft_enrolment, "teleport"), {}).status_code == 404


def test_get_is_not_allowed(client, inst1_staff, draft_enrolment):
    client.force_login(inst1_staff)
    assert client.get(url(draft_enrolment, "submit")).status_code == 405


def test_anonymous_goes_to_login(client, draft_enrolment):
    response = client.post(url(draft_enrolment, "submit"), {})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
