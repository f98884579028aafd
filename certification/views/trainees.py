"""Institution staff register their trainees and enrol them in batches (docs/spec.md §3).

Officers may open the same list and detail pages read-only.
"""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from certification import permissions, photos, registration, selectors
from certification.forms.institution import EnrolForm, TraineeFilters, TraineeForm
from core.errors import LifecycleError
from core.lists import Column, ExportColumn, ListSpec, export_response, list_page
from core.views import institution_required, staff_or_officer_required

TRAINEES = ListSpec(
    name="trainees",
    sheet_title="trainees",
    columns=(
        Column("name", _l("Full name"), ("name",)),
        Column("id", _l("ID number, last 4")),
        Column("gender", _l("Gender"), ("gender",)),
        Column("education", _l("Education"), ("education",)),
        Column("employer", _l("Employer"), ("employer",)),
        Column("institution", _l("Institution"), ("institution__name",)),
        Column("enrolments", _l("Enrolments"), css="num"),
        Column("account", _l("Account")),
        Column("registered", _l("Registered"), ("created_at",)),
    ),
    default_sort="name",
    export=(
        ExportColumn(_l("Full name"), lambda t: t.name),
        ExportColumn(_l("ID number, last 4"), lambda t: t.id_number_last_four, text=True, width=10),
        ExportColumn(_l("Gender"), lambda t: t.get_gender_display()),
        ExportColumn(_l("Education"), lambda t: t.get_education_display()),
        ExportColumn(_l("Employer"), lambda t: t.employer, width=24),
        ExportColumn(_l("Institution"), lambda t: t.institution.name, width=24),
        ExportColumn(_l("Account"), lambda t: _("yes") if t.user_id else _("not yet")),
        ExportColumn(_l("Registered"), lambda t: timezone.localtime(t.created_at).date(), width=12),
    ),
)


def _with_counts(queryset):
    return queryset.select_related("institution").annotate(enrolment_count=Count("enrolments"))


@staff_or_officer_required
def trainee_list(request):
    context = list_page(
        request,
        TRAINEES,
        selectors.trainees_visible_to(request.user).select_related(None),
        form=TraineeFilters(request.GET, user=request.user),
        decorate=_with_counts,
        hidden=[] if permissions.is_officer(request.user) else ["institution"],
        export_url=reverse("institution:trainee_export"),
    )
    context.update(
        show_institution=permissions.is_officer(request.user),
        can_register=permissions.is_institution_staff(request.user),
    )
    return render(request, "institution/trainee_list.html", context)


@staff_or_officer_required
def trainee_export(request):
    return export_response(
        TRAINEES,
        selectors.trainees_visible_to(request.user),
        request,
        form=TraineeFilters(request.GET, user=request.user),
        filename="trainees.xlsx",
    )


@institution_required
def trainee_create(request):
    form = TraineeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            trainee = registration.create_trainee(staff=request.user, **form.service_fields())
        except LifecycleError as error:
            form.add_error(None, error.message)
            return _render_form(request, form, trainee=None, status=error.http_status)
        messages.success(request, _("%(name)s is registered.") % {"name": trainee.name})
        return redirect("institution:trainee_detail", pk=trainee.pk)
    return _render_form(request, form, trainee=None, status=400 if form.is_bound else 200)


@institution_required
def trainee_edit(request, pk):
    trainee = get_object_or_404(selectors.trainees_visible_to(request.user), pk=pk)
    # Taken before the form writes the submitted values onto the instance: the page header keeps the
    # saved name when an edit is rejected, and a replaced photo file is removed after the save.
    saved_name, saved_photo = trainee.name, trainee.photo.name
    form = TraineeForm(request.POST or None, request.FILES or None, instance=trainee)
    if request.method == "POST" and form.is_valid():
        try:
            updated = registration.update_trainee(staff=request.user, trainee_id=trainee.pk, **form.service_fields())
        except LifecycleError as error:
            form.add_error(None, error.message)
            return _render_form(request, form, trainee=trainee, title=saved_name, status=error.http_status)
        if saved_photo and updated.photo.name != saved_photo:
            photos.discard(saved_photo)
        messages.success(request, _("Changes to %(name)s saved.") % {"name": updated.name})
        return redirect("institution:trainee_detail", pk=trainee.pk)
    return _render_form(request, form, trainee=trainee, title=saved_name, status=400 if form.is_bound else 200)


def _render_form(request, form, *, trainee, title="", status):
    context = {"form": form, "trainee": trainee, "title": title}
    return render(request, "institution/trainee_form.html", context, status=status)


@staff_or_officer_required
def trainee_detail(request, pk):
    trainee = get_object_or_404(selectors.trainees_visible_to(request.user), pk=pk)
    return _render_detail(request, trainee, enrol_form=None)


@require_POST
@institution_required
def trainee_enrol(request, pk):
    trainee = get_object_or_404(selectors.trainees_visible_to(request.user), pk=pk)
    form = EnrolForm(request.POST, batches=selectors.batches_visible_to(request.user))
    if not form.is_valid():
        return _render_detail(request, trainee, enrol_form=form, status=400)
    try:
        enrolment = registration.enrol_trainee(
            staff=request.user, trainee_id=trainee.pk, batch_id=form.cleaned_data["batch"].pk
        )
    except LifecycleError as error:
        form.add_error(None, error.message)
        return _render_detail(request, trainee, enrol_form=form, status=error.http_status)
    messages.success(
        request,
        _("%(name)s is enrolled in %(batch)s as a draft: submit it for approval when ready.")
        % {"name": trainee.name, "batch": enrolment.batch.name},
    )
    return redirect("enrolments:detail", pk=enrolment.pk)


def _render_detail(request, trainee, *, enrol_form, status=200):
    can_manage = permissions.can_manage_trainee(request.user, trainee)
    if can_manage and enrol_form is None:
        enrol_form = EnrolForm(batches=selectors.batches_visible_to(request.user))
    enrolments = selectors.enrolments_visible_to(request.user).filter(trainee=trainee).order_by("-created_at", "-pk")
    context = {
        "trainee": trainee,
        "can_manage": can_manage,
        # Staff of the registering institution need the full number (forms, phone calls with the
        # office); everyone else sees it masked, as on certificates and the verify page.
        "id_number": trainee.id_number if can_manage else trainee.masked_id_number,
        "enrolments": enrolments,
        "enrol_form": enrol_form if can_manage else None,
    }
    return render(request, "institution/trainee_detail.html", context, status=status)
