"""Lifecycle moves: what a move does to the database (SPEC §4).

Every move runs in one transaction that locks the enrolment row, re-reads its status, checks the
actor's role and object, checks the business rules, moves the state and writes the StateLog.
Nothing else writes Enrolment.status.
"""

from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification import rules
from core.errors import InvalidInput, LifecycleError, MoveForbidden, RuleNotMet, StaleState
from core.middleware import current_request_id

from . import permissions
from .lifecycle import REASON_REQUIRED, TRANSITION_NAMES, EnrolmentLifecycle
from .models import AssessmentAttempt, AttemptOutcome, Enrolment, StateLog, TrackQuota, User
from .models.enrolments import QUOTA_STATUSES

# Side effects run inside the move's transaction, after the guard passed and before the log.
SideEffect = Callable[[Enrolment], None]
# What a move records besides the status: (enrolment, actor, reason).
Record = Callable[[Enrolment, "User | None", str], None]


def _locked_enrolment(enrolment_id: int) -> Enrolment:
    try:
        return (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("batch__institution", "track", "trainee")
            .get(pk=enrolment_id)
        )
    except Enrolment.DoesNotExist:
        raise StaleState(_("This enrolment no longer exists.")) from None


def move(
    *,
    actor: User | None,
    enrolment_id: int,
    transition: str,
    reason: str = "",
    expected_status: str | None = None,
    side_effect: SideEffect | None = None,
) -> Enrolment:
    """Make one lifecycle move; raise MoveForbidden, StaleState or RuleNotMet and change nothing."""
    reason = _checked_reason(transition, reason)
    with transaction.atomic():
        enrolment = _locked_enrolment(enrolment_id)
        _apply(actor, enrolment, transition, reason, expected_status, side_effect)
    return enrolment


