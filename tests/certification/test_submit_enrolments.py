"""services.submit_enrolments: many drafts submitted at once, each refused or moved on its own."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certification import services
from certification.models import Enrolment, EnrolmentStatus, InstitutionStatus, Role, StateLog
from core.errors import MoveForbidden, RuleNotMet, StaleState

from .. import factories

pytestmark = pytest.mark.django_db


def drafts(staff, count):
    batch = factories.batch(staff.institution, capacity=count + 5)
    return [factories.draft_enrolment(staff, batch_obj=batch) for _ in range(count)]


def test_it_submits_each_draft_and_writes_its_state_log(inst1_staff):
    enrolments = drafts(inst1_staff, 3)

    outcomes = services.submit_enrolments(actor=inst1_staff, enrolment_ids=[e.pk for e in enrolments])

    assert [o.pk for o in outcomes] == [e.pk for e in enrolments]
    assert set(Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]).values_list("status", flat=True)) == {
        EnrolmentStatus.SUBMITTED
    }
    logs = StateLog.objects.filter(enrolment__in=enrolments)
    assert sorted((log.enrolment_id, log.transition, log.from_status, log.to_status, log.actor_id) for log in logs) == [
        (e.pk, "submit", EnrolmentStatus.DRAFT, EnrolmentStatus.SUBMITTED, inst1_staff.pk) for e in enrolments
    ]


def test_a_refusal_leaves_its_enrolment_as_it_was_and_the_others_go_on(inst1_staff, inst2_staff, officer):
    mine, already = drafts(inst1_staff, 2)
    services.submit_enrolment(actor=inst1_staff, enrolment_id=already.pk)
    theirs = factories.draft_enrolment(inst2_staff)
    missing = max(Enrolment.objects.values_list("pk", flat=True)) + 100

    outcomes = services.submit_enrolments(actor=inst1_staff, enrolment_ids=[theirs.pk, mine.pk, already.pk, missing])

    assert isinstance(outcomes[0], MoveForbidden)
    assert outcomes[0].message == "You may not “Submit for approval” this enrolment."
    assert outcomes[1].pk == mine.pk and outcomes[1].status == EnrolmentStatus.SUBMITTED
    assert isinstance(outcomes[2], StaleState)
    assert (
        outcomes[2].message == "“Submit for approval” is not possible while the enrolment is “submitted for approval”."
    )
    assert isinstance(outcomes[3], StaleState) and outcomes[3].message == "This enrolment no longer exists."
    theirs.refresh_from_db()
    assert theirs.status == EnrolmentStatus.DRAFT and not theirs.state_logs.exists()
    assert already.state_logs.count() == 1


def test_a_draft_of_an_institution_not_yet_vetted_is_refused_with_the_rule(db):
    pending = factories.institution(status=InstitutionStatus.PENDING)
    staff = factories.user("pending-staff", Role.INSTITUTION, institution=pending)
    [draft] = drafts(staff, 1)

    [outcome] = services.submit_enrolments(actor=staff, enrolment_ids=[draft.pk])

    assert isinstance(outcome, RuleNotMet)
    assert outcome.message == "The institution is not approved (vetted) by the certification office."
    draft.refresh_from_db()
    assert draft.status == EnrolmentStatus.DRAFT


def test_an_officer_cannot_submit_an_institutions_drafts(inst1_staff, officer):
    [draft] = drafts(inst1_staff, 1)

    [outcome] = services.submit_enrolments(actor=officer, enrolment_ids=[draft.pk])

    assert isinstance(outcome, MoveForbidden)
    assert not StateLog.objects.exists()


def test_an_id_given_twice_is_submitted_once(inst1_staff):
    [draft] = drafts(inst1_staff, 1)

    first, second = services.submit_enrolments(actor=inst1_staff, enrolment_ids=[draft.pk, draft.pk])

    assert first is second and first.status == EnrolmentStatus.SUBMITTED
    assert StateLog.objects.filter(enrolment=draft).count() == 1


def test_the_queries_are_the_same_for_one_draft_and_for_twenty(inst1_staff):
    one, twenty = drafts(inst1_staff, 1), drafts(inst1_staff, 20)

    with CaptureQueriesContext(connection) as for_one:
        services.submit_enrolments(actor=inst1_staff, enrolment_ids=[e.pk for e in one])
    with CaptureQueriesContext(connection) as for_twenty:
        services.submit_enrolments(actor=inst1_staff, enrolment_ids=[e.pk for e in twenty])

    assert len(for_one.captured_queries) == len(for_twenty.captured_queries)


def test_nothing_is_asked_of_the_database_for_no_drafts(inst1_staff):
    with CaptureQueriesContext(connection) as queries:
        assert services.submit_enrolments(actor=inst1_staff, enrolment_ids=[]) == []
    assert queries.captured_queries == []


def test_only_status_only_moves_can_be_made_together(inst1_staff):
    with pytest.raises(ValueError):
        services._move_each(actor=inst1_staff, enrolment_ids=[1], transition="approve")


def test_the_status_cannot_be_saved_in_bulk_without_a_lifecycle_move(inst1_staff):
    [draft] = drafts(inst1_staff, 1)
    draft.status = EnrolmentStatus.ENROLLED

    with pytest.raises(ValidationError):
        Enrolment.objects.save_moves([draft])

    assert Enrolment.objects.get(pk=draft.pk).status == EnrolmentStatus.DRAFT
