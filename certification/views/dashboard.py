"""The home page: what waits for each role. Every query here is an aggregate or a bounded list, so
the page costs the same number of queries with ten enrolments or ten thousand."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification import attention, permissions, rules, selectors
from certification.models import EnrolmentStatus as S
from certification.models import InstitutionStatus, StateLog
from core.roles import is_employer

ASSESSOR_LIST_SIZE = 10
PENDING_INSTITUTIONS_LIST_SIZE = 5

# The way a candidate normally goes, as the trainee's timeline shows it.
LIFECYCLE_STEPS = [
    (S.DRAFT, gettext_lazy("Registered")),
    (S.SUBMITTED, gettext_lazy("Submitted")),
    (S.ENROLLED, gettext_lazy("Enrolled")),
    (S.TRAINED, gettext_lazy("Training done")),
    (S.UNDER_REVIEW, gettext_lazy("Under review")),
    (S.PASSED, gettext_lazy("Passed")),
    (S.IN_PUBLICITY, gettext_lazy("Public notice")),
    (S.READY_TO_ISSUE, gettext_lazy("Ready to issue")),
    (S.CERTIFIED, gettext_lazy("Certified")),
]
# Where an enrolment off the normal way stopped: the step it could not get past.
STOPPED_AT = {
    S.REJECTED: S.SUBMITTED,
    S.FAILED: S.UNDER_REVIEW,
    S.DISQUALIFIED: S.IN_PUBLICITY,
    S.REVOKED: S.CERTIFIED,
}
REASON_SHOWN = {S.REJECTED, S.FAILED, S.DISQUALIFIED, S.REVOKED, S.WITHDRAWN}


def _url(name: str, **query) -> str | None:
    """The URL of a page, or None while that page is not built yet (the dashboard shows no link)."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url


def _enrolment_list_url(status: str) -> str | None:
    return _url("enrolments:list", status=status)


@login_required
def dashboard(request):
    user = request.user
    if permissions.is_officer(user):
        return render(request, "dashboard/officer.html", _officer_context(user))
    if permissions.is_institution_staff(user):
        return render(request, "dashboard/institution.html", _institution_context(user))
    if permissions.is_assessor(user):
        return render(request, "dashboard/assessor.html", _assessor_context(user))
    if permissions.is_trainee(user):
        return render(request, "dashboard/trainee.html", _trainee_context(user))
    if is_employer(user):
        return render(
            request,
            "dashboard/employer.html",
            {"bulk_verify_url": _url("integrations:bulk_verify"), "keys_url": _url("integrations:keys")},
        )
    return render(request, "dashboard/no_role.html")


def _status_cards(counts: dict[str, int], statuses) -> list[dict]:
    return [
        {"status": status, "label": status.label, "count": counts.get(status, 0), "url": _enrolment_list_url(status)}
        for status in statuses
    ]


def _officer_context(user) -> dict:
    pending = selectors.institutions_visible_to(user).filter(status=InstitutionStatus.PENDING).order_by("created_at")
    counts = selectors.status_counts(selectors.enrolments_visible_to(user))
    return {
        "pending_institutions": list(pending[:PENDING_INSTITUTIONS_LIST_SIZE]),
        "pending_institution_count": pending.count(),
        "institutions_url": _url("officer:institutions"),
        "submitted_count": counts.get(S.SUBMITTED, 0),
        "approvals_url": _url("officer:approvals"),
        "passed_count": counts.get(S.PASSED, 0),
        "passed_url": _enrolment_list_url(S.PASSED),
        "ready_to_issue_count": counts.get(S.READY_TO_ISSUE, 0),
        "ready_to_issue_url": _enrolment_list_url(S.READY_TO_ISSUE),
        "status_cards": _status_cards(counts, S),
        "total": sum(counts.values()),
        "attention": attention.office_items(user),
    }


# What institution staff act on, in the order they act.
INSTITUTION_TODO = [
    (S.DRAFT, gettext_lazy("Drafts to submit for approval")),
    (S.REJECTED, gettext_lazy("Rejected: to correct and resubmit")),
    (S.ENROLLED, gettext_lazy("In training: record module completions")),
    (S.TRAINED, gettext_lazy("Training done: enter and submit exam results")),
    (S.UNDER_REVIEW, gettext_lazy("With the assessors")),
]


def _institution_context(user) -> dict:
    counts = selectors.status_counts(selectors.enrolments_visible_to(user))
    todo = [
        {"status": status, "label": label, "count": counts.get(status, 0), "url": _enrolment_list_url(status)}
        for status, label in INSTITUTION_TODO
    ]
    institution = selectors.institutions_visible_to(user).first()
    return {
        "institution": institution,
        "institution_approved": institution is not None and institution.is_approved,
        "todo": todo,
        "status_cards": _status_cards(counts, S),
        "total": sum(counts.values()),
        "trainee_create_url": _url("institution:trainee_create"),
        "batch_create_url": _url("institution:batch_create"),
        "slips_url": _url("institution:slips"),
    }


