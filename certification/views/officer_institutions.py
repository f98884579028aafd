"""The officer's institution pages: the list, registering one, vetting it, its staff and quotas."""

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from certification import selectors, vetting
from certification.forms.officer import InstitutionFilterForm, InstitutionForm, QuotaForm, StaffAccountForm, VettingForm
from certification.models import Role, Track, TrackQuota
from core.errors import LifecycleError
from core.views import officer_required, paginate, render_error

DETAIL_TEMPLATE = "officer/institution_detail.html"

VETTING_SERVICES = {
    "approve": vetting.approve_institution,
    "suspend": vetting.suspend_institution,
    "reinstate": vetting.reinstate_institution,
}
VETTING_BUTTONS = {
    "approve": (gettext_lazy("Approve"), "btn-primary"),
    "suspend": (gettext_lazy("Suspend"), "btn-danger"),
    "reinstate": (gettext_lazy("Reinstate"), "btn-primary"),
}


def _institution_or_404(request, pk):
    return get_object_or_404(selectors.institutions_visible_to(request.user), pk=pk)


def _quota_cells(quotas, tracks) -> list[TrackQuota | None]:
    """One cell per track, in the order of the table's columns (None: no quota set)."""
    by_track = {quota.track_id: quota for quota in quotas}
    return [by_track.get(track.pk) for track in tracks]


@officer_required
def institution_list(request):
    year = timezone.localdate().year
    form = InstitutionFilterForm(request.GET)
    form.is_valid()  # an invalid filter is simply not applied
    institutions = selectors.institutions_visible_to(request.user)
    if status := form.cleaned_data.get("status"):
        institutions = institutions.filter(status=status)
    if text := form.cleaned_data.get("q", "").strip():
        institutions = institutions.filter(Q(name__icontains=text) | Q(org_code__icontains=text))
    institutions = (
        institutions.annotate(staff_count=Count("staff", filter=Q(staff__role=Role.INSTITUTION)))
        .prefetch_related(
            Prefetch("quotas", queryset=selectors.quotas_with_usage().filter(year=year), to_attr="quotas_this_year")
        )
        .order_by("name", "pk")
    )
    context = paginate(request, institutions)
    tracks = list(Track.objects.all())
    rows = [(institution, _quota_cells(institution.quotas_this_year, tracks)) for institution in context["page_obj"]]
    context.update(form=form, year=year, tracks=tracks, rows=rows)
    return render(request, "officer/institution_list.html", context)


@officer_required
def institution_create(request):
    form = InstitutionForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "officer/institution_form.html", {"form": form}, status=400)
        try:
            institution = vetting.create_institution(officer=request.user, **form.cleaned_data)
        except LifecycleError as error:
            return render_error(request, error, "officer/institution_form.html", {"form": form})
        messages.success(
            request,
            _("%(institution)s is registered. It stays pending until you approve it; add its staff accounts below.")
            % {"institution": institution.name},
        )
        return redirect("officer:institution_detail", pk=institution.pk)
    return render(request, "officer/institution_form.html", {"form": form})


def _detail_context(institution, *, staff_form=None, quota_form=None, vetting_form=None) -> dict:
    tracks = list(Track.objects.all())
    return {
        "institution": institution,
        "staff_accounts": institution.staff.filter(role=Role.INSTITUTION).order_by("username"),
        "tracks": tracks,
        "quota_rows": selectors.quota_table(institution, tracks),
        "vetting_buttons": [
            (move, *VETTING_BUTTONS[move])
            for move, (sources, _target, _note_required) in vetting.VETTING_MOVES.items()
            if institution.status in sources
        ],
        "vetting_decisions": selectors.vetting_decisions_of(institution),
        # Decisions made before they were recorded one by one, kept as they were written.
        "earlier_vetting_notes": [line for line in institution.vetting_note.splitlines() if line.strip()],
        "staff_form": staff_form or StaffAccountForm(),
        "quota_form": quota_form or QuotaForm(),
        "vetting_form": vetting_form or VettingForm(),
    }


@officer_required
def institution_detail(request, pk):
    institution = _institution_or_404(request, pk)
    return render(request, DETAIL_TEMPLATE, _detail_context(institution))


@officer_required
@require_POST
def add_staff_account(request, pk):
    institution = _institution_or_404(request, pk)
    form = StaffAccountForm(request.POST)
    if not form.is_valid():
        return render(request, DETAIL_TEMPLATE, _detail_context(institution, staff_form=form), status=400)
    try:
        staff = vetting.add_staff_account(officer=request.user, institution_id=institution.pk, **form.cleaned_data)
    except LifecycleError as error:
        return render_error(request, error, DETAIL_TEMPLATE, _detail_context(institution, staff_form=form))
    messages.success(
        request,
        _("The staff account “%(username)s” is ready: hand over the initial password.") % {"username": staff.username},
    )
    return redirect("officer:institution_detail", pk=institution.pk)


@officer_required
@require_POST
def set_quota(request, pk):
    institution = _institution_or_404(request, pk)
    form = QuotaForm(request.POST)
    if not form.is_valid():
        return render(request, DETAIL_TEMPLATE, _detail_context(institution, quota_form=form), status=400)
    data = form.cleaned_data
    try:
        vetting.set_quota(
            officer=request.user,
            institution_id=institution.pk,
            track_id=data["track"].pk,
            year=data["year"],
            quota=data["quota"],
        )
    except LifecycleError as error:
        return render_error(request, error, DETAIL_TEMPLATE, _detail_context(institution, quota_form=form))
    messages.success(
        request,
        _("The %(year)s quota for %(track)s is now %(quota)s.")
        % {"year": data["year"], "track": data["track"].display_name, "quota": data["quota"]},
    )
    return redirect("officer:institution_detail", pk=institution.pk)


@officer_required
@require_POST
def vet_institution(request, pk, move):
    institution = _institution_or_404(request, pk)
    if move not in VETTING_SERVICES:
        raise Http404
    form = VettingForm(request.POST)
    if not form.is_valid():
        return render(request, DETAIL_TEMPLATE, _detail_context(institution, vetting_form=form), status=400)
    try:
        institution = VETTING_SERVICES[move](
            officer=request.user, institution_id=institution.pk, note=form.cleaned_data["note"]
        )
    except LifecycleError as error:
        institution.refresh_from_db()  # show the status someone else may have set meanwhile
        return render_error(request, error, DETAIL_TEMPLATE, _detail_context(institution, vetting_form=form))
    messages.success(
        request,
        _("%(institution)s is now “%(status)s”.")
        % {"institution": institution.name, "status": institution.get_status_display()},
    )
    return redirect("officer:institution_detail", pk=institution.pk)
