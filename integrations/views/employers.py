"""Employer accounts: the office creates them; an employer manages its verification keys."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import roles
from core.errors import LifecycleError
from core.views import officer_required, paginate, render_error, role_required

from .. import selectors, services
from ..forms import EmployerForm, KeyForm

employer_required = role_required(roles.is_employer)


@officer_required
def employer_list(request):
    form = EmployerForm(request.POST or None)
    context = {"form": form, **paginate(request, selectors.employers_visible_to(request.user))}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "integrations/employers.html", context, status=400)
        try:
            employer = services.create_employer_account(officer=request.user, **form.cleaned_data)
        except LifecycleError as error:
            return render_error(request, error, "integrations/employers.html", context)
        messages.success(
            request,
            _("The employer account “%(username)s” is ready: hand over the login and the password.")
            % {"username": employer.username},
        )
        return redirect("integrations:employers")
    return render(request, "integrations/employers.html", context)


@officer_required
@require_POST
def employer_active(request, pk):
    try:
        services.set_employer_active(officer=request.user, employer_id=pk, active=request.POST.get("active") == "1")
    except LifecycleError as error:
        messages.error(request, error.message)
    return redirect("integrations:employers")


@employer_required
def key_list(request):
    form = KeyForm(request.POST or None)
    context = {"form": form, "keys": selectors.keys_of(request.user)}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "integrations/keys.html", context, status=400)
        try:
            key, secret = services.create_employer_key(employer=request.user, name=form.cleaned_data["name"])
        except LifecycleError as error:
            return render_error(request, error, "integrations/keys.html", context)
        # Shown on this response only: only its hash is stored.
        return render(request, "integrations/key_created.html", {"key": key, "secret": secret})
    return render(request, "integrations/keys.html", context)


@employer_required
@require_POST
def key_revoke(request, prefix):
    try:
        services.revoke_employer_key(employer=request.user, prefix=prefix)
    except LifecycleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The key is revoked: it no longer works."))
    return redirect("integrations:keys")
