"""Two people make the same move at the same moment (docs/spec.md §4): the row lock lets exactly one win.

PostgreSQL only: SQLite has no row locks (it serialises whole transactions). Each thread has its own
database connection, so the test cannot run inside the usual rolled-back test transaction.
"""

import threading

import pytest
from django.db import connection

from certification import services
from certification.models import EnrolmentStatus, Role, StateLog, TrackQuota
from core.errors import LifecycleError, RuleNotMet, StaleState

from .. import factories

pytestmark = [
    pytest.mark.postgres,
    # The flush after each test would wipe the catalogue the migrations seeded: restore it.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def race(*calls):
    """Run the calls in threads released together; return what each returned or raised, in order."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck: a lock was never released"
    return outcomes


def winners_and_losers(outcomes):
    errors = [o for o in outcomes if isinstance(o, Exception)]
    unexpected = [e for e in errors if not isinstance(e, LifecycleError)]
    assert not unexpected, f"unexpected errors: {unexpected!r}"
    return len(outcomes) - len(errors), errors


def test_two_submissions_of_the_same_draft_let_exactly_one_through(inst1_staff):
    draft = factories.draft_enrolment(inst1_staff)
    colleague = factories.user("inst1-colleague", Role.INSTITUTION, institution=inst1_staff.institution)

    outcomes = race(
        lambda: services.submit_enrolment(actor=inst1_staff, enrolment_id=draft.pk),
        lambda: services.submit_enrolment(actor=colleague, enrolment_id=draft.pk),
    )

    wins, losses = winners_and_losers(outcomes)
    assert wins == 1
    assert len(losses) == 1 and isinstance(losses[0], StaleState)
    assert StateLog.objects.filter(enrolment=draft).count() == 1
    draft.refresh_from_db()
    assert draft.status == EnrolmentStatus.SUBMITTED


def test_two_submissions_expecting_a_draft_give_the_loser_a_readable_message(inst1_staff):
    draft = factories.draft_enrolment(inst1_staff)

    outcomes = race(
        *[lambda: services.submit_enrolment(actor=inst1_staff, enrolment_id=draft.pk, expected_status="draft")] * 2
    )

    wins, losses = winners_and_losers(outcomes)
    assert wins == 1 and isinstance(losses[0], StaleState)
    assert "Someone else moved this enrolment first" in losses[0].message
    assert StateLog.objects.filter(enrolment=draft).count() == 1


def test_two_officers_approving_the_same_enrolment_approve_it_once(inst1_staff, officer):
    enrolment = factories.advance(
        factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="submitted"
    )
    second_officer = factories.user("officer2", Role.OFFICER)

    outcomes = race(
        lambda: services.approve_enrolments(officer=officer, enrolment_ids=[enrolment.pk]),
        lambda: services.approve_enrolments(officer=second_officer, enrolment_ids=[enrolment.pk]),
    )

    wins, losses = winners_and_losers(outcomes)
    assert wins == 1
    assert len(losses) == 1 and isinstance(losses[0], StaleState)
    assert StateLog.objects.filter(enrolment=enrolment, transition="approve").count() == 1
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENROLLED
    assert enrolment.trainee.user is not None


def test_two_approvals_competing_for_the_last_quota_place_let_exactly_one_win(inst1, inst1_staff, officer):
    TrackQuota.objects.filter(institution=inst1, track__code="PM").update(quota=1)
    first, second = (
        factories.advance(factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="submitted")
        for _ in range(2)
    )
    second_officer = factories.user("officer2", Role.OFFICER)

    outcomes = race(
        lambda: services.approve_enrolments(officer=officer, enrolment_ids=[first.pk]),
        lambda: services.approve_enrolments(officer=second_officer, enrolment_ids=[second.pk]),
    )

    wins, losses = winners_and_losers(outcomes)
    assert wins == 1
    assert len(losses) == 1 and isinstance(losses[0], RuleNotMet) and "used up" in losses[0].message
    first.refresh_from_db(), second.refresh_from_db()
    assert sorted([first.status, second.status]) == [EnrolmentStatus.ENROLLED, EnrolmentStatus.SUBMITTED]
    assert StateLog.objects.filter(transition="approve").count() == 1


def test_two_bulk_approvals_in_opposite_order_do_not_deadlock(inst1_staff, officer):
    first, second = (
        factories.advance(factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="submitted")
        for _ in range(2)
    )
    second_officer = factories.user("officer2", Role.OFFICER)

    outcomes = race(
        lambda: services.approve_enrolments(officer=officer, enrolment_ids=[first.pk, second.pk]),
        lambda: services.approve_enrolments(officer=second_officer, enrolment_ids=[second.pk, first.pk]),
    )

    wins, losses = winners_and_losers(outcomes)
    assert wins == 1 and isinstance(losses[0], StaleState)
    assert StateLog.objects.filter(transition="approve").count() == 2
