"""Every lifecycle move (docs/spec.md §4): allowed for the right role and object, refused for everyone else.

Each row of MOVES says who may make the move and from which situation; the tests below run every
row against every kind of person. A refused move changes nothing: neither the status nor the log.
"""

from dataclasses import dataclass, field

import pytest

from certification import services
from certification import services as lifecycle
from certification.models import EnrolmentStatus as S
from certification.models import Role, StateLog
from core.errors import MoveForbidden, StaleState

from .. import factories

# --- Situations: enrolments walked through the real services ------------------------------------

# The states factories.advance does not reach: (the state before, who moves, the move).
_STEP_INTO = {
    S.REJECTED: (S.SUBMITTED, "officer", "reject"),
    S.FAILED: (S.UNDER_REVIEW, "assessor", "fail"),
    S.CERTIFIED: (S.READY_TO_ISSUE, "officer", "issue"),
    S.REVOKED: (S.CERTIFIED, "officer", "revoke"),
    S.DISQUALIFIED: (S.IN_PUBLICITY, "officer", "uphold_objection"),
    S.WITHDRAWN: (S.DRAFT, "staff", "withdraw"),
}


def enrolment_in(status: str, *, staff, officer, assessor, track_code="PM", trainee=None, batch=None):
    """A new enrolment of `staff`'s institution, moved through the real services to `status`."""
    enrolment = factories.draft_enrolment(staff, track_code, trainee_obj=trainee, batch_obj=batch)
    walk(enrolment, status, staff=staff, officer=officer, assessor=assessor)
    assert enrolment.status == status
    return enrolment


def walk(enrolment, status: str, *, staff, officer, assessor) -> None:
    """Move `enrolment` (a draft) forward to `status`, the way the people would."""
    if status in _STEP_INTO:
        before, who, move = _STEP_INTO[status]
        walk(enrolment, before, staff=staff, officer=officer, assessor=assessor)
        actor = {"staff": staff, "officer": officer, "assessor": assessor}[who]
        services._move(actor=actor, enrolment_id=enrolment.pk, transition=move, reason="test reason")
    elif status != S.DRAFT:
        factories.advance(enrolment, staff=staff, officer=officer, assessor=assessor, to=status)
    enrolment.refresh_from_db()


def ready_for(move: "Move", people) -> object:
    """An enrolment from which `move` is possible and whose business rules are met."""
    enrolment = enrolment_in(move.source, staff=people.inst1_staff, officer=people.officer, assessor=people.assessor)
    if move.name == "complete_training":
        factories.complete_all_modules(enrolment, people.inst1_staff)
    if move.name == "submit_results":
        factories.enter_passing_results(enrolment, people.inst1_staff)
    return enrolment


# --- The table of moves ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    name: str
    source: str
    target: str
    allowed: frozenset = field(default_factory=frozenset)  # names of the people who may make it

    def __str__(self):
        return f"{self.name}-from-{self.source}"


INSTITUTION = frozenset({"inst1_staff"})
OFFICER = frozenset({"officer"})
ASSESSOR = frozenset({"assessor"})
PEOPLE = ["officer", "assessor", "inst1_staff", "inst2_staff", "a_trainee", "the_system"]

