"""Assessor pages: the queue of unclaimed tasks, my inbox, one review, bulk approval (docs/spec.md §5)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from certification import permissions
from certification import selectors as certification_selectors
from certification.listing import ListFilters
from core.errors import LifecycleError
from core.lists import Column, ExportColumn, ListSpec, export_response, list_page
from core.views import render_error, role_required, selected_ids
from workflows.assessment import selectors, services
from workflows.forms.assessment import AssignForm, BulkAssignForm, ConflictForm, DecisionForm

assessor_or_officer = role_required(permissions.is_assessor, permissions.is_officer)
assessor_only = role_required(permissions.is_assessor)


_ENROLMENT = "process__assessmentprocess__enrolment"

REVIEW_TASKS = ListSpec(
    name="review",
    sheet_title="review",
    columns=(
        Column("candidate", _l("Candidate"), (f"{_ENROLMENT}__trainee__name",)),
        Column("id", _l("ID number, last 4")),
        Column("track", _l("Track"), (f"{_ENROLMENT}__track__code",)),
        Column("level", _l("Level"), (f"{_ENROLMENT}__batch__level",)),
        Column("institution", _l("Institution"), (f"{_ENROLMENT}__batch__institution__name",)),
        Column("theory", _l("Theory"), css="num"),
        Column("practical", _l("Practical"), css="num"),
        Column("task", _l("Task")),
        Column("waiting", _l("Waiting since"), ("created",)),
        Column("owner", _l("Claimed by")),
    ),
    default_sort="waiting",
    export=(
        ExportColumn(_l("Candidate"), lambda t: t.process.assessmentprocess.enrolment.trainee.name),
        ExportColumn(
            _l("ID number, last 4"),
            lambda t: t.process.assessmentprocess.enrolment.trainee.id_number_last_four,
            text=True,
            width=10,
        ),
        ExportColumn(_l("Track"), lambda t: t.process.assessmentprocess.enrolment.track.display_name),
        ExportColumn(_l("Level"), lambda t: t.process.assessmentprocess.enrolment.batch.get_level_display()),
        ExportColumn(_l("Institution"), lambda t: t.process.assessmentprocess.enrolment.batch.institution.name),
        ExportColumn(_l("Batch"), lambda t: t.process.assessmentprocess.enrolment.batch.name),
        ExportColumn(_l("Theory"), lambda t: t.process.assessmentprocess.attempt.theory_score),
        ExportColumn(_l("Practical"), lambda t: t.process.assessmentprocess.attempt.practical_score),
        ExportColumn(_l("Waiting since"), lambda t: timezone.localtime(t.created).date(), width=12),
        ExportColumn(_l("Claimed by"), lambda t: t.owner.display_name if t.owner_id else ""),
    ),
)


def _filters(request):
    form = ListFilters(
        request.GET,
        user=request.user,
        paths={
            # The candidate's name or their institution's (assessors have no institution filter).
            "q": lambda tasks, text: tasks.filter(
                certification_selectors.name_contains(text.strip(), f"{_ENROLMENT}__trainee__name")
                | certification_selectors.name_contains(text.strip(), f"{_ENROLMENT}__batch__institution__name")
            ),
            "last_four": f"{_ENROLMENT}__trainee__id_last_four",
            "institution": f"{_ENROLMENT}__batch__institution",
            "track": f"{_ENROLMENT}__track",
            "level": f"{_ENROLMENT}__batch__level",
            "date": ("created", True),
        },
        date_label=_l("Waiting since"),
    )
    form.fields["q"].label = _l("Candidate or institution")
    return form


def _task_rows(page_obj):
    return [
        {"task": task, "process": task.process.assessmentprocess, "clean": selectors.is_clean(task)}
        for task in page_obj.object_list
    ]


def _list(request, tasks, *, heading, is_inbox, export_url, bulk_assign_form=None):
    context = list_page(
        request,
        REVIEW_TASKS,
        tasks,
        form=_filters(request),
        hidden=["owner"] if is_inbox else [],
        export_url=export_url,
    )
    context.update(
        rows=_task_rows(context["page_obj"]),
        heading=heading,
        is_inbox=is_inbox,
        bulk_assign_form=bulk_assign_form,
    )
    return render(request, "workflows/queue.html", context)


@assessor_or_officer
def queue(request):
    tasks = selectors.review_queue_for(request.user)
    return _list(
        request,
        tasks,
        heading=_("Review queue"),
        is_inbox=False,
        export_url=reverse("assessment:queue_export"),
        bulk_assign_form=BulkAssignForm() if permissions.is_officer(request.user) else None,
    )


@assessor_only
def inbox(request):
    tasks = selectors.inbox_for(request.user)
    return _list(request, tasks, heading=_("My inbox"), is_inbox=True, export_url=reverse("assessment:inbox_export"))


@assessor_or_officer
def queue_export(request):
    tasks = selectors.review_queue_for(request.user)
    return export_response(REVIEW_TASKS, tasks, request, form=_filters(request), filename="review-queue.xlsx")


@assessor_only
def inbox_export(request):
    tasks = selectors.inbox_for(request.user)
    return export_response(REVIEW_TASKS, tasks, request, form=_filters(request), filename="inbox.xlsx")


def _review_context(request, task, **extra):
    process = task.process.assessmentprocess
    enrolment = process.enrolment
    return {
        "task": task,
        "process": process,
        "enrolment": enrolment,
        "attempt": process.attempt,
        "attempts": enrolment.attempts.prefetch_related("evidence_files").order_by("number"),
        "completions": enrolment.completions.select_related("module").order_by("module__position"),
        "history": certification_selectors.history_of(enrolment),
        "refusal": services.review_refusal(request.user, task, process)
        if permissions.is_assessor(request.user)
        else "",
        "decision_form": extra.pop("decision_form", None) or DecisionForm(),
        "assign_form": AssignForm(assessors=selectors.eligible_assessors(task))
        if permissions.is_officer(request.user)
        else None,
        "clean": selectors.is_clean(task),
        "conflict_form": ConflictForm(),
        **extra,
    }


def visible_task_or_404(request, task_id):
    task = selectors.task_visible_to(request.user, task_id)
    if task is None:
        raise Http404
    return task


@assessor_or_officer
def review(request, task_id):
    task = visible_task_or_404(request, task_id)
    return render(request, "workflows/review.html", _review_context(request, task))


@require_POST
@assessor_only
def decide(request, task_id):
    task = visible_task_or_404(request, task_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return render(request, "workflows/review.html", _review_context(request, task, decision_form=form), status=400)
    # The decision claims an unclaimed task (services.decide); the page said so, and so does the message.
    was_unclaimed = task.owner_id is None
    try:
        enrolment = services.decide(
            assessor=request.user,
            task_id=task.pk,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        )
    except LifecycleError as error:
        return render_error(request, error, "workflows/review.html", _review_context(request, task, decision_form=form))
    if was_unclaimed:
        message = _("You claimed %(name)s and recorded your decision: now “%(status)s”.")
    else:
        message = _("Decision recorded: %(name)s is now “%(status)s”.")
    messages.success(request, message % {"name": enrolment.trainee.name, "status": enrolment.get_status_display()})
    return redirect("assessment:inbox")


@require_POST
@assessor_only
def claim(request, task_id):
    task = visible_task_or_404(request, task_id)
    try:
        services.claim_task(assessor=request.user, task_id=task.pk)
    except LifecycleError as error:
        return render_error(request, error, "workflows/review.html", _review_context(request, task))
    messages.success(request, _("Claimed: the candidate is in your inbox until you decide or release it."))
    return redirect("assessment:review", task_id=task.pk)


@require_POST
@assessor_or_officer
def release(request, task_id):
    task = visible_task_or_404(request, task_id)
    try:
        services.release_task(user=request.user, task_id=task.pk)
    except LifecycleError as error:
        return render_error(request, error, "workflows/review.html", _review_context(request, task))
    messages.info(request, _("Task released back to the queue."))
    return redirect("assessment:queue")


@require_POST
@role_required(permissions.is_officer)
def assign(request, task_id):
    task = visible_task_or_404(request, task_id)
    form = AssignForm(request.POST, assessors=selectors.eligible_assessors(task))
    if not form.is_valid():
        return render(request, "workflows/review.html", _review_context(request, task), status=400)
    try:
        services.assign_task(officer=request.user, task_id=task.pk, assessor_id=form.cleaned_data["assessor"].pk)
    except LifecycleError as error:
        return render_error(request, error, "workflows/review.html", _review_context(request, task))
    messages.success(request, _("Task assigned to %(name)s.") % {"name": form.cleaned_data["assessor"].display_name})
    return redirect("assessment:queue")


@require_POST
@role_required(permissions.is_officer)
def assign_selected(request):
    """The officer hands the ticked tasks to one assessor (all or nothing, conflicts respected)."""
    form = BulkAssignForm(request.POST)
    try:
        ids = selected_ids(request, "task")
        if not form.is_valid():
            messages.error(request, _("Choose an active assessor."))
            return redirect("assessment:queue")
        assessor = form.cleaned_data["assessor"]
        assigned = services.assign_tasks(officer=request.user, task_ids=ids, assessor_id=assessor.pk)
    except LifecycleError as error:
        messages.error(request, error.message)
        return redirect("assessment:queue")
    messages.success(
        request,
        ngettext(
            "%(count)d candidate assigned to %(name)s.", "%(count)d candidates assigned to %(name)s.", len(assigned)
        )
        % {"count": len(assigned), "name": assessor.display_name},
    )
    return redirect("assessment:queue")


@require_POST
@assessor_only
def approve_selected(request):
    """Bulk approval in two steps: the list of selected clean candidates, then one confirmation."""
    ids = [int(v) for v in request.POST.getlist("task") if v.isdigit()]
    visible = selectors.review_queue_for(request.user) | selectors.inbox_for(request.user)
    tasks = list(visible.filter(pk__in=ids))
    rows = [{"task": t, "process": t.process.assessmentprocess, "clean": selectors.is_clean(t)} for t in tasks]
    unclean = [row for row in rows if not row["clean"]]
    if not ids:
        messages.error(request, _("Select at least one."))
        return redirect("assessment:queue")
    if len(tasks) != len(set(ids)) or unclean:
        messages.error(
            request,
            _(
                "Only candidates you may review and whose scores and evidence are complete and "
                "passing can be approved together. Review the others one by one."
            ),
        )
        return redirect("assessment:queue")
    if request.POST.get("confirm") != "yes":
        return render(request, "workflows/confirm_approve.html", {"rows": rows})
    try:
        approved = services.approve_many(assessor=request.user, task_ids=ids)
    except LifecycleError as error:
        messages.error(request, error.message)
        return redirect("assessment:queue")
    messages.success(
        request,
        ngettext("%(n)d candidate approved.", "%(n)d candidates approved.", len(approved)) % {"n": len(approved)},
    )
    return redirect("assessment:queue")
