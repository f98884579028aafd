"""Each enrolment's derived figures (certification.derived_figures) always equal what the source rows
say: the funnel, the monthly moves and the pass rates read from EnrolmentFigures and its counts by
month (FiguresByMonth) are the ones counted here, independently, from the enrolments, their state
log and their attempts, with no filter, with each filter and with periods of whole months and of
parts of months, as the enrolments move on."""

from collections import Counter
from datetime import date, timedelta

from django.utils import timezone

from certification import derived_figures, registration, services
from certification import statistics as figures_of
from certification.models import AssessmentAttempt, Enrolment, EnrolmentFigures, FiguresByMonth, StateLog
from workflows.assessment import services as assessment

from .. import factories

# Where each status stands on the normal way, written out again here rather than imported.
STAGES = ["draft", "submitted", "enrolled", "trained", "under_review", "passed", "in_publicity", "certified"]
STANDS_AT = {
    "draft": "draft",
    "submitted": "submitted",
    "rejected": "submitted",
    "enrolled": "enrolled",
    "trained": "trained",
    "under_review": "under_review",
    "failed": "under_review",
    "passed": "passed",
    "in_publicity": "in_publicity",
    "disqualified": "in_publicity",
    "ready_to_issue": "in_publicity",
    "certified": "certified",
    "revoked": "certified",
}


def selected(enrolment: Enrolment, scope: figures_of.Scope) -> bool:
    return (
        (scope.track_id is None or enrolment.track_id == scope.track_id)
        and (scope.level is None or enrolment.batch.level == scope.level)
        and (scope.institution_id is None or enrolment.batch.institution_id == scope.institution_id)
        and (scope.batch_id is None or enrolment.batch_id == scope.batch_id)
    )


def in_period(moment, scope: figures_of.Scope) -> bool:
    day = timezone.localdate(moment)
    return (scope.date_from is None or day >= scope.date_from) and (scope.date_to is None or day <= scope.date_to)


def funnel_from_the_rows(scope) -> dict[str, tuple[int, dict[str, int]]]:
    at = dict.fromkeys(STAGES, 0)
    left = {stage: {} for stage in STAGES}
    for enrolment in Enrolment.objects.select_related("batch"):
        if not selected(enrolment, scope) or not in_period(enrolment.created_at, scope):
            continue
        status, exit_status = enrolment.status, None
        if status == "withdrawn":
            withdrawal = StateLog.objects.filter(enrolment=enrolment, to_status="withdrawn").last()
            status, exit_status = withdrawal.from_status, "withdrawn"
        elif status in ("rejected", "failed", "disqualified"):
            exit_status = status
        at[STANDS_AT[status]] += 1
        if exit_status:
            left[STANDS_AT[status]][exit_status] = left[STANDS_AT[status]].get(exit_status, 0) + 1
    reached = {stage: sum(list(at.values())[index:]) for index, stage in enumerate(STAGES)}
    return {stage: (reached[stage], left[stage]) for stage in STAGES}


def funnel_read(scope) -> dict[str, tuple[int, dict[str, int]]]:
    return {row.status: (row.reached, {k: n for k, n in row.left.items() if n}) for row in figures_of.funnel(scope)}


def moves_from_the_rows(scope) -> dict[tuple[date, int, str], int]:
    found: dict[tuple[date, int, str], int] = {}
    for move in StateLog.objects.filter(transition__in=["complete_training", "issue"]).select_related(
        "enrolment__batch"
    ):
        if selected(move.enrolment, scope) and in_period(move.created_at, scope):
            key = (timezone.localdate(move.created_at).replace(day=1), move.enrolment.track_id, move.transition)
            found[key] = found.get(key, 0) + 1
    return found


def pass_counts_from_the_rows(scope) -> dict[tuple[int, int], tuple[int, int, int]]:
    found: dict[tuple[int, int], tuple[int, int, int]] = {}
    for first in AssessmentAttempt.objects.filter(number=1, outcome__in=["passed", "failed"]).select_related(
        "enrolment__batch"
    ):
        if not selected(first.enrolment, scope) or not in_period(first.reviewed_at, scope):
            continue
        later = first.enrolment.attempts.filter(number__gt=1, outcome="passed").exists()
        key = (first.enrolment.track_id, first.enrolment.batch.institution_id)
        assessed, passed, eventually = found.get(key, (0, 0, 0))
        found[key] = (
            assessed + 1,
            passed + (first.outcome == "passed"),
            eventually + (first.outcome == "passed" or later),
        )
    return found


def pass_counts_read(scope) -> dict[tuple[int, int], tuple[int, int, int]]:
    return {
        (row.track_id, row.institution_id): (row.assessed, row.passed_first, row.passed_eventually)
        for row in figures_of.pass_counts(scope)
    }


def last_day_of_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def scopes(made) -> list[figures_of.Scope]:
    today = timezone.localdate()
    a_year_ago = today - timedelta(days=365)  # the day of the issue move made by hand
    first = made["trained"]
    return [
        figures_of.Scope(),
        figures_of.Scope(date_from=today, date_to=today),
        figures_of.Scope(date_to=today - timedelta(days=1)),
        figures_of.Scope(track_id=first.track_id),
        figures_of.Scope(level=first.batch.level),
        figures_of.Scope(level=1),
        figures_of.Scope(institution_id=first.batch.institution_id),
        figures_of.Scope(batch_id=first.batch_id),
        # Periods of whole months, of months' parts and both: the whole months are counted from
        # FiguresByMonth, the parts from the rows (certification.statistics.counted).
        figures_of.Scope(date_from=today.replace(day=1)),
        figures_of.Scope(date_from=a_year_ago, date_to=today),
        figures_of.Scope(date_from=a_year_ago + timedelta(days=1), date_to=today, level=first.batch.level),
        figures_of.Scope(date_from=a_year_ago.replace(day=1), date_to=last_day_of_month(a_year_ago)),
        figures_of.Scope(date_from=a_year_ago.replace(day=1), date_to=today - timedelta(days=1)),
        figures_of.Scope(date_to=last_day_of_month(a_year_ago), track_id=first.track_id),
        figures_of.Scope(date_from=a_year_ago, date_to=a_year_ago),
    ]


