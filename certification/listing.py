"""The filters every list shares (institution, batch, track, level, status, date range, the ID number's
last four characters, a name search), for core.lists. Each list says where each filter looks in its
queryset (`paths`); a list without a path for a filter does not show it.

Choices come from what the user may see: institution staff get no institution filter and only their
own batches; a batch or institution of someone else is not a valid choice (the filter says so and
filters nothing). The officer's batch list holds the chosen institution's batches only (there are
thousands in all); batches show their institution, as two institutions may name batches alike.
"""

import re
from datetime import datetime, time, timedelta

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.lists import FilterForm, QuickSelect

from . import permissions, selectors
from .models import Level, Track, TrainingBatch, User

LAST_FOUR = re.compile(r"^[0-9Xx]{4}$")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def batch_label(batch: TrainingBatch) -> str:
    """A batch as lists name it: institution, name and level (batch names repeat across institutions)."""
    return f"{batch.institution.name} · {batch.name} · {batch.get_level_display()}"


class ListFilters(FilterForm):
    q = forms.CharField(
        label=_("Name"), required=False, max_length=64, widget=forms.TextInput(attrs={"type": "search"})
    )
    last_four = forms.CharField(
        label=_("ID number, last 4"),
        required=False,
        max_length=4,
        validators=[RegexValidator(LAST_FOUR, _("Enter the last four characters of the ID number (digits or X)."))],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 4}),
    )
    institution = forms.ModelChoiceField(
        label=_("Institution"), required=False, queryset=None, empty_label=_("All"), widget=QuickSelect
    )
    batch = forms.ModelChoiceField(
        label=_("Batch"), required=False, queryset=None, empty_label=_("All"), widget=QuickSelect
    )
    track = forms.ModelChoiceField(
        label=_("Track"),
        required=False,
        queryset=Track.objects.none(),
        to_field_name="code",
        empty_label=_("All"),
        widget=QuickSelect,
    )
    level = forms.TypedChoiceField(
        label=_("Level"),
        required=False,
        coerce=int,
        choices=[("", _("All"))] + list(Level.choices),
        empty_value=None,
        widget=QuickSelect,
    )
    status = forms.ChoiceField(label=_("Status"), required=False, widget=QuickSelect)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)

    def __init__(self, data, *, user: User, paths: dict, statuses=(), date_label=None):
        # Only the list's own query parameters: `page`, `sort` and `per_page` are not filters.
        super().__init__(data or None)
        is_officer = permissions.is_officer(user)
        for name in [name for name in self.fields if self._path_name(name) not in paths]:
            del self.fields[name]
        if not is_officer:
            self.fields.pop("institution", None)
            if permissions.institution_of_staff(user) is None:  # assessors: no batch of their own to pick
                self.fields.pop("batch", None)
        if "institution" in self.fields:
            self.fields["institution"].queryset = selectors.institutions_visible_to(user).order_by("name")
        if "batch" in self.fields:
            self._set_up_batches(user, is_officer)
        if "track" in self.fields:
            self.fields["track"].queryset = Track.objects.order_by("code")
        if "status" in self.fields:
            self.fields["status"].choices = [("", _("All"))] + list(statuses)
        if date_label and "date_from" in self.fields:
            self.fields["date_from"].label = _("%(what)s from") % {"what": date_label}
            self.fields["date_to"].label = _("%(what)s to") % {"what": date_label}
        self.lookups = self._lookups(paths)

    @staticmethod
    def _path_name(field: str) -> str:
        return "date" if field in ("date_from", "date_to") else field

    def _set_up_batches(self, user: User, is_officer: bool) -> None:
        visible = TrainingBatch.objects.select_related("institution")
        if not is_officer:
            visible = visible.filter(institution_id=permissions.institution_of_staff(user))
        field = self.fields["batch"]
        field.queryset = visible  # what may be chosen
        field.label_from_instance = batch_label
        shown = visible.none()
        if not is_officer:
            shown = visible
        else:
            institution = (self.data.get("institution") or "").strip()
            batch = (self.data.get("batch") or "").strip()
            if institution.isdigit():
                shown = visible.filter(institution_id=int(institution))
            elif batch.isdigit():  # a link from a batch's page: its institution's batches
                shown = visible.filter(institution__batches=int(batch))
        levels = dict(Level.choices)
        rows = shown.order_by("institution__name", "-start_date", "name").values_list(
            "pk", "institution__name", "name", "level"
        )
        # Tuples, not models: an institution may have hundreds of batches.
        choices = [("", _("All"))] + [
            (pk, f"{institution} · {name} · {levels.get(level, level)}") for pk, institution, name, level in rows
        ]
        field.widget.choices = choices
        if is_officer and len(choices) == 1:
            field.help_text = _("Choose an institution first.")

    def _lookups(self, paths: dict) -> dict:
        lookups = {name: path for name, path in paths.items() if name in self.fields and name != "date"}
        if isinstance(lookups.get("last_four"), str):
            lookups["last_four"] = _last_four_lookup(lookups["last_four"])
        if "date" in paths:
            path, is_datetime = paths["date"] if isinstance(paths["date"], tuple) else (paths["date"], False)
            lookups["date_from"], lookups["date_to"] = _date_lookups(path, is_datetime)
        return lookups

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date cannot be before the start date."))
        return cleaned


def _last_four_lookup(path: str):
    return lambda queryset, value: queryset.filter(**{path: value.upper()})


def _date_lookups(path: str, is_datetime: bool):
    def since(queryset, day):
        return queryset.filter(**{f"{path}__gte": _bound(day, is_datetime)})

    def until(queryset, day):
        return queryset.filter(**{f"{path}__lt": _bound(day + timedelta(days=1), is_datetime)})

    return since, until


def _bound(day, is_datetime: bool):
    # A range on a timestamp compares with the start of local days, so that the column's index serves.
    return timezone.make_aware(datetime.combine(day, time.min)) if is_datetime else day
