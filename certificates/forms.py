from django import forms
from django.utils.translation import gettext_lazy as _


class NumberForm(forms.Form):
    number = forms.CharField(
        label=_("Certificate number"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"placeholder": "S000033000123264000123", "autocomplete": "off", "spellcheck": "false"}
        ),
    )


class PersonQueryForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=64)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Both must match what the certificate holder gave us."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