def counted_by_month_from_the_rows() -> Counter:
    """FiguresByMonth as it must be: the EnrolmentFigures rows but the drafts' counted here, by the
    local month of each moment and every other column, and each row's level that of its batch."""
    found: Counter = Counter()
    for row in EnrolmentFigures.objects.select_related("batch"):
        assert row.level == row.batch.level
        if (row.furthest_stage, row.exit_status) == (0, ""):
            continue  # a draft: it may yet be deleted, and is counted from its row
        common = (row.batch_id, row.institution_id, row.track_id, row.level)
        for moment, at, extra in [
            ("registered", row.created_at, (row.furthest_stage, row.exit_status, False, False)),
            ("trained", row.trained_at, (None, "", False, False)),
            ("certified", row.certified_at, (None, "", False, False)),
            ("first_decided", row.first_decided_at, (None, "", row.passed_first, row.passed_later)),
        ]:
            if at is not None:
                found[(moment, timezone.localdate(at).replace(day=1), *common, *extra)] += 1
    return found


def counted_by_month() -> Counter:
    columns = [
        "moment",
        "month",
        "batch_id",
        "institution_id",
        "track_id",
        "level",
        "furthest_stage",
        "exit_status",
        "passed_first",
        "passed_later",
    ]
    found: Counter = Counter()
    for *key, n in FiguresByMonth.objects.values_list(*columns, "n"):
        found[tuple(key)] += n
    return found


def assert_the_figures_agree_with_the_rows(made) -> None:
    for scope in scopes(made):
        assert funnel_read(scope) == funnel_from_the_rows(scope), scope
        assert figures_of.monthly_moves(scope) == moves_from_the_rows(scope), scope
        assert pass_counts_read(scope) == pass_counts_from_the_rows(scope), scope
    assert counted_by_month() == counted_by_month_from_the_rows()


def test_the_derived_figures_follow_the_rows_as_enrolments_register_and_move(
    inst1_staff, inst2_staff, officer, assessor
):
    made = {"draft": factories.draft_enrolment(inst1_staff)}
    for name, to, staff, track in [
        ("submitted", "submitted", inst1_staff, "PM"),
        ("rejected", "submitted", inst1_staff, "PM"),
        ("withdrawn", "enrolled", inst1_staff, "PM"),
        ("trained", "trained", inst1_staff, "PM"),
        ("failed", "under_review", inst1_staff, "PM"),
        ("passed", "passed", inst1_staff, "PM"),
        ("other", "trained", inst2_staff, "CR"),
    ]:
        made[name] = factories.advance(
            factories.draft_enrolment(staff, track), staff=staff, officer=officer, to=to, assessor=assessor
        )
    services.reject_enrolments(officer=officer, enrolment_ids=[made["rejected"].pk], reason="Papers missing")
    services.withdraw(actor=inst1_staff, enrolment_id=made["withdrawn"].pk, reason="Moved away")
    task = factories.open_review_task(made["failed"])
    assessment.decide(assessor=assessor, task_id=task.pk, decision="fail", reason="Practical work incomplete")
    # An issue move a year ago, by hand: the months and the period see it where it was made.
    StateLog.objects.create(
        enrolment=made["passed"],
        transition="issue",
        from_status="ready_to_issue",
        to_status="certified",
        created_at=timezone.now() - timedelta(days=365),
    )

    assert_the_figures_agree_with_the_rows(made)
    assert derived_figures.refresh() is False  # nothing moved since the figures were counted
    assert EnrolmentFigures.objects.count() == Enrolment.objects.count() == 8

    # Later: a resit passes, a new registration, another trained.
    services.schedule_resit(staff=inst1_staff, enrolment_id=made["failed"].pk)
    factories.enter_passing_results(made["failed"], inst1_staff)
    services.submit_results(staff=inst1_staff, enrolment_id=made["failed"].pk)
    for _ in range(made["failed"].track.reviewers_required):
        task = factories.open_review_task(made["failed"])
        assessment.decide(assessor=assessor, task_id=task.pk, decision="pass")
        assessor = factories.second_assessor(assessor)
    made["new"] = factories.draft_enrolment(inst2_staff, "CR")
    # A draft deleted: nothing moved, and it is counted nowhere any more.
    registration.delete_draft_enrolment(staff=inst1_staff, enrolment_id=made.pop("draft").pk)
    factories.enter_passing_results(made["other"], inst2_staff)
    services.submit_results(staff=inst2_staff, enrolment_id=made["other"].pk)

    assert derived_figures.refresh() is True
    assert_the_figures_agree_with_the_rows(made)
    row = EnrolmentFigures.objects.get(enrolment=made["failed"])
    assert (row.passed_first, row.passed_later, row.exit_status) == (False, True, "")
    assert pass_counts_read(figures_of.Scope(institution_id=inst1_staff.institution_id)) == {
        (made["failed"].track_id, inst1_staff.institution_id): (2, 1, 2)
    }
