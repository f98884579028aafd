"""The Enrolment lifecycle (docs/spec.md §4): which states exist and which moves are legal.

A viewflow.fsm flow class wrapping one Enrolment. Each transition declares who may call it
(`permission`, from certification.permissions) and the business rules it needs (`conditions`, from
certification.rules); its body writes what the move records besides the status. What a move also does
in the other apps is registered in certification.effects. viewflow.fsm checks neither permissions nor
locks nor logs: the service layer (certification.services) checks `has_perm`, locks the row, runs
the effects and writes the StateLog.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.fsm.base import State

from core.errors import RuleNotMet

from . import permissions, rules
from .accounts import ensure_trainee_account
from .models import AssessmentAttempt, AttemptOutcome, Enrolment, User
from .models import EnrolmentStatus as S

BEFORE_CERTIFIED = [
    S.DRAFT,
    S.SUBMITTED,
    S.REJECTED,
    S.ENROLLED,
    S.TRAINED,
    S.UNDER_REVIEW,
    S.PASSED,
    S.FAILED,
    S.IN_PUBLICITY,
    S.READY_TO_ISSUE,
]


def _condition(reason: str) -> State.CONDITION:
    return State.CONDITION(not reason, reason)


def training_complete(flow: "EnrolmentLifecycle") -> State.CONDITION:
    return _condition(rules.training_incomplete_reason(flow.enrolment))


def results_complete(flow: "EnrolmentLifecycle") -> State.CONDITION:
    return _condition(rules.results_incomplete_reason(flow.enrolment, flow.enrolment.current_attempt))


def scores_pass(flow: "EnrolmentLifecycle") -> State.CONDITION:
    return _condition(rules.fail_reason_of_scores(flow.enrolment, flow.enrolment.current_attempt))


def resit_available(flow: "EnrolmentLifecycle") -> State.CONDITION:
    return _condition(rules.resit_closed_reason(flow.enrolment))


def institution_approved(flow: "EnrolmentLifecycle") -> State.CONDITION:
    ok = flow.enrolment.batch.institution.is_approved
    return State.CONDITION(
        ok, "" if ok else str(_("The institution is not approved (vetted) by the certification office."))
    )


def _by_institution(flow, user):
    return permissions.can_manage_enrolment(user, flow.enrolment)


def _by_officer(flow, user):
    return permissions.is_officer(user)


def _by_assessor(flow, user):
    return permissions.can_assess(user, flow.enrolment)


def _by_officer_or_system(flow, user):
    # Closing the public notice also runs from the periodic task, which acts as the system (no user).
    return user is None or permissions.is_officer(user)


def _by_withdrawer(flow, user):
    return permissions.can_withdraw(user, flow.enrolment)


class EnrolmentLifecycle:
    """One enrolment's moves. A transition body writes what the move records besides the status,
    in memory: the service saves the enrolment and logs the move; what a move does in another app
    is in certification.effects."""

    status = State(S, default=S.DRAFT)

    def __init__(self, enrolment: Enrolment, *, actor: User | None = None, reason: str = ""):
        self.enrolment = enrolment
        self.actor = actor
        self.reason = reason

    @status.getter()
    def _get_status(self):
        return self.enrolment.status

    @status.setter()
    def _set_status(self, value):
        self.enrolment.move_to(value)

    @status.transition(
        source=S.DRAFT,
        target=S.SUBMITTED,
        label=_("Submit for approval"),
        permission=_by_institution,
        conditions=[institution_approved],
    )
    def submit(self):
        pass

    @status.transition(source=S.SUBMITTED, target=S.ENROLLED, label=_("Approve eligibility"), permission=_by_officer)
    def approve(self):
        """Eligibility approved: the trainee gets an account (login = ID number) if they had none."""
        self.enrolment.approved_at = timezone.now()
        ensure_trainee_account(trainee=self.enrolment.trainee)

    @status.transition(source=S.SUBMITTED, target=S.REJECTED, label=_("Reject"), permission=_by_officer)
    def reject(self):
        pass

    @status.transition(
        source=S.REJECTED,
        target=S.SUBMITTED,
        label=_("Resubmit"),
        permission=_by_institution,
        conditions=[institution_approved],
    )
    def resubmit(self):
        pass

    @status.transition(
        source=S.ENROLLED,
        target=S.TRAINED,
        label=_("Record training complete"),
        permission=_by_institution,
        conditions=[training_complete],
    )
    def complete_training(self):
        pass

    # Training is checked again: completions can still be corrected after training was recorded.
    @status.transition(
        source=S.TRAINED,
        target=S.UNDER_REVIEW,
        label=_("Submit results"),
        permission=_by_institution,
        conditions=[training_complete, results_complete],
    )
    def submit_results(self):
        """The attempt waits for an assessor again, also after a return for correction."""
        attempt = self._attempt()
        attempt.submitted_by, attempt.submitted_at = self.actor, timezone.now()
        attempt.outcome, attempt.reviewed_by, attempt.reviewed_at, attempt.reason = (
            AttemptOutcome.PENDING,
            None,
            None,
            "",
        )
        attempt.save(update_fields=["submitted_by", "submitted_at", "outcome", "reviewed_by", "reviewed_at", "reason"])

    @status.transition(
        source=S.UNDER_REVIEW, target=S.TRAINED, label=_("Return for correction"), permission=_by_assessor
    )
    def return_for_correction(self):
        self._record_outcome(AttemptOutcome.RETURNED)

    @status.transition(
        source=S.UNDER_REVIEW, target=S.PASSED, label=_("Pass"), permission=_by_assessor, conditions=[scores_pass]
    )
    def pass_(self):
        self._record_outcome(AttemptOutcome.PASSED)

    @status.transition(source=S.UNDER_REVIEW, target=S.FAILED, label=_("Fail"), permission=_by_assessor)
    def fail(self):
        self._record_outcome(AttemptOutcome.FAILED)

    @status.transition(
        source=S.FAILED,
        target=S.TRAINED,
        label=_("Schedule a resit"),
        permission=_by_institution,
        conditions=[resit_available],
    )
    def schedule_resit(self):
        """A resit is a new attempt (so that attempts are counted) that keeps the part already passed."""
        previous = self._attempt()
        parts = rules.part_results(self.enrolment, previous)
        AssessmentAttempt.objects.create(
            enrolment=self.enrolment,
            number=previous.number + 1,
            theory_score=previous.theory_score if parts.theory_passed else None,
            theory_carried_over=parts.theory_passed,
            practical_score=previous.practical_score if parts.practical_passed else None,
            practical_carried_over=parts.practical_passed,
        )

    @status.transition(source=S.PASSED, target=S.IN_PUBLICITY, label=_("Open public notice"), permission=_by_officer)
    def open_publicity(self):
        pass  # the end of the period is the publicity code's effect (working days)

    @status.transition(
        source=S.IN_PUBLICITY, target=S.READY_TO_ISSUE, label=_("Close public notice"), permission=_by_officer_or_system
    )
    def close_publicity(self):
        pass

    @status.transition(
        source=S.IN_PUBLICITY, target=S.DISQUALIFIED, label=_("Uphold objection"), permission=_by_officer
    )
    def uphold_objection(self):
        pass

    @status.transition(
        source=S.READY_TO_ISSUE, target=S.CERTIFIED, label=_("Issue certificate"), permission=_by_officer
    )
    def issue(self):
        pass

    @status.transition(source=S.CERTIFIED, target=S.REVOKED, label=_("Revoke certificate"), permission=_by_officer)
    def revoke(self):
        pass

    @status.transition(source=BEFORE_CERTIFIED, target=S.WITHDRAWN, label=_("Withdraw"), permission=_by_withdrawer)
    def withdraw(self):
        pass

    def _attempt(self) -> AssessmentAttempt:
        """The current attempt: every move of the assessment has one (results were submitted)."""
        attempt = self.enrolment.current_attempt
        if attempt is None:
            raise RuleNotMet(str(_("There are no results to assess yet.")))
        return attempt

    def _record_outcome(self, outcome: str) -> None:
        attempt = self._attempt()
        attempt.outcome, attempt.reviewed_by, attempt.reviewed_at, attempt.reason = (
            outcome,
            self.actor,
            timezone.now(),
            self.reason,
        )
        attempt.save(update_fields=["outcome", "reviewed_by", "reviewed_at", "reason"])


# The spec's name for the move; `pass` is a Python keyword.
TRANSITION_NAMES = {
    "submit": "submit",
    "approve": "approve",
    "reject": "reject",
    "resubmit": "resubmit",
    "complete_training": "complete_training",
    "submit_results": "submit_results",
    "return_for_correction": "return_for_correction",
    "pass": "pass_",
    "fail": "fail",
    "schedule_resit": "schedule_resit",
    "open_publicity": "open_publicity",
    "close_publicity": "close_publicity",
    "uphold_objection": "uphold_objection",
    "issue": "issue",
    "revoke": "revoke",
    "withdraw": "withdraw",
}
# Moves whose StateLog must say why.
REASON_REQUIRED = {"reject", "fail", "return_for_correction", "uphold_objection", "revoke", "withdraw"}
