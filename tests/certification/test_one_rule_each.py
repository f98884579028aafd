"""Each rule has one home: the tests here fail when a second definition drifts from the first.

- what a move also does in other apps is the registry in certification.effects, and its table;
- nothing outside certification.services makes a move by name (`_move` stays private);
- withdraw, pass and fail close the assessment whichever path made the move;
- the conflict-of-interest rule, from the assessor's side and the candidate's, and the object check;
- what an assessor may see: the object check and the list agree for every role and status;
- the pass rule: bulk approval's "clean" and the lifecycle's `pass` agree at any pass marks;
- minimum hours: the enrolment page marks exactly the modules that keep training from completing.
"""

import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from viewflow.workflow.models import Task

from certification import effects, permissions, rules, selectors, services
from certification.models import ConflictDeclaration, Enrolment, EnrolmentStatus, Role, User
from core.errors import RuleNotMet
from workflows.assessment import selectors as assessment_selectors
from workflows.assessment.selectors import OPEN_TASK_STATUSES

from .. import factories
from .test_lifecycle_transitions import enrolment_in

ROOT = Path(__file__).resolve().parents[2]
S = EnrolmentStatus


def table_in_effects_docstring() -> dict[str, set[str]]:
    """The (move → apps) table written in certification/effects.py's docstring."""
    table: dict[str, set[str]] = {}
    for line in effects.__doc__.splitlines():
        match = re.match(r"^\s{4}([a-z_, ]+?)\s{2,}(workflows|certificates|notifications|integrations)\s{1,}\S", line)
        if match:
            for move in match.group(1).split(","):
                table.setdefault(move.strip(), set()).add(match.group(2))
    return table


def test_the_effects_registered_are_the_ones_the_registry_lists():
    registered = {move: {name.split(".")[0] for name in names} for move, names in effects.registered().items()}
    assert registered == table_in_effects_docstring()
    assert registered  # the table was read at all