MOVES = [
    Move("submit", S.DRAFT, S.SUBMITTED, INSTITUTION),
    Move("approve", S.SUBMITTED, S.ENROLLED, OFFICER),
    Move("reject", S.SUBMITTED, S.REJECTED, OFFICER),
    Move("resubmit", S.REJECTED, S.SUBMITTED, INSTITUTION),
    Move("complete_training", S.ENROLLED, S.TRAINED, INSTITUTION),
    Move("submit_results", S.TRAINED, S.UNDER_REVIEW, INSTITUTION),
    Move("return_for_correction", S.UNDER_REVIEW, S.TRAINED, ASSESSOR),
    Move("pass", S.UNDER_REVIEW, S.PASSED, ASSESSOR),
    Move("fail", S.UNDER_REVIEW, S.FAILED, ASSESSOR),
    Move("schedule_resit", S.FAILED, S.TRAINED, INSTITUTION),
    Move("open_publicity", S.PASSED, S.IN_PUBLICITY, OFFICER),
    Move("close_publicity", S.IN_PUBLICITY, S.READY_TO_ISSUE, OFFICER | {"the_system"}),
    Move("uphold_objection", S.IN_PUBLICITY, S.DISQUALIFIED, OFFICER),
    Move("issue", S.READY_TO_ISSUE, S.CERTIFIED, OFFICER),
    Move("revoke", S.CERTIFIED, S.REVOKED, OFFICER),
    *[
        Move("withdraw", source, S.WITHDRAWN, OFFICER | INSTITUTION)
        for source in (
            S.DRAFT,
            S.SUBMITTED,
            S.REJECTED,
            S.ENROLLED,
            S.UNDER_REVIEW,
            S.FAILED,
            S.IN_PUBLICITY,
            S.READY_TO_ISSUE,
        )
    ],
]

ALLOWED = [(move, person) for move in MOVES for person in sorted(move.allowed)]
REFUSED = [(move, person) for move in MOVES for person in PEOPLE if person not in move.allowed]


class People:
    """Everyone who might try a move, looked up by name."""

    def __init__(self, officer, assessor, inst1_staff, inst2_staff):
        self.officer, self.assessor = officer, assessor
        self.inst1_staff, self.inst2_staff = inst1_staff, inst2_staff
        self.a_trainee = factories.user("trainee-account", Role.TRAINEE)
        self.the_system = None

    def __getitem__(self, name):
        return getattr(self, name)


@pytest.fixture
def people(officer, assessor, inst1_staff, inst2_staff):
    return People(officer, assessor, inst1_staff, inst2_staff)


def log_count(enrolment) -> int:
    return StateLog.objects.filter(enrolment=enrolment).count()


def status_of(enrolment) -> str:
    enrolment.refresh_from_db()
    return enrolment.status


# --- Tests -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("move", "person"), ALLOWED, ids=[f"{m}-by-{p}" for m, p in ALLOWED])
def test_the_right_person_makes_the_move_and_it_is_logged(people, move, person):
    enrolment = ready_for(move, people)
    logs_before = log_count(enrolment)

    services._move(actor=people[person], enrolment_id=enrolment.pk, transition=move.name, reason="because")

    assert status_of(enrolment) == move.target
    assert log_count(enrolment) == logs_before + 1
    log = StateLog.objects.filter(enrolment=enrolment).latest("pk")
    assert (log.transition, log.from_status, log.to_status) == (move.name, move.source, move.target)
    assert log.actor == people[person]
    assert log.reason == "because"


@pytest.mark.parametrize(("move", "person"), REFUSED, ids=[f"{m}-by-{p}" for m, p in REFUSED])
def test_anyone_else_is_refused_and_nothing_changes(people, move, person):
    enrolment = ready_for(move, people)
    logs_before = log_count(enrolment)

    with pytest.raises(MoveForbidden) as refused:
        services._move(actor=people[person], enrolment_id=enrolment.pk, transition=move.name, reason="because")

    assert "You may not" in refused.value.message
    assert status_of(enrolment) == move.source
    assert log_count(enrolment) == logs_before


INSTITUTION_MOVES = [move for move in MOVES if "inst1_staff" in move.allowed]


@pytest.mark.parametrize("move", INSTITUTION_MOVES, ids=str)
def test_another_institutions_staff_cannot_make_institution_moves(people, move):
    enrolment = ready_for(move, people)

    with pytest.raises(MoveForbidden):
        services._move(actor=people.inst2_staff, enrolment_id=enrolment.pk, transition=move.name, reason="because")

    assert status_of(enrolment) == move.source


