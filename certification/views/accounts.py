"""Trainee account activation: the trainee sets a password from the code on their activation slip."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, password_validation
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.accounts import activate_account
from certification.identity import normalise_id_number
from certification.models import User
from core import error_pages, ratelimit
from core.errors import LifecycleError

# Ten tries per address in fifteen minutes: plenty for typing errors, too few to guess a code.
ACTIVATION_LIMIT = 10
ACTIVATION_WINDOW_SECONDS = 15 * 60


class ActivationForm(forms.Form):
    id_number = forms.CharField(
        label=gettext_lazy("ID number"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    code = forms.CharField(
        label=gettext_lazy("Activation code"),
        max_length=32,
        help_text=gettext_lazy("The code printed on the slip your training institution gave you."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    new_password1 = forms.CharField(
        label=gettext_lazy("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=gettext_lazy("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per form, so that the rules are listed in the visitor's language.
        self.fields["new_password1"].help_text = password_validation.password_validators_help_text_html()

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if password1 and password2:
            if password1 != password2:
                self.add_error("new_password2", _("The two passwords differ."))
            else:
                # An unsaved user carrying the login, so that a password like the ID number is refused.
                someone = User(username=normalise_id_number(cleaned.get("id_number", "")))
                try:
                    password_validation.validate_password(password1, someone)
                except forms.ValidationError as error:
                    self.add_error("new_password1", error)
        return cleaned


def _render_form(request, form, status=200):
    context = {"form": form, "code_valid_days": settings.ACTIVATION_CODE_DAYS}
    return render(request, "registration/activate.html", context, status=status)


def activate(request):
    """Public: ID number + slip code + new password; logs the trainee in on success."""
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = ActivationForm(request.POST or None)
    if request.method != "POST":
        return _render_form(request, form)
    key = f"activate:{ratelimit.client_ip(request)}"
    if not ratelimit.hit(key, ACTIVATION_LIMIT, ACTIVATION_WINDOW_SECONDS):
        return error_pages.rate_limited(request, minutes=ACTIVATION_WINDOW_SECONDS // 60, back_url=reverse("activate"))
    if not form.is_valid():
        return _render_form(request, form, status=400)
    try:
        user = activate_account(
            id_number=form.cleaned_data["id_number"],
            code=form.cleaned_data["code"],
            password=form.cleaned_data["new_password1"],
        )
    except LifecycleError as error:
        form.add_error(None, error.message)
        return _render_form(request, form, status=error.http_status)
    # Several backends are configured (axes first): name the one that authenticates passwords.
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Your account is active. Welcome!"))
    return redirect("dashboard")
