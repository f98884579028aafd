"""Officer pages: start issuance (one batch, or everything ready), follow a run's progress, resume
a stopped run, correct (reissue) and revoke certificates; how often certificates are checked."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.errors import InvalidInput, LifecycleError
from core.views import officer_required, paginate, render_error

from .. import check_rollup, selectors, services
from ..forms import ReasonForm
from ..models import VerificationChannel
from .registers import detail_context

RECENT_RUNS = 10


def _issuance_context(request) -> dict:
    batches = list(selectors.batches_ready_to_issue(request.user))
    return {
        "batches": batches,
        "ready_total": sum(batch.ready_count for batch in batches),
        # Each run's state in the same words as its own page (progress_state), from the same counts.
        "runs": [
            {"run": run, "progress": progress, "state": progress_state(progress)}
            for run in selectors.runs_visible_to(request.user).order_by("-created_at", "-pk")[:RECENT_RUNS]
            for progress in [selectors.run_progress(run)]
        ],
    }


def progress_state(progress: dict) -> str:
    """What a run is doing, in one sentence, for the issuance page, the run page and its JSON."""
    if progress["finished"]:
        if progress["skipped"]:
            return _("Finished: %(issued)s issued, %(skipped)s not issued (see the run).") % progress
        return _("Finished: %(issued)s issued.") % progress
    if progress["stalled"]:
        return _("Stopped at %(done)s of %(total)s: open the run to resume it.") % progress
    return _("In progress: %(done)s of %(total)s done.") % progress


@officer_required
def issuance(request):
    if request.method == "POST":
        scope = request.POST.get("batch", "")
        try:
            if scope != "all" and not scope.isdigit():
                raise InvalidInput(_("Choose a training batch, or everything ready."))
            run = services.start_issuance(officer=request.user, batch_id=None if scope == "all" else int(scope))
        except LifecycleError as error:
            return render_error(request, error, "certificates/issuance.html", _issuance_context(request))
        messages.success(request, _("Issuance started: %(count)s certificates.") % {"count": run.total})
        return redirect("certificates:run", pk=run.pk)
    return render(request, "certificates/issuance.html", _issuance_context(request))


def _run_context(request, run) -> dict:
    progress = selectors.run_progress(run)
    return {
        "run": run,
        "progress": progress,
        "state": progress_state(progress),
        "problems": list(selectors.problem_items(run)),
    }


@officer_required
def run_detail(request, pk):
    run = get_object_or_404(selectors.runs_visible_to(request.user), pk=pk)
    context = _run_context(request, run)
    certificates = run.certificates.select_related("enrolment__trainee").order_by("serial")
    context.update(paginate(request, certificates, per_page=50))
    return render(request, "certificates/run.html", context)


@never_cache
@officer_required
def run_progress(request, pk):
    run = get_object_or_404(selectors.runs_visible_to(request.user), pk=pk)
    progress = selectors.run_progress(run)
    progress["summary"] = _("%(done)s of %(total)s done: %(issued)s issued, %(skipped)s skipped.") % progress
    progress["state"] = progress_state(progress)
    return JsonResponse(progress)


@require_POST
@officer_required
def run_resume(request, pk):
    run = get_object_or_404(selectors.runs_visible_to(request.user), pk=pk)
    try:
        services.resume_issuance(officer=request.user, run_id=run.pk)
    except LifecycleError as error:
        context = _run_context(request, run)
        context.update(paginate(request, run.certificates.order_by("serial"), per_page=50))
        return render_error(request, error, "certificates/run.html", context)
    messages.success(request, _("The run's remaining certificates are queued again."))
    return redirect("certificates:run", pk=run.pk)


def _certificate_action(request, pk, action, prefix, success_message):
    certificate = get_object_or_404(selectors.certificates_visible_to(request.user), pk=pk)
    form = ReasonForm(request.POST, prefix=prefix)
    try:
        if not form.is_valid():
            raise InvalidInput(_("Please give a reason."))
        result = action(officer=request.user, certificate_id=certificate.pk, reason=form.cleaned_data["reason"])
    except LifecycleError as error:
        certificate.refresh_from_db()
        context = detail_context(request, certificate)
        context[f"{prefix}_form"] = form
        return render_error(request, error, "certificates/detail.html", context)
    messages.success(request, success_message % {"number": result.number})
    return redirect("certificates:detail", pk=result.pk)


@require_POST
@officer_required
def reissue(request, pk):
    return _certificate_action(
        request,
        pk,
        services.reissue_certificate,
        "reissue",
        _("Corrected certificate %(number)s issued; the old one is now superseded."),
    )


@require_POST
@officer_required
def revoke(request, pk):
    return _certificate_action(request, pk, services.revoke_certificate, "revoke", _("Certificate %(number)s revoked."))


@officer_required
def check_counts(request):
    """How often certificates are checked: per day, and per certificate (the most checked first),
    over the last 7, 30, 90 or 365 days (today included)."""
    days = int(request.GET["days"]) if request.GET.get("days", "").isdigit() else 30
    days = days if days in check_rollup.PERIODS else 30
    rollup, today = check_rollup.current(), timezone.localdate()
    # Translated once: sorting and showing a year of days would translate each lazy label thousands
    # of times (seconds of gettext).
    labels = {channel: str(label) for channel, label in VerificationChannel.choices}
    per_day = check_rollup.counts_per_day(rollup, period=days, today=today)
    for day in per_day:
        # One text a day: a year of days is ~3,000 (channel, count) pairs, slow to render one by one.
        day["channels"] = " · ".join(
            f"{label} {n}" for label, n in sorted((labels.get(c, c), n) for c, n in day["channels"].items())
        )
    context = {
        "days": days,
        "periods": check_rollup.PERIODS,
        "per_day": per_day,
        **paginate(request, check_rollup.CountsPerCertificate(rollup, period=days, today=today)),
    }
    context["per_certificate"] = selectors.with_numbers(context["page_obj"])
    return render(request, "certificates/check_counts.html", context)
