"""The assessor's own conflicts of interest (docs/spec.md §5): list, declare, withdraw."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certification import permissions
from core.errors import InvalidInput, LifecycleError
from core.views import render_error, role_required
from workflows.assessment import conflicts
from workflows.forms.assessment import ConflictByIdForm, ConflictForm

from .assessment import visible_task_or_404

assessor_only = role_required(permissions.is_assessor)
TEMPLATE = "workflows/conflicts.html"


def _context(request, form=None) -> dict:
    return {"declarations": conflicts.declarations_of(request.user), "form": form or ConflictByIdForm()}


@assessor_only
def conflict_list(request):
    if request.method != "POST":
        return render(request, TEMPLATE, _context(request))
    form = ConflictByIdForm(request.POST)
    if not form.is_valid():
        return render(request, TEMPLATE, _context(request, form), status=400)
    data = form.cleaned_data
    try:
        trainee = conflicts.trainee_named(name=data["name"], id_number=data["id_number"])
        if trainee is None:
            raise InvalidInput(_("No trainee has this full name and ID number: check both."))
        conflicts.declare_conflict(assessor=request.user, trainee_id=trainee.pk, kind=data["kind"], note=data["note"])
    except LifecycleError as error:
        return render_error(request, error, TEMPLATE, _context(request, form))
    messages.success(request, _("Conflict declared: you will not be given this trainee to assess."))
    return redirect("assessment:conflicts")


@require_POST
@assessor_only
def declare_for_task(request, task_id):
    """From a review page: the candidate on it; any claim of the assessor's on them is released."""
    task = visible_task_or_404(request, task_id)
    form = ConflictForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(_("Choose the kind of conflict."))
        trainee_id = task.process.assessmentprocess.enrolment.trainee_id
        conflicts.declare_conflict(
            assessor=request.user, trainee_id=trainee_id, kind=form.cleaned_data["kind"], note=form.cleaned_data["note"]
        )
    except LifecycleError as error:
        messages.error(request, error.message)
        return redirect("assessment:review", task_id=task.pk)
    messages.success(request, _("Conflict declared: the candidate left your queue and inbox."))
    return redirect("assessment:conflicts")


@require_POST
@assessor_only
def withdraw(request, declaration_id):
    try:
        conflicts.withdraw_conflict(assessor=request.user, declaration_id=declaration_id)
    except LifecycleError as error:
        messages.error(request, error.message)
        return redirect("assessment:conflicts")
    messages.success(request, _("Declaration withdrawn."))
    return redirect("assessment:conflicts")