def test_an_inactive_officer_cannot_move_anything(people, submitted_enrolment):
    people.officer.is_active = False
    people.officer.save()

    with pytest.raises(MoveForbidden):
        services.approve_enrolments(officer=people.officer, enrolment_ids=[submitted_enrolment.pk])

    assert status_of(submitted_enrolment) == S.SUBMITTED


def test_the_system_closes_publicity_and_the_log_names_no_actor(people):
    enrolment = enrolment_in(S.IN_PUBLICITY, staff=people.inst1_staff, officer=people.officer, assessor=people.assessor)

    services._move(actor=None, enrolment_id=enrolment.pk, transition="close_publicity")

    assert status_of(enrolment) == S.READY_TO_ISSUE
    log = StateLog.objects.filter(enrolment=enrolment).latest("pk")
    assert log.actor is None and log.transition == "close_publicity"


@pytest.mark.parametrize("final", [S.CERTIFIED, S.REVOKED, S.DISQUALIFIED, S.WITHDRAWN])
def test_nothing_withdraws_an_enrolment_that_is_already_final(people, final):
    enrolment = enrolment_in(final, staff=people.inst1_staff, officer=people.officer, assessor=people.assessor)
    logs_before = log_count(enrolment)

    with pytest.raises(StaleState):
        lifecycle.withdraw(actor=people.officer, enrolment_id=enrolment.pk, reason="too late")

    assert status_of(enrolment) == final
    assert log_count(enrolment) == logs_before


def test_a_whole_case_walks_from_draft_to_certified_with_one_log_row_a_move(people):
    enrolment = enrolment_in(S.CERTIFIED, staff=people.inst1_staff, officer=people.officer, assessor=people.assessor)

    assert list(StateLog.objects.filter(enrolment=enrolment).values_list("to_status", flat=True)) == [
        "submitted",
        "enrolled",
        "trained",
        "under_review",
        "passed",
        "in_publicity",
        "ready_to_issue",
        "certified",
    ]


def test_the_named_services_make_the_same_moves(people, draft_enrolment):
    staff, officer = people.inst1_staff, people.officer
    services.submit_enrolment(actor=staff, enrolment_id=draft_enrolment.pk)
    services.reject_enrolments(officer=officer, enrolment_ids=[draft_enrolment.pk], reason="photo missing")
    services.resubmit_enrolment(actor=staff, enrolment_id=draft_enrolment.pk)
    services.approve_enrolments(officer=officer, enrolment_ids=[draft_enrolment.pk])
    factories.complete_all_modules(draft_enrolment, staff)
    services.complete_training(actor=staff, enrolment_id=draft_enrolment.pk)
    lifecycle.withdraw(actor=staff, enrolment_id=draft_enrolment.pk, reason="moved away")

    assert list(StateLog.objects.filter(enrolment=draft_enrolment).values_list("transition", flat=True)) == [
        "submit",
        "reject",
        "resubmit",
        "approve",
        "complete_training",
        "withdraw",
    ]
    assert status_of(draft_enrolment) == S.WITHDRAWN


def test_the_log_row_records_the_request_id_of_the_move(people, draft_enrolment):
    from core.middleware import current_request_id

    token = current_request_id.set("req-123")
    try:
        services.submit_enrolment(actor=people.inst1_staff, enrolment_id=draft_enrolment.pk)
    finally:
        current_request_id.reset(token)

    assert StateLog.objects.get(enrolment=draft_enrolment).request_id == "req-123"


def test_available_moves_offer_exactly_what_the_person_may_do(people, submitted_enrolment):
    officer_moves = dict(services.available_moves(user=people.officer, enrolment=submitted_enrolment))
    staff_moves = dict(services.available_moves(user=people.inst1_staff, enrolment=submitted_enrolment))
    other_moves = dict(services.available_moves(user=people.inst2_staff, enrolment=submitted_enrolment))

    assert set(officer_moves) == {"approve", "reject", "withdraw"}
    assert set(staff_moves) == {"withdraw"}
    assert other_moves == {}