def _assessor_context(user) -> dict:
    under_review = (
        selectors.enrolments_visible_to(user).filter(status=S.UNDER_REVIEW).order_by("status_changed_at", "pk")
    )
    return {
        "under_review_count": under_review.count(),
        "candidates": list(under_review[:ASSESSOR_LIST_SIZE]),
        "candidates_url": _enrolment_list_url(S.UNDER_REVIEW),
    }


def _trainee_context(user) -> dict:
    trainee = getattr(user, "trainee", None)
    enrolments = selectors.enrolments_visible_to(user).prefetch_related(
        "attempts", Prefetch("state_logs", queryset=StateLog.objects.order_by("created_at", "pk"))
    )
    return {
        "trainee": trainee,
        "enrolments": [_trainee_view_of(enrolment) for enrolment in enrolments],
        "password_change_url": reverse("password_change"),
    }


def _trainee_view_of(enrolment) -> dict:
    logs = list(enrolment.state_logs.all())  # prefetched, oldest first
    last_log = logs[-1] if logs else None
    return {
        "enrolment": enrolment,
        "steps": timeline(enrolment, last_log),
        "explanation": explain_status(enrolment),
        # The trainee is told why their case stopped, in the words of whoever stopped it.
        "reason": last_log.reason if last_log and enrolment.status in REASON_SHOWN else "",
        "detail_url": _detail_url(enrolment),
        "tone": _tone(enrolment.status),
    }


def _detail_url(enrolment) -> str | None:
    try:
        return reverse("enrolments:detail", args=[enrolment.pk])
    except NoReverseMatch:
        return None


def _tone(status: str) -> str:
    if status in (S.REJECTED, S.FAILED, S.DISQUALIFIED, S.REVOKED):
        return "warning"
    return "info"


def timeline(enrolment, last_log: StateLog | None = None) -> list[dict]:
    """The normal steps, each marked done, current, stopped (where it went off the way) or future."""
    status = enrolment.status
    stopped = status in STOPPED_AT or status == S.WITHDRAWN
    if status == S.WITHDRAWN:
        # Withdrawn from wherever it was, which the withdraw move's log records.
        status = last_log.from_status if last_log and last_log.to_status == S.WITHDRAWN else S.DRAFT
    order = [step for step, _label in LIFECYCLE_STEPS]
    position = order.index(STOPPED_AT.get(status, status))
    steps = []
    for index, (_step, label) in enumerate(LIFECYCLE_STEPS):
        if index < position:
            state = "done"
        elif index == position:
            state = "stopped" if stopped else ("done" if status == S.CERTIFIED else "current")
        else:
            state = "future"
        steps.append({"label": label, "state": state})
    return steps


def explain_status(enrolment) -> str:
    """One or two sentences for the trainee: what the status means and what happens next."""
    status = enrolment.status
    if status == S.FAILED:
        closed = rules.resit_closed_reason(enrolment)
        if closed:
            return _("You did not pass the assessment, and no resit is possible: %(reason)s") % {"reason": closed}
        used = len(enrolment.attempts.all())
        return _(
            "You did not pass the assessment. A resit is still possible (%(used)s of %(max)s attempts used): "
            "your training institution schedules it, and a part you already passed is kept."
        ) % {"used": used, "max": enrolment.track.max_attempts}
    if status == S.IN_PUBLICITY and enrolment.publicity_ends_on:
        return _(
            "You passed. Your name is on public notice until %(date)s; if no objection is upheld, "
            "your certificate is issued after that."
        ) % {"date": enrolment.publicity_ends_on.isoformat()}
    return str(STATUS_EXPLANATIONS.get(status, ""))


STATUS_EXPLANATIONS = {
    S.DRAFT: gettext_lazy("Your training institution has registered you and will submit you for approval."),
    S.SUBMITTED: gettext_lazy("The certification office is checking your eligibility."),
    S.REJECTED: gettext_lazy(
        "The certification office returned your enrolment. Your training institution corrects it and submits "
        "it again; ask them if anything about you needs fixing."
    ),
    S.ENROLLED: gettext_lazy("You are enrolled. Attend the course modules; your institution records your hours."),
    S.TRAINED: gettext_lazy("Your training is complete. Your institution enters your exam results."),
    S.UNDER_REVIEW: gettext_lazy("An independent assessor is reviewing your exam results."),
    S.PASSED: gettext_lazy("You passed. Your name will be put on public notice before the certificate is issued."),
    S.IN_PUBLICITY: gettext_lazy(
        "You passed. Your name is on public notice; if no objection is upheld, your certificate is issued after it."
    ),
    S.READY_TO_ISSUE: gettext_lazy("The public notice is over. Your certificate will be issued soon."),
    S.CERTIFIED: gettext_lazy("Your certificate has been issued. Anyone can verify it by its number."),
    S.REVOKED: gettext_lazy("The certificate of this enrolment has been revoked and is no longer valid."),
    S.DISQUALIFIED: gettext_lazy(
        "An objection raised during the public notice was upheld: no certificate is issued for this enrolment."
    ),
    S.WITHDRAWN: gettext_lazy(
        "This enrolment was withdrawn and no longer counts. Your training institution can enrol you again."
    ),
}
