"""The API key pages (/api/keys/): institution staff manage their institution's keys, the office
any institution's. A new key's secret is shown once, on the page that made it."""

from django import forms
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from certification.models import Institution
from core import roles
from core.errors import LifecycleError
from core.views import paginate, render_error, staff_or_officer_required

from . import keys
from .models import KeyAccess

TEMPLATE = "api/keys.html"


class KeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=50,
        help_text=gettext_lazy("What will use it, e.g. “our training system”."),
    )
    access = forms.ChoiceField(label=gettext_lazy("Access"), choices=KeyAccess.choices, initial=KeyAccess.READ_ONLY)
    institution = forms.ModelChoiceField(
        label=gettext_lazy("Institution"), queryset=Institution.objects.order_by("name")
    )

    def __init__(self, *args, for_officer: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not for_officer:
            del self.fields["institution"]


def _context(request, *, form=None, **extra) -> dict:
    officer = roles.is_officer(request.user)
    found = keys.keys_visible_to(request.user).order_by("revoked", "-created")
    return {
        "form": form or KeyForm(for_officer=officer),
        "show_institution": officer,
        **paginate(request, found),
        **extra,
    }


@never_cache
@staff_or_officer_required
def key_list(request):
    if keys.is_api_key_user(request.user):
        return render(request, "403.html", status=403)
    officer = roles.is_officer(request.user)
    if request.method != "POST":
        return render(request, TEMPLATE, _context(request))
    form = KeyForm(request.POST, for_officer=officer)
    if not form.is_valid():
        return render(request, TEMPLATE, _context(request, form=form), status=400)
    institution_id = form.cleaned_data["institution"].pk if officer else roles.institution_of_staff(request.user)
    try:
        key, secret = keys.create_api_key(
            actor=request.user,
            institution_id=institution_id,
            name=form.cleaned_data["name"],
            access=form.cleaned_data["access"],
        )
    except LifecycleError as error:
        return render_error(request, error, TEMPLATE, _context(request, form=form))
    # Shown on this response only (never stored in clear, never in a redirect's URL or the session).
    return render(request, TEMPLATE, _context(request, new_key=key, secret=secret), status=201)


@require_POST
@staff_or_officer_required
def key_revoke(request, prefix):
    key = get_object_or_404(keys.keys_visible_to(request.user), prefix=prefix)
    try:
        keys.revoke_api_key(actor=request.user, key_id=key.pk)
    except LifecycleError as error:
        return render_error(request, error, TEMPLATE, _context(request))
    from django.contrib import messages

    messages.success(request, _("The key “%(name)s” is revoked: it no longer works.") % {"name": key.name})
    return redirect("api:keys")
