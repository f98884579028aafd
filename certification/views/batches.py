"""Institution staff plan training batches and submit their drafts for approval (docs/spec.md §3, §4).

Officers may open the same list and detail pages read-only.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from certification import permissions, registration, selectors, services
from certification.forms.institution import BatchFilterForm, BatchForm, SubmitDraftsForm
from certification.models import EnrolmentStatus
from core.errors import LifecycleError
from core.views import institution_required, paginate, staff_or_officer_required


@staff_or_officer_required
def batch_list(request):
    visible = selectors.batches_visible_to(request.user)
    years = sorted({day.year for day in visible.order_by().dates("start_date", "year")}, reverse=True)
    filters = BatchFilterForm(request.GET, years=years)
    batches = filters.filter(visible).order_by("-start_date", "name", "pk")
    context = {
        "filters": filters,
        "show_institution": permissions.is_officer(request.user),
        "can_plan": permissions.is_institution_staff(request.user),
        **paginate(request, batches),
    }
    return render(request, "institution/batch_list.html", context)


@institution_required
def batch_create(request):
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = registration.create_batch(staff=request.user, **form.cleaned_data)
        except LifecycleError as error:
            form.add_error(None, error.message)
            return _render_form(request, form, batch=None, status=error.http_status)
        messages.success(request, _("Batch “%(name)s” created.") % {"name": batch.name})
        return redirect("institution:batch_detail", pk=batch.pk)
    return _render_form(request, form, batch=None, status=400 if form.is_bound else 200)


@institution_required
def batch_edit(request, pk):
    batch = get_object_or_404(selectors.batches_visible_to(request.user), pk=pk)
    saved_name = batch.name
    form = BatchForm(request.POST or None, instance=batch)
    if request.method == "POST" and form.is_valid():
        try:
            registration.update_batch(staff=request.user, batch_id=batch.pk, **form.cleaned_data)
        except LifecycleError as error:
            form.add_error(None, error.message)
            return _render_form(request, form, batch=batch, title=saved_name, status=error.http_status)
        messages.success(request, _("Changes to batch “%(name)s” saved.") % {"name": form.cleaned_data["name"]})
        return redirect("institution:batch_detail", pk=batch.pk)
    return _render_form(request, form, batch=batch, title=saved_name, status=400 if form.is_bound else 200)


def _render_form(request, form, *, batch, title="", status):
    context = {"form": form, "batch": batch, "title": title}
    return render(request, "institution/batch_form.html", context, status=status)


@staff_or_officer_required
def batch_detail(request, pk):
    batch = get_object_or_404(selectors.batches_visible_to(request.user), pk=pk)
    return _render_detail(request, batch)


@require_POST
@institution_required
def batch_submit_drafts(request, pk):
    """Submit the ticked drafts for the office's approval: all of them or, on the first refusal, none."""
    batch = get_object_or_404(selectors.batches_visible_to(request.user), pk=pk)
    form = SubmitDraftsForm(request.POST, batch_enrolments=_enrolments_of(request.user, batch))
    if not form.is_valid():
        return _render_detail(request, batch, error_message=_first_error(form), status=400)
    ids = [enrolment.pk for enrolment in form.cleaned_data["enrolments"]]
    try:
        services.submit_drafts(actor=request.user, enrolment_ids=ids)
    except LifecycleError as error:
        return _render_detail(request, batch, error_message=error.message, status=error.http_status)
    messages.success(
        request,
        ngettext(
            "%(count)s enrolment submitted for approval.", "%(count)s enrolments submitted for approval.", len(ids)
        )
        % {"count": len(ids)},
    )
    return redirect("institution:batch_detail", pk=batch.pk)


def _enrolments_of(user, batch):
    return selectors.enrolments_visible_to(user).filter(batch=batch)


def _first_error(form) -> str:
    return next(iter(form.errors.values()))[0]


def _render_detail(request, batch, *, error_message="", status=200):
    # A batch holds at most its capacity, so the page lists all of it: drafts can be ticked together.
    enrolments = list(_enrolments_of(request.user, batch).order_by("trainee__name", "pk"))
    can_manage = permissions.can_manage_batch(request.user, batch)
    context = {
        "batch": batch,
        "enrolments": enrolments,
        "can_manage": can_manage,
        "can_submit": can_manage and any(e.status == EnrolmentStatus.DRAFT for e in enrolments),
        "has_certificates": any(e.status == EnrolmentStatus.CERTIFIED for e in enrolments),
        "error_message": error_message,
    }
    return render(request, "institution/batch_detail.html", context, status=status)
