from certification.models import EnrolmentStatus, StateLog

from .. import factories


def test_an_enrolment_walks_to_ready_to_issue(draft_enrolment, inst1_staff, officer, assessor):
    enrolment = factories.advance(draft_enrolment, staff=inst1_staff, officer=officer, assessor=assessor,
                                  to="ready_to_issue")
    assert enrolment.status == EnrolmentStatus.READY_TO_ISSUE
    assert list(StateLog.objects.filter(enrolment=enrolment).values_list("to_status", flat=True)) == [
        "submitted", "enrolled", "trained", "under_review", "passed", "in_publicity", "ready_to_issue",
    ]
    assert enrolment.trainee.user.username == enrolment.trainee.id_number
