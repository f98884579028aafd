"""The statistics page's filters (docs/spec.md §10)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from certification.models import Institution, Level, Track, TrainingBatch
from certification.statistics import Scope

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StatisticsFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)
    track = forms.ModelChoiceField(label=_("Track"), queryset=Track.objects.order_by("code"), required=False)
    level = forms.TypedChoiceField(
        label=_("Level"), choices=[("", "---------"), *Level.choices], coerce=int, required=False, empty_value=None
    )
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.order_by("name"), required=False
    )
    batch = forms.ModelChoiceField(label=_("Training batch"), queryset=TrainingBatch.objects.none(), required=False)

    def __init__(self, *args, institution_id: int | None = None, **kwargs):
        """`institution_id`: an institution's staff, who see their own institution only."""
        super().__init__(*args, **kwargs)
        self.institution_id = institution_id
        batches = TrainingBatch.objects.only("pk", "name").order_by("-start_date", "name")
        if institution_id is not None:
            del self.fields["institution"]
            batches = batches.filter(institution_id=institution_id)
        self.fields["batch"].queryset = batches
        if institution_id is None:
            # The office has thousands of batches: the list offers the chosen institution's only.
            chosen = self.data.get("institution", "")
            offered = batches.filter(institution_id=chosen) if chosen.isdigit() else batches.none()
            selected = self.data.get("batch", "")
            if selected.isdigit():
                offered = offered | batches.filter(pk=selected)
            self.fields["batch"].widget.choices = [("", "---------"), *((b.pk, b.name) for b in offered)]
            self.fields["batch"].help_text = _("Choose an institution first: its batches are listed.")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end of the period cannot be before its start."))
        return data

    def scope(self) -> Scope:
        """The valid filters (an invalid one is shown with its error and left out)."""
        data = self.cleaned_data if self.is_valid() else getattr(self, "cleaned_data", {})
        institution = data.get("institution")
        return Scope(
            date_from=data.get("date_from"),
            date_to=data.get("date_to") if "date_to" not in self.errors else None,
            track_id=data["track"].pk if data.get("track") else None,
            level=data.get("level"),
            institution_id=self.institution_id if self.institution_id is not None else institution and institution.pk,
            batch_id=data["batch"].pk if data.get("batch") else None,
        )
