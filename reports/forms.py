"""Filters of the register export and the audit view."""

from django import forms
from django.utils.translation import gettext_lazy as _

from certification.models import Institution, Track, User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end of the period cannot be before its start."))
        return data


class RegisterExportForm(PeriodForm):
    track = forms.ModelChoiceField(label=_("Track"), queryset=Track.objects.order_by("code"), required=False)
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.order_by("name"), required=False
    )


class AuditFilterForm(PeriodForm):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    actor = forms.CharField(label=_("Actor (user name)"), required=False, max_length=150)
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.order_by("name"), required=False
    )
    enrolment = forms.IntegerField(label=_("Enrolment number"), required=False, min_value=1)

    def __init__(self, *args, kinds: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "---------"), *kinds.items()]

    def clean_actor(self):
        username = self.cleaned_data["actor"].strip()
        if not username:
            return None
        user = User.objects.filter(username=username).only("pk").first()
        if user is None:
            raise forms.ValidationError(_("No user has this user name."))
        return user
