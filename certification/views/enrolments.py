"""Enrolment pages shared by every role: the list, one enrolment with its history, and its moves."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certification import permissions, registration, rules, selectors, services
from certification.forms.enrolments import EnrolmentFilterForm, ModuleCompletionsForm, MoveForm
from certification.lifecycle import REASON_REQUIRED
from certification.models import EnrolmentStatus
from core.errors import LifecycleError
from core.views import paginate, render_error, role_required

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


@staff_officer_or_assessor
def enrolment_list(request):
    form = EnrolmentFilterForm(request.GET or None)
    enrolments = selectors.enrolments_visible_to(request.user)
    if form.is_valid():
        enrolments = selectors.search_enrolments(
            enrolments,
            text=form.cleaned_data["q"],
            status=form.cleaned_data["status"],
            track=form.cleaned_data["track"],
            batch=request.GET.get("batch", ""),
        )
    context = {"form": form, **paginate(request, enrolments.order_by("-status_changed_at", "-pk"))}
    return render(request, "enrolments/list.html", context)


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
