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


class ShareLinkForm(forms.Form):
    """How long a new share link works: a number of days, or a date."""

    length = forms.ChoiceField(
        label=_("The link works for"),
        choices=[("7", _("7 days")), ("30", _("30 days")), ("90", _("90 days")), ("date", _("until a date"))],
        initial="30",
        widget=forms.RadioSelect,
    )
    until = forms.DateField(
        label=_("Until (last day)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only when you chose a date."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("length") == "date" and not cleaned.get("until"):
            self.add_error("until", _("Choose the last day the link works."))
        return cleaned

    def service_arguments(self) -> dict:
        if self.cleaned_data["length"] == "date":
            return {"until": self.cleaned_data["until"]}
        return {"days": int(self.cleaned_data["length"])}
