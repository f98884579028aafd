"""Lifecycle moves: what a move does to the database (docs/spec.md §4).

Every move runs in one transaction that locks the enrolment row, re-reads its status, checks the
actor's role and object, checks the business rules, makes the move (its transition body in
lifecycle.py, then its effects in other apps, certification.effects) and writes the StateLog.
Nothing else writes Enrolment.status. Each move has a service of its own name below; the general
`_move` / `_move_many` stay private to this module.
"""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import InvalidInput, LifecycleError, MoveForbidden, RuleNotMet, StaleState
from core.middleware import current_request_id

from . import effects, permissions
from .lifecycle import REASON_REQUIRED, TRANSITION_NAMES, EnrolmentLifecycle
from .models import Enrolment, StateLog, TrackQuota, User
from .models.enrolments import QUOTA_STATUSES


def _locked_enrolment(enrolment_id: int) -> Enrolment:
    try:
        return (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("batch__institution", "track", "trainee")
            .get(pk=enrolment_id)
        )
    except Enrolment.DoesNotExist:
        raise StaleState(_("This enrolment no longer exists.")) from None


def _move(
    *,
    actor: User | None,
    enrolment_id: int,
    transition: str,
    reason: str = "",
    expected_status: str | None = None,
    context: Any = None,
) -> Enrolment:
    """Make one lifecycle move; raise MoveForbidden, StaleState or RuleNotMet and change nothing."""
    reason = _checked_reason(transition, reason)
    with transaction.atomic():
        enrolment = _locked_enrolment(enrolment_id)
        _apply(actor, enrolment, transition, reason, expected_status, context)
    return enrolment


def _move_many(
    *,
    actor: User | None,
    enrolment_ids: Iterable[int],
    transition: str,
    reason: str = "",
    context: Any = None,
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
                _apply(actor, enrolment, transition, reason, None, context)
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


def _apply(actor, enrolment, transition, reason, expected_status, context) -> None:
    log = _check_and_move(actor, enrolment, transition, reason, expected_status, context)
    enrolment.save()
    log.save()


def _check_and_move(actor, enrolment, transition, reason, expected_status, context) -> StateLog:
    """Check the actor, the state and the rules, then make the move (its body and its effects); the
    StateLog row to write, unsaved. Refusals raise before anything changes."""
    flow = EnrolmentLifecycle(enrolment, actor=actor, reason=reason)
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
    effects.run(effects.Move(transition, enrolment, actor, reason, context))
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


# The moves by name, so that callers read as sentences. Each returns the moved enrolment(s).
# `expected_status`: the status the page showed; someone else's move in between is a StaleState.
# `context`: passed to the move's effects in other apps (certification.effects).


def submit_enrolment(*, actor: User, enrolment_id: int, expected_status: str | None = None) -> Enrolment:
    return _move(actor=actor, enrolment_id=enrolment_id, transition="submit", expected_status=expected_status)


def submit_drafts(*, actor: User, enrolment_ids: Iterable[int]) -> list[Enrolment]:
    """Submit several drafts for approval, all or nothing."""
    return _move_many(actor=actor, enrolment_ids=enrolment_ids, transition="submit")


def resubmit_enrolment(*, actor: User, enrolment_id: int, expected_status: str | None = None) -> Enrolment:
    return _move(actor=actor, enrolment_id=enrolment_id, transition="resubmit", expected_status=expected_status)


def approve_enrolments(*, officer: User, enrolment_ids: Iterable[int], reason: str = "") -> list[Enrolment]:
    """Approve eligibility, all or nothing; each trainee gets an account (login = ID number)."""
    return _move_many(actor=officer, enrolment_ids=enrolment_ids, transition="approve", reason=reason)


def reject_enrolments(*, officer: User, enrolment_ids: Iterable[int], reason: str) -> list[Enrolment]:
    return _move_many(actor=officer, enrolment_ids=enrolment_ids, transition="reject", reason=reason)


def complete_training(*, actor: User, enrolment_id: int, expected_status: str | None = None) -> Enrolment:
    return _move(
        actor=actor, enrolment_id=enrolment_id, transition="complete_training", expected_status=expected_status
    )


def submit_results(*, staff: User, enrolment_id: int, expected_status: str | None = None) -> Enrolment:
    """Send the current attempt to review (the assessment flow starts, or resumes after a correction)."""
    return _move(actor=staff, enrolment_id=enrolment_id, transition="submit_results", expected_status=expected_status)


def decide_review(
    *, assessor: User, enrolment_id: int, decision: str, reason: str = "", context: Any = None
) -> Enrolment:
    """The assessor's decision on the attempt under review: "pass", "fail" or "return_for_correction"."""
    if decision not in DECISIONS:
        raise InvalidInput(_("Unknown decision."))
    return _move(actor=assessor, enrolment_id=enrolment_id, transition=decision, reason=reason, context=context)


def schedule_resit(*, staff: User, enrolment_id: int, expected_status: str | None = None) -> Enrolment:
    """Back to `trained` with a new attempt that keeps the part already passed."""
    return _move(actor=staff, enrolment_id=enrolment_id, transition="schedule_resit", expected_status=expected_status)


def open_publicity(*, officer: User, enrolment_ids: Iterable[int], context: Any = None) -> list[Enrolment]:
    """Put passed candidates in public notice, all or nothing (the notice itself is the publicity code's)."""
    return _move_many(actor=officer, enrolment_ids=enrolment_ids, transition="open_publicity", context=context)


def close_publicity(*, actor: User | None, enrolment_id: int, reason: str = "") -> Enrolment:
    """The candidate's period ended with no objection open (actor None: the periodic task); `reason`
    only when an officer closes a demo's notice early (workflows.publicity.services)."""
    return _move(actor=actor, enrolment_id=enrolment_id, transition="close_publicity", reason=reason)


def uphold_objection(*, officer: User, enrolment_id: int, reason: str) -> Enrolment:
    return _move(actor=officer, enrolment_id=enrolment_id, transition="uphold_objection", reason=reason)


def issue(*, officer: User, enrolment_ids: Iterable[int], context: Any = None) -> list[Enrolment]:
    """Certify enrolments ready to issue, all or nothing (the certificate is the certificates app's effect)."""
    return _move_many(actor=officer, enrolment_ids=enrolment_ids, transition="issue", context=context)


def revoke(*, officer: User, enrolment_id: int, reason: str, context: Any = None) -> Enrolment:
    return _move(actor=officer, enrolment_id=enrolment_id, transition="revoke", reason=reason, context=context)


def withdraw(*, actor: User, enrolment_id: int, reason: str, expected_status: str | None = None) -> Enrolment:
    """Withdraw before certification; the candidate's open assessment tasks are cancelled."""
    return _move(
        actor=actor, enrolment_id=enrolment_id, transition="withdraw", reason=reason, expected_status=expected_status
    )


DECISIONS = ("pass", "fail", "return_for_correction")


def available_moves(*, user: User, enrolment: Enrolment) -> list[tuple[str, str]]:
    """(name, label) of the moves this user could make now, for buttons on the page."""
    flow = EnrolmentLifecycle(enrolment)
    moves = []
    for name, attribute in TRANSITION_NAMES.items():
        method = getattr(flow, attribute)
        if method.can_proceed(check_conditions=False) and method.has_perm(user):
            moves.append((name, str(method.label)))
    return moves
