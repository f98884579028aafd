from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from certification.models import StateLog

from .. import factories


def url(enrolment):
    return f"/enrolments/{enrolment.pk}/"


def test_it_shows_the_history_and_the_full_id_to_own_staff(client, inst1_staff, submitted_enrolment):
    client.force_login(inst1_staff)
    page = client.get(url(submitted_enrolment)).content.decode()
    assert submitted_enrolment.trainee.id_number in page
    assert "history" in page.lower()


def test_officer_sees_the_approve_button(client, officer, submitted_enrolment):
    client.force_login(officer)
    page = client.get(url(submitted_enrolment)).content.decode()
    assert f"/enrolments/{submitted_enrolment.pk}/move/approve/" in page


def test_assessor_sees_the_full_name_and_only_the_last_four_of_the_id(client, assessor, enrolment_ready_for_review):
    trainee = enrolment_ready_for_review.trainee
    client.force_login(assessor)
    page = client.get(url(enrolment_ready_for_review)).content.decode()
    assert trainee.name in page
    assert trainee.id_number not in page and trainee.masked_id_number not in page
    assert f"****{trainee.id_number[-4:]}" in page


def test_it_is_404_for_another_institution(client, inst2_staff, draft_enrolment):
    client.force_login(inst2_staff)
    assert client.get(url(draft_enrolment)).status_code == 404


def test_it_is_404_for_another_trainee(client, trainee_user, inst1_staff, officer):
    other = factories.advance(
        factories.draft_enrolment(inst1_staff, "CR"), staff=inst1_staff, officer=officer, to="enrolled"
    )
    client.force_login(trainee_user)
    assert client.get(url(other)).status_code == 404


def test_trainee_sees_own_enrolment(client, trainee_user, enrolled_enrolment):
    client.force_login(trainee_user)
    assert client.get(url(enrolled_enrolment)).status_code == 200


def test_it_redirects_anonymous_to_login(client, draft_enrolment):
    response = client.get(url(draft_enrolment))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_find_the_results_page_once_training_is_complete(client, inst1_staff, officer):
    enrolment = factories.advance(
        factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="trained"
    )
    client.force_login(inst1_staff)
    assert f"/assessment/enrolments/{enrolment.pk}/results/" in client.get(url(enrolment)).content.decode()


def test_it_offers_no_review_moves_outside_the_assessment_flow(client, assessor, enrolment_ready_for_review):
    client.force_login(assessor)
    page = client.get(url(enrolment_ready_for_review)).content.decode()
    assert "/move/pass/" not in page
    assert "/assessment/tasks/" in page


def test_its_query_count_does_not_grow_with_history(client, officer, inst1_staff, assessor):
    """Both trained with one attempt; one went round a return for correction (two more history rows)."""
    from workflows.assessment import services as assessment

    short_history = factories.advance(
        factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="trained"
    )
    factories.enter_passing_results(short_history, inst1_staff)
    long_history = factories.advance(
        factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="under_review"
    )
    assessment.decide(
        assessor=assessor,
        task_id=factories.open_review_task(long_history).pk,
        decision="return",
        reason="photo missing",
    )
    assert (
        StateLog.objects.filter(enrolment=long_history).count()
        > StateLog.objects.filter(enrolment=short_history).count()
    )
    client.force_login(officer)
    with CaptureQueriesContext(connection) as short:
        client.get(url(short_history))
    with CaptureQueriesContext(connection) as long:
        client.get(url(long_history))
    assert len(long) == len(short)


# The history of hours and scores (issue 10)


def _score_history_section(page: str) -> str:
    section = page[page.index("Changes to hours and scores") :]
    return section[: section.index("</section>")]


def _corrected(inst1_staff, officer):
    """Trained, with the sample-patterns module's hours corrected from 60 to 64 by a second staff member."""
    from certification import registration

    enrolment = factories.advance(
        factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="trained"
    )
    corrector = factories.user("inst1-li", inst1_staff.role, institution=inst1_staff.institution)
    corrector.first_name = "李老师"
    corrector.save()
    module = enrolment.track.modules.get(code="SAMPLE")
    registration.record_module_completion(
        staff=corrector,
        enrolment_id=enrolment.pk,
        module_id=module.pk,
        hours=module.min_hours + 4,
        score=Decimal("80"),
        reason="签到表漏记",
    )
    return enrolment


