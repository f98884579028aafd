"""Closing ended periods: close_due_publicity, the `close_publicity` command and the hourly task."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from certification.models import EnrolmentStatus, StateLog
from core.errors import MoveForbidden
from workflows import tasks
from workflows.publicity import services as publicity

from .test_publicity_services import NEXT_MONDAY, at, lodge, open_notice, passed, status_of

AFTER_THE_END = NEXT_MONDAY + timedelta(days=1)


@pytest.fixture
def notice(officer, assessor, inst1_staff):
    enrolments = passed(inst1_staff, officer, assessor, count=2)
    return open_notice(officer, enrolments)


def candidates(notice):
    return [entry.enrolment for entry in notice.entries.select_related("enrolment").order_by("pk")]


def close(day=AFTER_THE_END, **kwargs) -> int:
    with at(day):
        return publicity.close_due_publicity(**kwargs)


def test_nothing_moves_on_the_last_day_of_the_period(notice):
    assert close(day=NEXT_MONDAY) == 0
    assert {status_of(e) for e in candidates(notice)} == {EnrolmentStatus.IN_PUBLICITY}


def test_after_the_period_every_candidate_moves_to_ready_to_issue_and_the_notice_closes(notice):
    assert close() == 2

    for enrolment in candidates(notice):
        assert status_of(enrolment) == EnrolmentStatus.READY_TO_ISSUE
        log = StateLog.objects.get(enrolment=enrolment, transition="close_publicity")
        assert log.actor is None  # the system
    notice.refresh_from_db()
    assert notice.closed_at is not None


def test_today_may_be_given_instead_of_read_from_the_clock(notice):
    assert publicity.close_due_publicity(today=NEXT_MONDAY) == 0
    assert publicity.close_due_publicity(today=AFTER_THE_END) == 2


def test_running_it_again_moves_nobody(notice):
    assert close() == 2
    assert close() == 0
    assert close(day=AFTER_THE_END + timedelta(days=30)) == 0
    assert StateLog.objects.filter(transition="close_publicity").count() == 2


def test_an_open_objection_holds_its_candidate_back_but_not_the_others(notice):
    held, free = candidates(notice)
    lodge(notice.entries.get(enrolment=held))

    assert close() == 1

    assert status_of(held) == EnrolmentStatus.IN_PUBLICITY
    assert status_of(free) == EnrolmentStatus.READY_TO_ISSUE
    notice.refresh_from_db()
    assert notice.closed_at is None


def test_a_dismissed_objection_lets_the_candidate_move_at_the_next_run(notice, officer):
    held, _ = candidates(notice)
    objection = lodge(notice.entries.get(enrolment=held))
    close()

    publicity.dismiss_objection(officer=officer, objection_id=objection.pk, reason="经核实无误")
    assert close() == 1

    assert status_of(held) == EnrolmentStatus.READY_TO_ISSUE
    notice.refresh_from_db()
    assert notice.closed_at is not None


def test_an_upheld_objection_disqualifies_its_candidate_and_the_rest_of_the_notice_closes(notice, officer):
    held, free = candidates(notice)
    objection = lodge(notice.entries.get(enrolment=held), day=date(2026, 3, 5))

    publicity.uphold_objection(officer=officer, objection_id=objection.pk, reason="实操作品非本人完成")
    moved = close()

    assert moved == 1
    assert status_of(held) == EnrolmentStatus.DISQUALIFIED
    assert held.state_logs.get(transition="uphold_objection").reason == "实操作品非本人完成"
    assert status_of(free) == EnrolmentStatus.READY_TO_ISSUE
    notice.refresh_from_db()
    assert notice.closed_at is not None


def test_an_officer_who_runs_it_is_recorded_in_the_state_log(notice, officer):
    assert close(actor=officer) == 2
    assert {log.actor for log in StateLog.objects.filter(transition="close_publicity")} == {officer}


@pytest.mark.parametrize("role_fixture", ["inst1_staff", "assessor"])
def test_nobody_but_the_office_or_the_system_runs_it(notice, request, role_fixture):
    with pytest.raises(MoveForbidden):
        close(actor=request.getfixturevalue(role_fixture))
    assert {status_of(e) for e in candidates(notice)} == {EnrolmentStatus.IN_PUBLICITY}


# The management command


def test_the_command_prints_how_many_moved_and_can_run_again(notice, capsys):
    with at(AFTER_THE_END):
        call_command("close_publicity")
        call_command("close_publicity")

    output = capsys.readouterr().out.splitlines()
    assert output == ["2 candidate(s) moved to ready to issue.", "0 candidate(s) moved to ready to issue."]


# The hourly task


def waiting_runs():
    return list(tasks.pending_close_runs())


@pytest.mark.django_db
def test_scheduling_enqueues_one_run_and_never_a_second():
    assert tasks.schedule_close_due_publicity() is True
    assert tasks.schedule_close_due_publicity() is False

    (run,) = waiting_runs()
    assert run.task_path == "workflows.tasks.close_due_publicity_task"


@pytest.mark.django_db
def test_the_schedule_command_enqueues_once(capsys):
    call_command("schedule_periodic_tasks")
    call_command("schedule_periodic_tasks")

    assert len(waiting_runs()) == 1
    assert "already waiting" in capsys.readouterr().out


def test_the_task_closes_ended_periods_and_schedules_itself_an_hour_later(notice):
    with at(AFTER_THE_END):
        moved = tasks.close_due_publicity_task.call()
        now = timezone.now()

    assert moved == 2
    (run,) = waiting_runs()
    assert run.run_after == now + tasks.CLOSE_INTERVAL


def test_the_task_does_not_pile_up_when_a_run_is_already_waiting(notice):
    tasks.schedule_close_due_publicity()

    with at(AFTER_THE_END):
        tasks.close_due_publicity_task.call()
        tasks.close_due_publicity_task.call()

    assert len(waiting_runs()) == 1


@pytest.mark.django_db
def test_a_run_stuck_as_running_does_not_stop_the_schedule():
    tasks.schedule_close_due_publicity()
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING)

    assert tasks.schedule_close_due_publicity() is True


def test_the_task_schedules_its_next_run_even_when_this_one_fails(notice, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(publicity, "close_due_publicity", broken)

    with pytest.raises(RuntimeError):
        tasks.close_due_publicity_task.call()

    assert len(waiting_runs()) == 1
