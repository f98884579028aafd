"""Exam results of one enrolment (docs/spec.md §5): scores, evidence files, submission for review; evidence downloads.

Institution staff of the candidate's institution enter and submit results. Officers may open the
page to see what was entered, but not change it (POST → 403): the office judges results, it does
not write them. Other roles get 403; another institution's enrolment is 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from certification import evidence, module_evidence, permissions, registration, rules, selectors, services
from certification.models import EvidenceFile
from core.errors import LifecycleError
from core.views import render_error, role_required
from workflows.forms.results import EvidenceUploadForm, ResultsForm, SubmitResultsForm

TEMPLATE = "workflows/results/edit.html"


def _current_attempt(enrolment):
    files = EvidenceFile.objects.select_related("uploaded_by").order_by("uploaded_at", "pk")
    return enrolment.attempts.prefetch_related(Prefetch("evidence_files", queryset=files)).order_by("-number").first()


def _context(request, enrolment, attempt, *, results_form=None, upload_form=None, **extra):
    locked_reason = evidence.evidence_locked_reason(enrolment, attempt)
    can_edit = permissions.can_manage_enrolment(request.user, enrolment) and not locked_reason
    track = enrolment.track
    return {
        "enrolment": enrolment,
        "track": track,
        "attempt": attempt,
        "attempt_number": attempt.number if attempt else 1,
        "evidence_files": list(attempt.evidence_files.all()) if attempt else [],
        "can_edit": can_edit,
        "locked_reason": locked_reason,
        "missing": rules.results_incomplete_reason(enrolment, attempt) if can_edit else "",
        "results_form": results_form or ResultsForm(enrolment=enrolment, attempt=attempt),
        "upload_form": upload_form or EvidenceUploadForm(),
        "submit_form": SubmitResultsForm(initial={"expected_status": enrolment.status}),
        "max_files": evidence.max_files(),
        "reusable_models": module_evidence.reusable_models(enrolment, attempt) if can_edit else [],
        **extra,
    }


def _page(request, enrolment, status=200, **forms):
    attempt = _current_attempt(enrolment)
    return render(request, TEMPLATE, _context(request, enrolment, attempt, **forms), status=status)


def _refused(request, enrolment, error: LifecycleError, **forms):
    attempt = _current_attempt(enrolment)
    return render_error(request, error, TEMPLATE, _context(request, enrolment, attempt, **forms))


@role_required(permissions.is_institution_staff, permissions.is_officer)
def results_edit(request, pk):
    enrolment = get_object_or_404(selectors.enrolments_visible_to(request.user), pk=pk)
    if request.method != "POST":
        return _page(request, enrolment)
    if not permissions.can_manage_enrolment(request.user, enrolment):
        raise PermissionDenied  # officers read this page; they do not enter results
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        return _page(request, enrolment, status=400, error_message=_("Unknown action."))
    return action(request, enrolment)


def _save_scores(request, enrolment):
    attempt = _current_attempt(enrolment)
    form = ResultsForm(request.POST, enrolment=enrolment, attempt=attempt)
    if not form.is_valid():
        return _page(request, enrolment, status=400, results_form=form)
    try:
        registration.record_scores(
            staff=request.user,
            enrolment_id=enrolment.pk,
            theory_score=form.cleaned_data["theory_score"],
            practical_score=form.cleaned_data["practical_score"],
            exam_date=form.cleaned_data["exam_date"],
        )
    except LifecycleError as error:
        return _refused(request, enrolment, error, results_form=form)
    messages.success(request, _("Scores saved."))
    return redirect("results:edit", pk=enrolment.pk)


def _upload(request, enrolment):
    form = EvidenceUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, enrolment, status=400, upload_form=form)
    upload = form.cleaned_data["file"]
    try:
        evidence.attach_evidence(
            staff=request.user, enrolment_id=enrolment.pk, kind=form.cleaned_data["kind"], upload=upload
        )
    except LifecycleError as error:
        return _refused(request, enrolment, error, upload_form=form)
    messages.success(request, _("“%(name)s” added.") % {"name": evidence.display_name(upload.name, form.found_format)})
    return redirect("results:edit", pk=enrolment.pk)


def _remove(request, enrolment):
    evidence_id = request.POST.get("evidence", "")
    if not evidence_id.isdigit():
        raise Http404
    found = get_object_or_404(EvidenceFile, pk=int(evidence_id), attempt__enrolment=enrolment)
    try:
        evidence.remove_evidence(staff=request.user, evidence_id=found.pk)
    except LifecycleError as error:
        return _refused(request, enrolment, error)
    messages.success(request, _("“%(name)s” removed.") % {"name": found.original_name})
    return redirect("results:edit", pk=enrolment.pk)


def _submit(request, enrolment):
    form = SubmitResultsForm(request.POST)
    expected = form.cleaned_data["expected_status"] if form.is_valid() else None
    try:
        services.submit_results(staff=request.user, enrolment_id=enrolment.pk, expected_status=expected)
    except LifecycleError as error:
        enrolment.refresh_from_db()
        return _refused(request, enrolment, error)
    messages.success(request, _("Results submitted for review."))
    return redirect("enrolments:detail", pk=enrolment.pk)


def _reuse(request, enrolment):
    completion_id = request.POST.get("completion", "")
    if not completion_id.isdigit():
        raise Http404
    try:
        copied = module_evidence.reuse_module_model(
            staff=request.user, enrolment_id=enrolment.pk, completion_id=int(completion_id)
        )
    except LifecycleError as error:
        return _refused(request, enrolment, error)
    messages.success(request, _("“%(name)s” from the module completions added.") % {"name": copied.original_name})
    return redirect("results:edit", pk=enrolment.pk)


ACTIONS = {"scores": _save_scores, "upload": _upload, "remove": _remove, "submit": _submit, "reuse": _reuse}


@never_cache
@login_required
def evidence_download(request, pk):
    # Everyone who may not see the candidate gets 404, not 403: a refusal would confirm the file exists.
    found = get_object_or_404(evidence.evidence_visible_to(request.user), pk=pk)
    if not evidence.may_download(request.user, found):
        raise Http404
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=found.original_name, content_type=evidence.content_type_of(found.file.name)
    )
    # Never rendered by the browser as a page of ours, whatever the file holds.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@never_cache
@login_required
def module_evidence_download(request, pk):
    """The file recorded with a module completion, to whoever may see the candidate (404 otherwise)."""
    completion = get_object_or_404(module_evidence.completions_with_evidence_visible_to(request.user), pk=pk)
    if permissions.is_assessor(request.user) and permissions.has_conflict_of_interest(
        request.user, completion.enrolment
    ):
        raise Http404
    try:
        handle = completion.evidence.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=module_evidence.reused_name(completion),
        content_type=evidence.content_type_of(completion.evidence.name),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
