"""Closing, objections and decisions at the same moment (PostgreSQL row locks).

PostgreSQL only: SQLite has no row locks. Each thread has its own connection, so these tests run
outside the usual rolled-back test transaction.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from certification.models import Enrolment, EnrolmentStatus, StateLog
from core.errors import StaleState
from workflows.models import Objection, ObjectionStatus
from workflows.publicity import services as publicity

from ..certification.test_race_conditions import race
from .test_publicity_services import passed

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


@pytest.fixture
def notice(officer, assessor, inst1_staff):
    enrolments = passed(inst1_staff, officer, assessor, count=3)
    notice = publicity.open_publicity(officer=officer, enrolment_ids=[e.pk for e in enrolments], title="公示")
    # The period ends today: objections are still taken, and tomorrow's close is due.
    Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]).update(publicity_ends_on=timezone.localdate())
    return notice


def tomorrow():
    return timezone.localdate() + timedelta(days=1)


def test_two_closes_at_once_move_each_candidate_exactly_once(notice):
    outcomes = race(
        lambda: publicity.close_due_publicity(today=tomorrow()),
        lambda: publicity.close_due_publicity(today=tomorrow()),
    )

    assert sum(outcomes) == 3
    assert StateLog.objects.filter(transition="close_publicity").count() == 3


def test_an_objection_racing_the_close_is_either_kept_with_its_candidate_or_refused(notice):
    entry = notice.entries.order_by("pk").first()

    outcomes = race(
        lambda: publicity.lodge_objection(entry_id=entry.pk, name="李四", contact="13900000000", text="造假"),
        lambda: publicity.close_due_publicity(today=tomorrow()),
    )

    entry.enrolment.refresh_from_db()
    if Objection.objects.exists():
        assert entry.enrolment.status == EnrolmentStatus.IN_PUBLICITY
        assert outcomes[1] == 2
    else:
        assert entry.enrolment.status == EnrolmentStatus.READY_TO_ISSUE
        assert outcomes[1] == 3


def test_two_objections_upheld_at_once_disqualify_once_without_deadlock(notice, officer):
    entry = notice.entries.order_by("pk").first()
    first, second = (
        publicity.lodge_objection(entry_id=entry.pk, name=name, contact="13900000000", text="造假")
        for name in ("甲", "乙")
    )

    outcomes = race(
        lambda: publicity.uphold_objection(officer=officer, objection_id=first.pk, reason="属实"),
        lambda: publicity.uphold_objection(officer=officer, objection_id=second.pk, reason="属实"),
    )

    assert sum(isinstance(outcome, StaleState) for outcome in outcomes) == 1
    assert StateLog.objects.filter(transition="uphold_objection").count() == 1
    assert set(Objection.objects.values_list("status", flat=True)) == {ObjectionStatus.UPHELD}
