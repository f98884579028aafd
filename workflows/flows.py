"""The assessment flow (docs/spec.md §5), one process per assessment attempt.

    start → review → after_review ─┬─ returned → correction (institution) → review
                                   ├─ passed, another sign-off needed → second_review → after_review
                                   └─ otherwise (pass with enough sign-offs, fail) → end

The flow only records who does which task, in which order. What a decision does to the enrolment
(the lifecycle move, the attempt's outcome) is done by workflows.assessment.services in the same transaction
as the task's completion. Tasks are worked from our own pages (inbox, queue, review), never from
viewflow's generic views, so that every query is scoped by conflict-of-interest rules.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from .models import AssessmentProcess, Decision


def _task_page(request, **kwargs):  # pragma: no cover - viewflow's own URLs are never mounted
    raise NotImplementedError("Assessment tasks are worked from workflows.views")


# The last review's decision and the assessors who signed off a pass live on process.data,
# written by workflows.assessment.services just before it completes the review task.


def returned(activation) -> bool:
    return activation.process.data.get("decision") == Decision.RETURN


def needs_another_sign_off(activation) -> bool:
    process = activation.process
    return (
        process.data.get("decision") == Decision.PASS
        and len(process.data.get("sign_offs", [])) < process.enrolment.track.reviewers_required
    )


class AssessmentFlow(flow.Flow):
    process_class = AssessmentProcess
    # Row lock on the process while a task completes: two assessors approving the same task at
    # once serialise here, and the second finds the task already done.
    lock_impl = lock.SelectForUpdateLock(nowait=False)
    process_title = _("Assessment")
    process_description = _("Review of one exam attempt by independent assessors.")

    start = flow.StartHandle(this.start_process).Next(this.review)

    review = flow.View(_task_page).Annotation(title=_("Review")).Next(this.after_review)

    after_review = (
        flow.Switch()
        .Case(this.correction, cond=returned)
        .Case(this.second_review, cond=needs_another_sign_off)
        .Default(this.end)
    )

    second_review = flow.View(_task_page).Annotation(title=_("Second review")).Next(this.after_review)

    correction = flow.View(_task_page).Annotation(title=_("Correction by the institution")).Next(this.review)

    end = flow.End()

    def start_process(self, activation, *, attempt):
        activation.process.attempt = attempt
        activation.process.enrolment = attempt.enrolment
        return activation.process