def move_many(
    *,
    actor: User | None,
    enrolment_ids: Iterable[int],
    transition: str,
    reason: str = "",
    side_effect: SideEffect | None = None,
) -> list[Enrolment]:
    """The same move on many enrolments, all or nothing (the first refusal rolls back the rest)."""
    reason = _checked_reason(transition, reason)
    ids = sorted(set(enrolment_ids))
    if not ids:
        raise InvalidInput(_("Select at least one enrolment."))
    with transaction.atomic():
        # Locked in id order so that two bulk moves cannot deadlock each other.
        enrolments = list(
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("batch__institution", "track", "trainee")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        if len(enrolments) != len(ids):
            raise StaleState(_("Some of the selected enrolments no longer exist."))
        for enrolment in enrolments:
            try:
                _apply(actor, enrolment, transition, reason, None, side_effect)
            except (MoveForbidden, StaleState, RuleNotMet) as error:
                error.message = f"{enrolment.trainee.name}: {error.message}"
                raise
    return enrolments


def _checked_reason(transition: str, reason: str) -> str:
    """The reason without surrounding blanks; refuses an unknown move. (Whether the move needs a
    reason is checked once the actor may make it, so that a refusal comes first.)"""
    if transition not in TRANSITION_NAMES:
        raise InvalidInput(_("There is no move called “%(move)s”.") % {"move": transition})
    return (reason or "").strip()


def _label(method) -> str:
    # The bound method's own label falls back to the Python name ("Pass_") when the move does not
    # exist from the current state; every transition of a move carries the same label.
    return str(next(iter(method.get_transitions())).label)


def _apply(actor, enrolment, transition, reason, expected_status, side_effect) -> None:
    log = _check_and_move(actor, enrolment, transition, reason, expected_status, side_effect)
    enrolment.save()
    log.save()


def _check_and_move(actor, enrolment, transition, reason, expected_status, side_effect) -> StateLog:
    """Check the actor, the state and the rules, then move the enrolment in memory (with what the
    move records); the StateLog row to write, unsaved. Refusals raise before anything changes."""
    flow = EnrolmentLifecycle(enrolment)
    method = getattr(flow, TRANSITION_NAMES[transition])
    if actor is not None and not permissions.can_view_enrolment(actor, enrolment):
        # Checked before the state so that the refusal says nothing about someone else's enrolment.
        raise MoveForbidden(_("You may not “%(move)s” this enrolment.") % {"move": _label(method)})
    # Every transition of one move declares the same permission: the role and the object are
    # checked before anything about the state, so that a wrong role always reads as a refusal.
    if not next(iter(method.get_transitions())).has_perm(flow, actor):
        raise MoveForbidden(_("You may not “%(move)s” this enrolment.") % {"move": _label(method)})
    if expected_status and enrolment.status != expected_status:
        raise StaleState(
            _("Someone else moved this enrolment first: it is now “%(status)s”. Reload the page.")
            % {"status": enrolment.get_status_display()}
        )
    if not method.can_proceed(check_conditions=False):
        raise StaleState(
            _("“%(move)s” is not possible while the enrolment is “%(status)s”.")
            % {"move": _label(method), "status": enrolment.get_status_display()}
        )
    if not method.has_perm(actor):
        raise MoveForbidden(_("You may not “%(move)s” this enrolment.") % {"move": _label(method)})
    if transition in REASON_REQUIRED and not reason:
        raise InvalidInput(_("Please give a reason."))
    from_status = enrolment.status
    unmet = _unmet_condition_message(method, flow)
    if unmet:
        raise RuleNotMet(unmet)
    if transition == "approve":
        _check_quota(enrolment)
    method()
    record = _RECORDS.get(transition)
    if record is not None:
        record(enrolment, actor, reason)
    if side_effect is not None:
        side_effect(enrolment)
    return StateLog(
        enrolment=enrolment,
        transition=transition,
        from_status=from_status,
        to_status=enrolment.status,
        actor=actor,
        reason=reason,
        request_id=current_request_id.get(),
    )


# Moves that change nothing but the status: they can be written for many enrolments together.
_STATUS_ONLY_MOVES = {"submit", "resubmit"}


def submit_enrolments(*, actor: User, enrolment_ids: Iterable[int]) -> list[Enrolment | LifecycleError]:
    """Submit many drafts for approval, each on its own: for each id, in the order given, the
    submitted enrolment or why it was refused (it is left as it was). The same checks as
    `submit_enrolment`, with the enrolments locked in one query and the moves and their StateLog
    rows written together (an import submits thousands)."""
    return _move_each(actor=actor, enrolment_ids=list(enrolment_ids), transition="submit")


def _move_each(*, actor: User, enrolment_ids: list[int], transition: str) -> list[Enrolment | LifecycleError]:
    if transition not in _STATUS_ONLY_MOVES:
        raise ValueError(f"{transition} records more than the status: move one by one")
    if not enrolment_ids:
        return []
    with transaction.atomic():
        # Locked in id order so that two bulk moves cannot deadlock each other.
        locked = {
            enrolment.pk: enrolment
            for enrolment in Enrolment.objects.select_for_update(of=("self",))
            .select_related("batch__institution", "track", "trainee")
            .filter(pk__in=set(enrolment_ids))
            .order_by("pk")
        }
        results: dict[int, Enrolment | LifecycleError] = {}
        moved, logs = [], []
        for enrolment_id in dict.fromkeys(enrolment_ids):  # an id given twice is moved once
            enrolment = locked.get(enrolment_id)
            if enrolment is None:
                results[enrolment_id] = StaleState(_("This enrolment no longer exists."))
                continue
            try:
                logs.append(_check_and_move(actor, enrolment, transition, "", None, None))
            except LifecycleError as error:
                results[enrolment_id] = error
                continue
            moved.append(enrolment)
            results[enrolment_id] = enrolment
        Enrolment.objects.save_moves(moved)
        StateLog.objects.bulk_create(logs)
    return [results[enrolment_id] for enrolment_id in enrolment_ids]


def _unmet_condition_message(method, flow) -> str:
    for transition in method.get_transitions():
        if transition.source == flow.enrolment.status or transition.source is EnrolmentLifecycle.status.ANY:
            unmet = transition.get_unmet_condition(flow)
            if unmet is not None:
                return getattr(unmet[1], "message", "") or _("A rule for this move is not met.")
    return ""


def _check_quota(enrolment: Enrolment) -> None:
    """An institution cannot have more approved enrolments in a track and year than its quota."""
    year = enrolment.batch.year
    quota = (
        TrackQuota.objects.select_for_update()
        .filter(institution_id=enrolment.batch.institution_id, track_id=enrolment.track_id, year=year)
        .first()
    )
    if quota is None:
        raise RuleNotMet(
            _("%(institution)s has no %(year)s quota for %(track)s: the office sets it on the institution page.")
            % {"institution": enrolment.batch.institution.name, "year": year, "track": enrolment.track.display_name}
        )
    used = (
        Enrolment.objects.filter(
            batch__institution_id=enrolment.batch.institution_id,
            track_id=enrolment.track_id,
            batch__start_date__year=year,
            status__in=QUOTA_STATUSES,
        )
        .exclude(pk=enrolment.pk)
        .count()
    )
    if used >= quota.quota:
        raise RuleNotMet(
            _("The %(year)s quota of %(quota)s for %(track)s is used up at %(institution)s.")
            % {
                "year": year,
                "quota": quota.quota,
                "track": enrolment.track.display_name,
                "institution": enrolment.batch.institution.name,
            }
        )


# What each move records besides the status, in one place. They run after the guards passed,
# inside the move's transaction.


def _stamp_approval(enrolment: Enrolment, actor: User | None, reason: str) -> None:
    enrolment.approved_at = timezone.now()


def _await_review(enrolment: Enrolment, actor: User | None, reason: str) -> None:
    """Results (re)submitted: the attempt waits for an assessor again, even after a return."""
    attempt = enrolment.current_attempt
    attempt.outcome, attempt.reviewed_by, attempt.reviewed_at, attempt.reason = AttemptOutcome.PENDING, None, None, ""
    attempt.save(update_fields=["outcome", "reviewed_by", "reviewed_at", "reason"])


def _record_outcome(outcome: str) -> Record:
    def record(enrolment: Enrolment, actor: User | None, reason: str) -> None:
        attempt = enrolment.current_attempt
        attempt.outcome, attempt.reviewed_by, attempt.reviewed_at, attempt.reason = (
            outcome,
            actor,
            timezone.now(),
            reason,
        )
        attempt.save(update_fields=["outcome", "reviewed_by", "reviewed_at", "reason"])

    return record


def _open_next_attempt(enrolment: Enrolment, actor: User | None, reason: str) -> None:
    """A resit is a new attempt (so that attempts are counted) that keeps the part already passed."""
    previous = enrolment.current_attempt
    parts = rules.part_results(enrolment, previous)
    AssessmentAttempt.objects.create(
        enrolment=enrolment,
        number=previous.number + 1,
        theory_score=previous.theory_score if parts.theory_passed else None,
        theory_carried_over=parts.theory_passed,
        practical_score=previous.practical_score if parts.practical_passed else None,
        practical_carried_over=parts.practical_passed,
    )


_RECORDS: dict[str, Record] = {
    "approve": _stamp_approval,
    "submit_results": _await_review,
    "pass": _record_outcome(AttemptOutcome.PASSED),
    "fail": _record_outcome(AttemptOutcome.FAILED),
    "return_for_correction": _record_outcome(AttemptOutcome.RETURNED),
    "schedule_resit": _open_next_attempt,
}


# The moves by name, so that callers read as sentences. Each returns the moved enrolment.


def submit_enrolment(*, actor: User, enrolment_id: int, expected_status: str | None = None) -> Enrolment:
    return move(actor=actor, enrolment_id=enrolment_id, transition="submit", expected_status=expected_status)


def resubmit_enrolment(*, actor: User, enrolment_id: int, expected_status: str | None = None) -> Enrolment:
    return move(actor=actor, enrolment_id=enrolment_id, transition="resubmit", expected_status=expected_status)


def approve_enrolments(*, officer: User, enrolment_ids: Iterable[int], reason: str = "") -> list[Enrolment]:
    """Approve eligibility, all or nothing; each trainee gets an account (login = ID number)."""
    from .accounts import ensure_trainee_account

    return move_many(
        actor=officer,
        enrolment_ids=enrolment_ids,
        transition="approve",
        reason=reason,
        side_effect=lambda enrolment: ensure_trainee_account(trainee=enrolment.trainee),
    )


def reject_enrolments(*, officer: User, enrolment_ids: Iterable[int], reason: str) -> list[Enrolment]:
    return move_many(actor=officer, enrolment_ids=enrolment_ids, transition="reject", reason=reason)


def complete_training(*, actor: User, enrolment_id: int, expected_status: str | None = None) -> Enrolment:
    return move(actor=actor, enrolment_id=enrolment_id, transition="complete_training", expected_status=expected_status)


def available_moves(*, user: User, enrolment: Enrolment) -> list[tuple[str, str]]:
    """(name, label) of the moves this user could make now, for buttons on the page."""
    flow = EnrolmentLifecycle(enrolment)
    moves = []
    for name, attribute in TRANSITION_NAMES.items():
        method = getattr(flow, attribute)
        if method.can_proceed(check_conditions=False) and method.has_perm(user):
            moves.append((name, str(method.label)))
    return moves
