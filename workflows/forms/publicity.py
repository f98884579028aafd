"""Forms of the public notice pages. They only parse and check input; workflows.publicity writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from certification.models import Institution, Track
from core.validators import normalise_contact, refuse_format_characters, validate_phone_or_email
from workflows.models import Objection, ObjectionStatus, PublicityNotice, PublicityOffice


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


class PassedFilterForm(forms.Form):
    track = forms.ModelChoiceField(
        label=_("Track"),
        required=False,
        empty_label=_("All tracks"),
        queryset=Track.objects.all(),
        to_field_name="code",
    )
    institution = forms.ModelChoiceField(
        label=_("Institution"), required=False, empty_label=_("All institutions"), queryset=Institution.objects.all()
    )


class OpenNoticeForm(forms.Form):
    title = forms.CharField(
        label=_("Title of the notice"),
        max_length=_max_length(PublicityNotice, "title"),
        help_text=_("Shown on the public page, e.g. “2026 first cohort of fashion engineers: public notice”."),
    )
    all_matching = forms.BooleanField(
        label=_("All candidates matching the filter, on every page"),
        required=False,
    )


class ObjectionForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"), max_length=_max_length(Objection, "name"), validators=[refuse_format_characters]
    )
    contact = forms.CharField(
        label=_("Phone or e-mail"),
        max_length=_max_length(Objection, "contact"),
        validators=[validate_phone_or_email],
        help_text=_(
            "A mainland mobile number or an e-mail address. Only the certification office sees it, "
            "to ask you about your objection."
        ),
    )
    text = forms.CharField(
        label=_("Your objection"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What is wrong, and how you know it. At most 4,000 characters."),
    )

    def clean_contact(self):
        return normalise_contact(self.cleaned_data["contact"])


class OfficeContactForm(forms.ModelForm):
    class Meta:
        model = PublicityOffice
        fields = ["name", "address", "phone", "email", "hours", "how_to_object"]
        widgets = {"how_to_object": forms.Textarea(attrs={"rows": 3})}


class ObjectionFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=ObjectionStatus.choices)


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[("uphold", _("Uphold")), ("dismiss", _("Dismiss"))])
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Upholding disqualifies the candidate; the reason goes into their history."),
    )
