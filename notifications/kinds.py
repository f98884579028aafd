"""The kinds of notification (docs/spec.md §13): who hears of what, and how each is worded.

A notification stores its facts (params); its title and text are written when someone reads it, in
the reader's language: the page's, or for an e-mail the one in the recipient's preferences.

    kind                  who hears                      from
    rejected              the institution's staff        the move `reject` (notifications.effects)
    returned              the institution's staff        the move `return_for_correction`
    decided               the institution's staff        the moves `pass` and `fail`
    objection_upheld      the institution's staff        the move `uphold_objection`
    issued                the institution's staff        an issuance run's end (one summary per run), or `issue` outside a run
    quota_nearly_used     the institution's staff        the daily round (notifications.periodic)
    slips_expiring        the institution's staff        the daily round
    review_waiting        the assessors free to take it  the move `submit_results`
    task_assigned         the assessor                   workflows.assessment.services.assign_task
    second_review         the assessors free to take it  workflows.assessment.services.decide
    objection_lodged      the office                     workflows.publicity.services.lodge_objection
    publicity_closing     the office                     the daily round
    run_finished          the office                     certificates.issuance (a run's end)
    run_failed            the office                     certificates.tasks (a chunk that raised)
    office_digest         the office                     the daily round
    approved              the trainee (with an e-mail)   the move `approve`
    passed                the trainee                    the move `pass`
    certificate_ready     the trainee                    the move `issue`
    certificate_revoked   the trainee                    the move `revoke`
    certificate_expiring  the trainee                    the daily round, 90 and 30 days before (certificates.reminders)
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    label: Promise  # on the preferences page
    title: Promise  # the subject: %-formatted with the params
    body: Promise  # a sentence or two, %-formatted with the params


KINDS: dict[str, Kind] = {
    "rejected": Kind(
        _("Enrolment rejected"),
        _("Enrolment of %(name)s rejected"),
        _("The office rejected the enrolment of %(name)s (%(track)s). Reason: %(reason)s"),
    ),
    "returned": Kind(
        _("Returned for correction"),
        _("Results of %(name)s returned for correction"),
        _("The assessor returned the results of %(name)s (%(track)s) for correction. Reason: %(reason)s"),
    ),
    "decided": Kind(
        _("Assessment decided"),
        _("%(name)s: %(outcome)s"),
        _("The assessment of %(name)s (%(track)s) is decided: %(outcome)s. %(reason)s"),
    ),
    "objection_upheld": Kind(
        _("Objection upheld"),
        _("Objection upheld: %(name)s"),
        _("An objection against %(name)s (%(track)s) was upheld; the candidate is disqualified. Reason: %(reason)s"),
    ),
    "issued": Kind(
        _("Certificates issued"),
        _("%(count)s certificates issued"),
        _("%(count)s certificates of your trainees were issued. You find them in the list of certificates."),
    ),
    "quota_nearly_used": Kind(
        _("Quota nearly used"),
        _("Quota %(year)s for %(track)s: %(used)s of %(quota)s used"),
        _("Your institution has used %(used)s of its %(quota)s places in %(track)s for %(year)s."),
    ),
    "slips_expiring": Kind(
        _("Activation slips expiring"),
        _("%(count)s activation slips expire on %(date)s"),
        _(
            "%(count)s trainees have not yet activated their account; their slips expire on %(date)s. Print new slips if needed."
        ),
    ),
    "review_waiting": Kind(
        _("Candidate waiting for review"),
        _("%(name)s is waiting for review"),
        _("The results of %(name)s (%(track)s) were submitted and wait in the review queue."),
    ),
    "task_assigned": Kind(
        _("Task assigned to you"),
        _("Review of %(name)s assigned to you"),
        _("The office assigned you the review of %(name)s (%(track)s)."),
    ),
    "second_review": Kind(
        _("Second review needed"),
        _("Second review needed: %(name)s"),
        _("The results of %(name)s (%(track)s) passed a first review and need a second, independent one."),
    ),
    "objection_lodged": Kind(
        _("Objection lodged"),
        _("Objection lodged against %(name)s"),
        _(
            "An objection was lodged against %(name)s (%(track)s) during the public notice. Decide it in the list of objections."
        ),
    ),
    "publicity_closing": Kind(
        _("Public notice closing tomorrow"),
        _("Public notice “%(title)s” closes tomorrow"),
        _("The public notice “%(title)s” takes objections until %(date)s."),
    ),
    "run_finished": Kind(
        _("Issuance run finished"),
        _("Issuance run %(run)s finished: %(issued)s issued, %(skipped)s skipped"),
        _("Issuance run %(run)s finished: %(issued)s certificates issued, %(skipped)s skipped."),
    ),
    "run_failed": Kind(
        _("Issuance run failed"),
        _("Issuance run %(run)s stopped with an error"),
        _("A part of issuance run %(run)s failed (%(error)s). Resume the run once the cause is fixed."),
    ),
    "office_digest": Kind(
        _("Daily digest"),
        _(
            "Today: %(approvals)s to approve, %(reviews)s in review, %(objections)s objections, %(ready)s ready to issue"
        ),
        _(
            "Waiting for the office: %(approvals)s enrolments to approve, %(reviews)s candidates in review, %(objections)s open objections, %(ready)s certificates ready to issue."
        ),
    ),
    "approved": Kind(
        _("Enrolment approved"),
        _("Your enrolment in %(track)s is approved"),
        _(
            "The office approved your enrolment in %(track)s. Your institution gives you a slip to activate your account."
        ),
    ),
    "passed": Kind(
        _("Assessment passed"),
        _("You passed the assessment in %(track)s"),
        _("You passed the assessment in %(track)s. After the public notice your certificate is issued."),
    ),
    "certificate_ready": Kind(
        _("Certificate ready"),
        _("Your certificate %(number)s is ready"),
        _("Your certificate %(number)s (%(track)s) is issued. Download it from your page."),
    ),
    "certificate_expiring": Kind(
        _("Certificate expiring"),
        _("Your certificate %(number)s expires on %(date)s"),
        _(
            "Your certificate %(number)s (%(track)s) is valid until %(date)s. To renew it, ask your training institution to enrol you again in the same track: the new certificate replaces this one."
        ),
    ),
    "certificate_revoked": Kind(
        _("Certificate revoked"),
        _("Your certificate %(number)s was revoked"),
        _("Your certificate %(number)s was revoked. Reason: %(reason)s"),
    ),
}


def _format(template: Promise, params: dict) -> str:
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


def title_of(kind: str, params: dict) -> str:
    known = KINDS.get(kind)
    return _format(known.title, params) if known else kind


def body_of(kind: str, params: dict) -> str:
    known = KINDS.get(kind)
    return _format(known.body, params) if known else ""
