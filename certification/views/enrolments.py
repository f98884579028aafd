"""Enrolment pages shared by every role: the list, one enrolment with its history, and its moves."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from certification import permissions, registration, rules, selectors, services
from certification.forms.enrolments import ModuleCompletionsForm, MoveForm
from certification.lifecycle import REASON_REQUIRED
from certification.listing import ListFilters
from certification.models import EnrolmentStatus
from core.errors import LifecycleError
from core.lists import Column, ExportColumn, ListSpec, export_response, list_page
from core.views import render_error, role_required

# Moves made from this page, each by its service. The others have pages of their own that do more
# than the move: results and reviews run through the assessment flow, 公示 through notices and
# objections, issuing and revoking through the certificates app.
PAGE_MOVES = {
    "submit": lambda user, pk, expected, reason: services.submit_enrolment(
        actor=user, enrolment_id=pk, expected_status=expected
    ),
    "resubmit": lambda user, pk, expected, reason: services.resubmit_enrolment(
        actor=user, enrolment_id=pk, expected_status=expected
    ),
    "approve": lambda user, pk, expected, reason: services.approve_enrolments(
        officer=user, enrolment_ids=[pk], reason=reason
    ),
    "reject": lambda user, pk, expected, reason: services.reject_enrolments(
        officer=user, enrolment_ids=[pk], reason=reason
    ),
    "complete_training": lambda user, pk, expected, reason: services.complete_training(
        actor=user, enrolment_id=pk, expected_status=expected
    ),
    "schedule_resit": lambda user, pk, expected, reason: services.schedule_resit(
        staff=user, enrolment_id=pk, expected_status=expected
    ),
    "withdraw": lambda user, pk, expected, reason: services.withdraw(
        actor=user, enrolment_id=pk, reason=reason, expected_status=expected
    ),
}

staff_officer_or_assessor = role_required(
    permissions.is_officer, permissions.is_institution_staff, permissions.is_assessor
)


ENROLMENTS = ListSpec(
    name="enrolments",
    sheet_title="enrolments",
    columns=(
        Column("name", _l("Trainee"), ("trainee__name",)),
        Column("id", _l("ID number, last 4")),
        Column("track", _l("Track"), ("track__code",)),
        Column("batch", _l("Batch"), ("batch__name",)),
        Column("institution", _l("Institution"), ("batch__institution__name",)),
        Column("status", _l("Status"), ("status",)),
        Column("since", _l("Since"), ("status_changed_at",)),
    ),
    default_sort="-since",
    export=(
        ExportColumn(_l("Trainee"), lambda e: e.trainee.name),
        ExportColumn(_l("ID number, last 4"), lambda e: e.trainee.id_number_last_four, text=True, width=10),
        ExportColumn(_l("Track"), lambda e: e.track.display_name),
        ExportColumn(_l("Institution"), lambda e: e.batch.institution.name, width=24),
        ExportColumn(_l("Batch"), lambda e: e.batch.name, width=24),
        ExportColumn(_l("Level"), lambda e: e.batch.get_level_display()),
        ExportColumn(_l("Status"), lambda e: e.get_status_display()),
        ExportColumn(_l("Since"), lambda e: timezone.localtime(e.status_changed_at).date(), width=12),
    ),
)


def _enrolment_filters(request):
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
            "status": "status",
            "date": ("status_changed_at", True),
        },
        statuses=EnrolmentStatus.choices,
        date_label=_l("Since"),
    )


def _with_rows(queryset):
    return queryset.select_related("trainee", "batch__institution", "track")


@staff_officer_or_assessor
def enrolment_list(request):
    context = list_page(
        request,
        ENROLMENTS,
        selectors.enrolments_visible_to(request.user).select_related(None),
        form=_enrolment_filters(request),
        decorate=_with_rows,
        hidden=["institution"] if permissions.is_institution_staff(request.user) else [],
        export_url=reverse("enrolments:export"),
    )
    return render(request, "enrolments/list.html", context)


@staff_officer_or_assessor
def enrolment_export(request):
    return export_response(
        ENROLMENTS,
        selectors.enrolments_visible_to(request.user),
        request,
        form=_enrolment_filters(request),
        filename="enrolments.xlsx",
    )


def _detail_context(request, enrolment, **extra):
    user = request.user
    attempts = list(enrolment.attempts.prefetch_related("evidence_files").order_by("number"))
    moves = [
        {
            "name": name,
            "label": label,
            "needs_reason": name in REASON_REQUIRED,
            "danger": name in {"reject", "withdraw"},
        }
        for name, label in services.available_moves(user=user, enrolment=enrolment)
        if name in PAGE_MOVES
    ]
    shows_full_id = (
        permissions.is_officer(user)
        or permissions.can_manage_enrolment(user, enrolment)
        or (permissions.is_trainee(user) and enrolment.trainee.user_id == user.pk)
    )
    manages = permissions.can_manage_enrolment(user, enrolment)
    return {
        "enrolment": enrolment,
        "trainee": enrolment.trainee,
        # docs/spec.md §6: the office and the institution see it all, an assessor the last four.
        "id_number": enrolment.trainee.id_number if shows_full_id else enrolment.trainee.id_number_last_four,
        "modules": rules.module_progress(enrolment),
        "attempts": attempts,
        "history": selectors.history_of(enrolment),
        "score_history": selectors.score_history_of(enrolment),
        "moves": moves,
        "move_form": MoveForm(initial={"expected_status": enrolment.status}),
        "can_record_completions": manages and enrolment.status in (EnrolmentStatus.ENROLLED, EnrolmentStatus.TRAINED),
        "can_enter_results": manages and enrolment.status == EnrolmentStatus.TRAINED,
        "shows_publicity_link": permissions.is_officer(user) and enrolment.status == EnrolmentStatus.PASSED,
        "resit_closed_reason": rules.resit_closed_reason(enrolment)
        if enrolment.status == EnrolmentStatus.FAILED
        else "",
        **extra,
    }


@login_required
def enrolment_detail(request, pk):
    enrolment = get_object_or_404(selectors.enrolments_visible_to(request.user), pk=pk)
    return render(request, "enrolments/detail.html", _detail_context(request, enrolment))


@require_POST
@login_required
def enrolment_move(request, pk, transition):
    if transition not in PAGE_MOVES:
        raise Http404
    enrolment = get_object_or_404(selectors.enrolments_visible_to(request.user), pk=pk)
    form = MoveForm(request.POST)
    expected = form.data.get("expected_status") or None
    reason = form.data.get("reason", "")
    # The message names the button that was pressed, in the button's words.
    label = dict(services.available_moves(user=request.user, enrolment=enrolment)).get(transition, "")
    try:
        PAGE_MOVES[transition](request.user, pk, expected, reason)
    except LifecycleError as error:
        enrolment.refresh_from_db()
        return render_error(request, error, "enrolments/detail.html", _detail_context(request, enrolment))
    enrolment.refresh_from_db()
    messages.success(
        request,
        _("“%(move)s” done: the enrolment is now “%(status)s”.")
        % {"move": label, "status": enrolment.get_status_display()},
    )
    return redirect("enrolments:detail", pk=pk)


@role_required(permissions.is_institution_staff)
def module_completions(request, pk):
    enrolment = get_object_or_404(selectors.enrolments_visible_to(request.user), pk=pk)
    form = ModuleCompletionsForm(request.POST or None, request.FILES or None, enrolment=enrolment)
    if request.method == "POST" and form.is_valid():
        try:
            # All rows or none: a refusal on one module leaves the others as they were.
            with transaction.atomic():
                for module, hours, score, evidence in form.entries():
                    registration.record_module_completion(
                        staff=request.user,
                        enrolment_id=enrolment.pk,
                        module_id=module.pk,
                        hours=hours,
                        score=score,
                        evidence=evidence,
                    )
        except LifecycleError as error:
            return render_error(request, error, "enrolments/completions.html", {"enrolment": enrolment, "form": form})
        messages.success(request, _("Module completions saved."))
        return redirect("enrolments:detail", pk=enrolment.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "enrolments/completions.html", {"enrolment": enrolment, "form": form}, status=status)