def test_own_staff_see_a_correction_with_before_after_who_and_why(client, inst1_staff, officer):
    enrolment = _corrected(inst1_staff, officer)
    client.force_login(inst1_staff)

    section = _score_history_section(client.get(url(enrolment)).content.decode())

    row = section[section.index("签到表漏记") - 400 :]
    assert "Sample patterns" in row and "<td>60</td>" in row and "<td>64</td>" in row and "李老师" in row


def test_the_officer_sees_the_score_history(client, officer, inst1_staff):
    enrolment = _corrected(inst1_staff, officer)
    client.force_login(officer)

    assert "签到表漏记" in _score_history_section(client.get(url(enrolment)).content.decode())


def test_an_assessor_sees_the_score_history_and_still_only_the_masked_id(client, assessor, inst1_staff, officer):
    from certification import services as lifecycle

    enrolment = _corrected(inst1_staff, officer)
    factories.enter_passing_results(enrolment, inst1_staff)
    lifecycle.submit_results(staff=inst1_staff, enrolment_id=enrolment.pk)
    client.force_login(assessor)

    page = client.get(url(enrolment)).content.decode()

    assert "签到表漏记" in _score_history_section(page)
    assert "Exam, attempt 1" in _score_history_section(page)
    assert enrolment.trainee.id_number not in page


def test_a_conflicted_assessor_gets_404_whatever_the_history(client, assessor, inst1_staff, officer):
    from certification.models import ConflictDeclaration

    enrolment = factories.advance(
        factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="under_review"
    )
    ConflictDeclaration.objects.create(assessor=assessor, trainee=enrolment.trainee, kind="relative")
    client.force_login(assessor)

    assert client.get(url(enrolment)).status_code == 404


def test_another_institutions_staff_get_404_for_an_enrolment_with_history(client, inst2_staff, inst1_staff, officer):
    enrolment = _corrected(inst1_staff, officer)
    client.force_login(inst2_staff)

    response = client.get(url(enrolment))

    assert response.status_code == 404 and "签到表漏记" not in response.content.decode()


def test_its_query_count_does_not_grow_with_score_history(client, officer, inst1_staff):
    from certification import registration

    few = factories.advance(factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="trained")
    many = factories.advance(factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="trained")
    for extra in range(1, 6):
        for module in many.track.modules.all():
            registration.record_module_completion(
                staff=inst1_staff, enrolment_id=many.pk, module_id=module.pk, hours=module.min_hours + extra
            )
    assert many.score_changes.count() > few.score_changes.count() + 10
    client.force_login(officer)
    with CaptureQueriesContext(connection) as short:
        client.get(url(few))
    with CaptureQueriesContext(connection) as long:
        client.get(url(many))
    assert len(long) == len(short)


def test_the_withdraw_reason_box_is_inside_the_withdraw_action_only(client, inst1_staff, draft_enrolment):
    client.force_login(inst1_staff)
    page = client.get(url(draft_enrolment)).content.decode()
    submit_form = page[page.index("/move/submit/") : page.index("</form>", page.index("/move/submit/"))]
    assert "textarea" not in submit_form
    withdraw = page[page.index('data-move="withdraw"') : page.index("</details>", page.index('data-move="withdraw"'))]
    assert 'name="reason"' in withdraw and "/move/withdraw/" in withdraw


def test_nothing_to_do_is_never_said_beside_a_button(client, inst1_staff, officer, assessor, enrolled_enrolment):
    client.force_login(inst1_staff)
    page = client.get(url(enrolled_enrolment)).content.decode()
    assert f"/enrolments/{enrolled_enrolment.pk}/completions/" in page
    assert "data-nothing-to-do" not in page
    client.force_login(officer)
    page = client.get(url(enrolled_enrolment)).content.decode()
    assert ("data-nothing-to-do" in page) == ("/move/" not in page)


def test_the_message_after_a_move_names_the_button(client, inst1_staff, draft_enrolment):
    client.force_login(inst1_staff)
    page = client.get(url(draft_enrolment), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post(
        f"{url(draft_enrolment)}move/submit/", {"expected_status": "draft"}, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    shown = response.content.decode()
    label = shown[shown.index("message-success") :].split("“")[1].split("”")[0]
    assert label and f">{label}</button>" in page