def test_no_module_outside_the_services_makes_a_move_by_name():
    sources = subprocess.run(
        ["git", "grep", "-l", "-E", r"\b_move(_many)?\(", "--", "*.py", ":!tests/*"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert sources == ["certification/services.py"]


def open_tasks(enrolment) -> int:
    return Task.objects.filter(process__assessmentprocess__enrolment=enrolment, status__in=OPEN_TASK_STATUSES).count()


@pytest.fixture
def cast(officer, assessor, inst1_staff):
    return {"staff": inst1_staff, "officer": officer, "assessor": assessor}


def test_withdrawing_a_candidate_under_review_closes_its_review_task(cast, inst1_staff):
    enrolment = enrolment_in(S.UNDER_REVIEW, **cast)
    assert open_tasks(enrolment) == 1

    services.withdraw(actor=inst1_staff, enrolment_id=enrolment.pk, reason="moved away")

    assert open_tasks(enrolment) == 0


@pytest.mark.parametrize("decision", ["pass", "fail"])
def test_a_decision_made_outside_the_review_page_closes_the_review_task(cast, assessor, decision):
    enrolment = enrolment_in(S.UNDER_REVIEW, **cast)

    services.decide_review(assessor=assessor, enrolment_id=enrolment.pk, decision=decision, reason="seen")

    assert open_tasks(enrolment) == 0
    assert assessment_selectors.review_queue_for(assessor).count() == 0


def test_conflict_of_interest_is_one_rule_seen_from_both_sides(inst1, inst2, inst1_staff, inst2_staff):
    affiliated = factories.user("affiliated-assessor", Role.ASSESSOR, institution=inst1)
    declared = factories.user("declared-assessor", Role.ASSESSOR)
    free = factories.user("free-assessor", Role.ASSESSOR)
    elsewhere = factories.user("elsewhere-assessor", Role.ASSESSOR, institution=inst2)
    candidates = [factories.draft_enrolment(inst1_staff), factories.draft_enrolment(inst2_staff)]
    ConflictDeclaration.objects.create(assessor=declared, trainee=candidates[1].trainee, kind="relative")

    seen = {}
    for assessor in (affiliated, declared, free, elsewhere):
        conflicted = set(
            Enrolment.objects.filter(permissions.conflicted_enrolments(assessor)).values_list("pk", flat=True)
        )
        for enrolment in candidates:
            by_object = permissions.has_conflict_of_interest(assessor, enrolment)
            by_candidate = User.objects.filter(permissions.conflicted_assessors(enrolment), pk=assessor.pk).exists()
            assert by_object == by_candidate == (enrolment.pk in conflicted), (assessor.username, enrolment.pk)
            seen[(assessor.username, enrolment.batch.institution_id)] = by_object

    assert seen == {
        ("affiliated-assessor", inst1.pk): True,
        ("affiliated-assessor", inst2.pk): False,
        ("declared-assessor", inst1.pk): False,
        ("declared-assessor", inst2.pk): True,
        ("free-assessor", inst1.pk): False,
        ("free-assessor", inst2.pk): False,
        ("elsewhere-assessor", inst1.pk): False,
        ("elsewhere-assessor", inst2.pk): True,
    }


@pytest.mark.parametrize("status", [s for s in S.values if s not in (S.DISQUALIFIED,)])
def test_what_a_user_may_see_of_an_enrolment_is_the_same_rule_on_pages_and_in_moves(
    status, officer, assessor, inst1_staff, inst2_staff
):
    enrolment = enrolment_in(status, staff=inst1_staff, officer=officer, assessor=assessor)
    conflicted = factories.user("conflicted-assessor", Role.ASSESSOR)
    ConflictDeclaration.objects.create(assessor=conflicted, trainee=enrolment.trainee, kind="colleague")
    trainee_account = enrolment.trainee.user
    stranger = factories.user("another-trainee", Role.TRAINEE)

    for user in (officer, assessor, conflicted, inst1_staff, inst2_staff, trainee_account, stranger):
        if user is None:
            continue
        listed = selectors.enrolments_visible_to(user).filter(pk=enrolment.pk).exists()
        assert permissions.can_view_enrolment(user, enrolment) == listed, (user.username, status)


@pytest.mark.parametrize(
    ("theory", "practical"), [("74", "80"), ("75", "80"), ("80", "69"), ("80", "70"), ("75", "70"), ("100", "0")]
)
def test_bulk_approval_calls_clean_exactly_what_the_pass_rule_passes(cast, assessor, theory, practical):
    enrolment = factories.draft_enrolment(cast["staff"], "CR")
    track = enrolment.track
    track.pass_mark_theory, track.pass_mark_practical = 75, 70
    track.save()
    factories.advance(enrolment, staff=cast["staff"], officer=cast["officer"], to="trained")
    factories.enter_passing_results(enrolment, cast["staff"], theory=Decimal(theory), practical=Decimal(practical))
    services.submit_results(staff=cast["staff"], enrolment_id=enrolment.pk)
    task = assessment_selectors.review_queue_for(assessor).get(process__assessmentprocess__enrolment=enrolment)

    try:
        services.decide_review(assessor=assessor, enrolment_id=enrolment.pk, decision="pass")
        passes = True
    except RuleNotMet:
        passes = False

    assert assessment_selectors.is_clean(task) == passes


def test_the_enrolment_page_marks_the_modules_that_keep_training_incomplete(client, inst1_staff, officer):
    enrolment = factories.advance(
        factories.draft_enrolment(inst1_staff, "CR"), staff=inst1_staff, officer=officer, to="enrolled"
    )
    first, second, *_ = enrolment.track.modules.filter(is_required=True)
    from certification import registration

    registration.record_module_completion(
        staff=inst1_staff, enrolment_id=enrolment.pk, module_id=first.pk, hours=first.min_hours, score=Decimal("80")
    )
    registration.record_module_completion(
        staff=inst1_staff,
        enrolment_id=enrolment.pk,
        module_id=second.pk,
        hours=second.min_hours - 1,
        score=Decimal("80"),
    )
    client.force_login(inst1_staff)

    rows = client.get(f"/enrolments/{enrolment.pk}/").context["modules"]

    marked = {row.module for row in rows if row.short_of_hours}
    assert marked == set(rules.modules_short_of_hours(enrolment))
    assert first not in marked and second in marked
