from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EventType


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("Address (HTTPS)"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "https://example.org/hooks/certification", "inputmode": "url"}),
        help_text=_("Your system's address that receives the events as signed JSON POST requests."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple, required=True
    )


class KeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the key"), max_length=50, help_text=_("Which of your systems will use it, e.g. “HR system”.")
    )


class EmployerForm(forms.Form):
    name = forms.CharField(label=_("Employer's name"), max_length=150)
    username = forms.CharField(label=_("Login"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Hand it over to the employer in person; at least 10 characters."),
    )


class BulkVerifyForm(forms.Form):
    file = forms.FileField(
        label=_("File of certificate numbers (xlsx or CSV)"),
        help_text=_(
            "One certificate number a row in the first column; the holder's full name in the second, if you have it."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )
