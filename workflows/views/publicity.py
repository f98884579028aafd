"""The public notice (公示) pages: the public list and objection form, and the office's pages.

Public pages show candidates of open notices only, through workflows.publicity.PublicCandidate
(masked name, institution, track, level, period): nothing else of a trainee reaches the template.
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certification import selectors
from certification.models import EnrolmentStatus
from core import error_pages, ratelimit
from core.errors import InvalidInput, LifecycleError
from core.views import officer_required, paginate, render_error, selected_ids
from workflows.forms.publicity import (
    DecisionForm,
    ObjectionFilterForm,
    ObjectionForm,
    OpenNoticeForm,
    PassedFilterForm,
)
from workflows.models import Objection, ObjectionStatus, PublicityNotice
from workflows.publicity import office
from workflows.publicity import services as publicity

OBJECTIONS_PER_HOUR = 5
PUBLIC_PAGE_SIZE = 50
TEMPLATES = "workflows/publicity/"


# Public -----------------------------------------------------------------------------------------


@require_GET
def public_notice_list(request):
    context = paginate(request, publicity.open_notices())
    return render(request, TEMPLATES + "public_list.html", context)


@require_GET
def public_notice_detail(request, notice_id: int):
    notice = get_object_or_404(publicity.open_notices(), pk=notice_id)
    context = paginate(request, publicity.public_entries(notice), per_page=PUBLIC_PAGE_SIZE)
    today = timezone.localdate()
    context.update(
        notice=notice,
        candidates=[publicity.public_candidate(e, today) for e in context["page_obj"]],
        office=office.office_contact(),
    )
    return render(request, TEMPLATES + "public_notice.html", context)


@require_http_methods(["GET", "POST"])
def lodge_objection(request, notice_id: int, entry_id: int):
    notice = get_object_or_404(publicity.open_notices(), pk=notice_id)
    entry = get_object_or_404(publicity.public_entries(notice), pk=entry_id)
    template = TEMPLATES + "objection_form.html"
    context = {"notice": notice, "candidate": publicity.public_candidate(entry)}
    if request.method == "GET":
        return render(request, template, {**context, "form": ObjectionForm()})
    client_ip = ratelimit.client_ip(request)
    if not ratelimit.hit(f"publicity-objection:{client_ip}", OBJECTIONS_PER_HOUR, 3600):
        back_url = reverse("publicity:notice", args=[notice.pk])
        return error_pages.rate_limited(request, minutes=60, back_url=back_url)
    form = ObjectionForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return render(request, template, context, status=400)
    try:
        objection = publicity.lodge_objection(
            entry_id=entry.pk,
            **form.cleaned_data,
            fingerprint=publicity.client_fingerprint(client_ip, request.headers.get("User-Agent", "")),
        )
    except LifecycleError as error:
        return render_error(request, error, template, context)
    messages.success(
        request,
        _(
            "Your objection was received. Your receipt number is %(receipt)s: quote it when you contact the "
            "office. The certification office will look into it and may contact you."
        )
        % {"receipt": objection.receipt_number},
    )
    return redirect("publicity:notice", notice_id=notice.pk)


# Office -----------------------------------------------------------------------------------------


def _passed_candidates(request, filter_form):
    passed = selectors.enrolments_visible_to(request.user).filter(status=EnrolmentStatus.PASSED)
    if filter_form.is_valid():  # an invalid filter is simply not applied
        if filter_form.cleaned_data.get("track"):
            passed = passed.filter(track=filter_form.cleaned_data["track"])
        if filter_form.cleaned_data.get("institution"):
            passed = passed.filter(batch__institution=filter_form.cleaned_data["institution"])
    return passed.order_by("batch__institution__name", "track__code", "trainee__name", "pk")


def _index_context(request, *, open_form=None, selected_ids=frozenset()) -> dict:
    filter_form = PassedFilterForm(request.GET)
    context = paginate(request, _passed_candidates(request, filter_form), per_page=PUBLIC_PAGE_SIZE)
    context.update(
        filter_form=filter_form,
        open_form=open_form or OpenNoticeForm(),
        selected_ids=selected_ids,
        open_notices=publicity.notices_with_counts().filter(closed_at__isnull=True),
    )
    return context


@officer_required
@require_http_methods(["GET", "POST"])
def officer_index(request):
    """Passed candidates to put in a notice, and the notices still open."""
    template = TEMPLATES + "officer_index.html"
    if request.method == "GET":
        return render(request, template, _index_context(request))
    form = OpenNoticeForm(request.POST)
    selected = []
    try:
        # "Every candidate matching the filter" needs no ticks.
        selected = selected_ids(request, at_least_one=not request.POST.get("all_matching"))
        if not form.is_valid():
            return render(
                request, template, _index_context(request, open_form=form, selected_ids=set(selected)), status=400
            )
        if form.cleaned_data["all_matching"]:
            # The filter comes with the page's address, which the form posts back to.
            selected = list(_passed_candidates(request, PassedFilterForm(request.GET)).values_list("pk", flat=True))
        notice = publicity.open_publicity(
            officer=request.user, enrolment_ids=selected, title=form.cleaned_data["title"]
        )
    except LifecycleError as error:
        return render_error(
            request, error, template, _index_context(request, open_form=form, selected_ids=set(selected))
        )
    count = notice.entries.count()
    messages.success(
        request,
        ngettext(
            "Public notice opened for %(count)d candidate until %(date)s.",
            "Public notice opened for %(count)d candidates until %(date)s.",
            count,
        )
        % {"count": count, "date": notice.ends_on.isoformat()},
    )
    return redirect("officer_publicity:notice", notice_id=notice.pk)


@officer_required
@require_POST
def close_due_now(request):
    moved = publicity.close_due_publicity(actor=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d candidate moved to ready to issue.",
            "%(count)d candidates moved to ready to issue.",
            moved,
        )
        % {"count": moved},
    )
    return redirect("officer_publicity:index")


@officer_required
@require_GET
def officer_notice_list(request):
    notices = PublicityNotice.objects.order_by("-starts_on", "-pk")
    context = paginate(request, notices, decorate=publicity.with_notice_counts)
    return render(request, TEMPLATES + "officer_notice_list.html", context)


@officer_required
@require_GET
def officer_notice_detail(request, notice_id: int):
    notice = get_object_or_404(publicity.notices_with_counts(), pk=notice_id)
    context = paginate(request, publicity.notice_entries(notice), per_page=PUBLIC_PAGE_SIZE)
    context.update(notice=notice, demo_close_early=settings.DEBUG)
    return render(request, TEMPLATES + "officer_notice.html", context)


@officer_required
@require_POST
def close_early_for_demo(request, notice_id: int):
    """DEBUG only (404 otherwise): see publicity.close_early_for_demo."""
    if not settings.DEBUG:
        raise Http404
    notice = get_object_or_404(publicity.notices_with_counts(), pk=notice_id)
    try:
        moved = publicity.close_early_for_demo(
            officer=request.user, notice_id=notice.pk, reason=request.POST.get("reason", "")
        )
    except LifecycleError as error:
        messages.error(request, error.message)
        return redirect("officer_publicity:notice", notice_id=notice.pk)
    messages.success(
        request,
        ngettext(
            "Demo only: %(count)d candidate moved to ready to issue.",
            "Demo only: %(count)d candidates moved to ready to issue.",
            moved,
        )
        % {"count": moved},
    )
    return redirect("officer_publicity:notice", notice_id=notice.pk)


def _objections_context(request, *, failed_id=None, failed_form=None) -> dict:
    filter_form = ObjectionFilterForm(request.GET)
    status = ObjectionStatus.OPEN
    if filter_form.is_valid() and filter_form.cleaned_data["status"]:
        status = filter_form.cleaned_data["status"]
    context = paginate(request, publicity.objections_with(status))
    context.update(filter_form=filter_form, status=status, failed_id=failed_id, failed_form=failed_form)
    return context


@officer_required
@require_GET
def objection_list(request):
    return render(request, TEMPLATES + "officer_objections.html", _objections_context(request))


@officer_required
@require_POST
def decide_objection(request, objection_id: int):
    objection = get_object_or_404(Objection, pk=objection_id)
    form = DecisionForm(request.POST)
    template = TEMPLATES + "officer_objections.html"
    try:
        if not form.is_valid():
            raise InvalidInput(_("Please give a reason, then choose to uphold or dismiss."))
        decide = publicity.uphold_objection if form.cleaned_data["action"] == "uphold" else publicity.dismiss_objection
        decide(officer=request.user, objection_id=objection.pk, reason=form.cleaned_data["reason"])
    except LifecycleError as error:
        return render_error(
            request, error, template, _objections_context(request, failed_id=objection.pk, failed_form=form)
        )
    if form.cleaned_data["action"] == "uphold":
        messages.success(request, _("Objection upheld: the candidate is disqualified."))
    else:
        messages.success(request, _("Objection dismissed."))
    return redirect("officer_publicity:objections")
