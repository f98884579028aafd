"""The officer's eligibility approvals: the queue of submitted enrolments and the bulk decision."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import ngettext

from certification import selectors, services
from certification.forms.officer import ApprovalDecisionForm, ApprovalFilterForm
from certification.models import EnrolmentStatus
from core.errors import LifecycleError
from core.views import officer_required, paginate, render_error, selected_ids

TEMPLATE = "officer/approvals.html"


def _queue_context(request, *, decision_form=None, selected_ids=frozenset()) -> dict:
    """Submitted enrolments, oldest submission first, filtered by the query string."""
    submitted = selectors.enrolments_visible_to(request.user).filter(status=EnrolmentStatus.SUBMITTED)
    batches = (
        selectors.batches_visible_to(request.user)
        .filter(pk__in=submitted.values("batch_id"))
        .order_by("institution__name", "name")
    )
    form = ApprovalFilterForm(request.GET, batches=batches)
    form.is_valid()  # an invalid filter is simply not applied
    filters = form.cleaned_data
    queue = selectors.search_enrolments(submitted, text=filters.get("q", "").strip())
    if filters.get("institution"):
        queue = queue.filter(batch__institution=filters["institution"])
    if filters.get("track"):
        queue = queue.filter(track=filters["track"])
    if filters.get("batch"):
        queue = queue.filter(batch=filters["batch"])
    # Enrolments in `submitted` changed status last when they were submitted.
    context = paginate(request, queue.order_by("status_changed_at", "pk"))
    context.update(
        form=form,
        decision_form=decision_form or ApprovalDecisionForm(),
        selected_ids=selected_ids,
    )
    return context


@officer_required
def approval_queue(request):
    if request.method == "POST":
        return _decide(request)
    return render(request, TEMPLATE, _queue_context(request))


def _decide(request):
    """Approve or reject the selected enrolments, all or nothing; on refusal keep the selection."""
    form = ApprovalDecisionForm(request.POST)
    selected = []
    try:
        selected = selected_ids(request)
        if not form.is_valid():
            return render(
                request, TEMPLATE, _queue_context(request, decision_form=form, selected_ids=set(selected)), status=400
            )
        reason = form.cleaned_data["reason"]
        if form.cleaned_data["action"] == "approve":
            moved = services.approve_enrolments(officer=request.user, enrolment_ids=selected, reason=reason)
            message = ngettext("%(count)d enrolment approved.", "%(count)d enrolments approved.", len(moved))
        else:
            moved = services.reject_enrolments(officer=request.user, enrolment_ids=selected, reason=reason)
            message = ngettext("%(count)d enrolment rejected.", "%(count)d enrolments rejected.", len(moved))
    except LifecycleError as error:
        context = _queue_context(request, decision_form=form, selected_ids=set(selected))
        return render_error(request, error, TEMPLATE, context)
    messages.success(request, message % {"count": len(moved)})
    # Back to the same filtered page, as a GET so that a reload does not post again.
    return redirect(request.get_full_path())
