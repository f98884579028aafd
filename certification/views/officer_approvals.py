"""The officer's eligibility approvals: the queue of submitted enrolments and the bulk decision."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import ngettext

from certification import selectors, services
from certification.forms.officer import ApprovalDecisionForm
from certification.listing import ListFilters
from certification.models import EnrolmentStatus
from core.errors import LifecycleError
from core.lists import Column, ExportColumn, ListSpec, export_response, list_page
from core.views import officer_required, render_error, selected_ids

TEMPLATE = "officer/approvals.html"


APPROVALS = ListSpec(
    name="approvals",
    sheet_title="approvals",
    columns=(
        Column("name", _l("Trainee"), ("trainee__name",)),
        Column("id", _l("ID number, last 4")),
        Column("institution", _l("Institution"), ("batch__institution__name",)),
        Column("batch", _l("Batch"), ("batch__name",)),
        Column("track", _l("Track"), ("track__code",)),
        Column("level", _l("Level"), ("batch__level",)),
        # Enrolments in `submitted` changed status last when they were submitted.
        Column("submitted", _l("Submitted"), ("status_changed_at",)),
    ),
    default_sort="submitted",
    export=(
        ExportColumn(_l("Trainee"), lambda e: e.trainee.name),
        ExportColumn(_l("ID number, last 4"), lambda e: e.trainee.id_number_last_four, text=True, width=10),
        ExportColumn(_l("Institution"), lambda e: e.batch.institution.name, width=24),
        ExportColumn(_l("Batch"), lambda e: e.batch.name, width=24),
        ExportColumn(_l("Track"), lambda e: e.track.display_name),
        ExportColumn(_l("Level"), lambda e: e.batch.get_level_display()),
        ExportColumn(_l("Submitted"), lambda e: timezone.localtime(e.status_changed_at).date(), width=12),
    ),
)


def _submitted(request):
    return selectors.enrolments_visible_to(request.user).filter(status=EnrolmentStatus.SUBMITTED)


def _filters(request):
    return ListFilters(
        request.GET,
        user=request.user,
        paths={
            "q": lambda queryset, text: selectors.search_enrolments(queryset, text=text.strip()),
            "last_four": "trainee__id_last_four",
            "institution": "batch__institution",
            "batch": "batch",
            "track": "track",
            "level": "batch__level",
            "date": ("status_changed_at", True),
        },
        date_label=_l("Submitted"),
    )


def _with_rows(queryset):
    return queryset.select_related("trainee", "batch__institution", "track")


def _queue_context(request, *, decision_form=None, selected_ids=frozenset()) -> dict:
    """Submitted enrolments, oldest submission first unless sorted otherwise, filtered by the query string."""
    context = list_page(
        request,
        APPROVALS,
        _submitted(request).select_related(None),
        form=_filters(request),
        decorate=_with_rows,
        export_url=reverse("officer:approvals_export"),
    )
    context.update(decision_form=decision_form or ApprovalDecisionForm(), selected_ids=selected_ids)
    return context


@officer_required
def approvals_export(request):
    return export_response(APPROVALS, _submitted(request), request, form=_filters(request), filename="approvals.xlsx")


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
