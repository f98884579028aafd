"""Forms of the institution staff's pages: trainees, batches, enrolling, slips.

The forms check the shape of the input; the registration service decides whether it may be saved
and says why not (duplicates, locked identities, full batches).
"""

from django import forms
from django.conf import settings
from django.db.models import F, Q
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from certification import photos, selectors
from certification.identity import normalise_id_number
from certification.listing import ListFilters
from certification.models import Education, Enrolment, Gender, Track, Trainee, TrainingBatch

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TraineeForm(forms.ModelForm):
    # A plain file field: photos.checked_photo judges the content and gives its own messages.
    photo = forms.FileField(
        label=_("1-inch photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    class Meta:
        model = Trainee
        fields = [
            "name",
            "id_type",
            "id_number",
            "gender",
            "birth_date",
            "ethnicity",
            "education",
            "phone",
            "employer",
            "years_in_trade",
            "address",
            "photo",
        ]
        widgets = {"birth_date": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_number"].help_text = _(
            "Full-width digits are converted; a resident ID's check digit is verified."
        )
        min_width, min_height = settings.PHOTO_MIN_PIXELS
        self.fields["photo"].help_text = _(
            "JPEG or PNG up to %(limit)s, at least %(width)s × %(height)s pixels: head and shoulders on a plain "
            "background. Location and camera data are removed."
        ) % {"limit": filesizeformat(settings.PHOTO_MAX_BYTES), "width": min_width, "height": min_height}

    def clean_id_number(self):
        return normalise_id_number(self.cleaned_data["id_number"])

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if "photo" not in self.changed_data or not photo:
            return None  # no new photo: keep the one on file
        return photos.checked_photo(photo)

    def _get_validation_exclusions(self):
        # Model validation still runs Trainee.clean (normalised number, resident-ID checksum) next to
        # the field, but the one-trainee-per-ID constraint is left to the registration service: its
        # message says whether the record is this institution's or another's.
        exclusions = super()._get_validation_exclusions()
        exclusions.add("id_number")
        return exclusions

    def service_fields(self) -> dict:
        """cleaned_data for registration.create_trainee / update_trainee: a photo only when a new one came."""
        fields = dict(self.cleaned_data)
        if fields.get("photo") is None:
            fields.pop("photo", None)
        return fields


class TraineeFilters(ListFilters):
    """The trainee list's filters: the shared ones, and gender, education and account."""

    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=[("", _("Any gender"))] + Gender.choices)
    education = forms.ChoiceField(
        label=_("Education"), required=False, choices=[("", _("Any education"))] + Education.choices
    )
    account = forms.ChoiceField(
        label=_("Account"),
        required=False,
        choices=[("", _("With or without account")), ("yes", _("Has an account")), ("no", _("No account yet"))],
    )

    def __init__(self, data, *, user):
        super().__init__(
            data,
            user=user,
            paths={
                # The ID number is matched whole: a partial match would let anyone enumerate numbers.
                "q": lambda queryset, text: queryset.filter(
                    selectors.name_contains(text.strip()) | Q(id_number=normalise_id_number(text))
                ),
                "last_four": "id_last_four",
                "institution": "institution",
                "gender": "gender",
                "education": "education",
                "account": lambda queryset, value: queryset.filter(user__isnull=value == "no"),
                "date": ("created_at", True),
            },
            date_label=_("Registered"),
        )
        self.fields["q"].label = _("Name or ID number")


class EnrolForm(forms.Form):
    batch = forms.ModelChoiceField(
        label=_("Training batch"),
        queryset=TrainingBatch.objects.none(),
        error_messages={"invalid_choice": _("Choose one of your institution's batches.")},
    )

    def __init__(self, *args, batches, **kwargs):
        """`batches`: selectors.batches_visible_to(…), annotated with the places taken (enrolment_count).
        Full batches and batches of a closed track are left out: enrolling there would be refused."""
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = batches.filter(
            enrolment_count__lt=F("capacity"), track__is_active=True
        ).order_by("-start_date", "name", "pk")
        self.fields["batch"].label_from_instance = _batch_with_places
        self.fields["batch"].help_text = _("Places taken / places. Full batches are not listed.")


def _batch_label(batch: TrainingBatch) -> str:
    return f"{batch.name} · {batch.track.display_name} · {batch.get_level_display()} · {batch.start_date:%Y-%m-%d}"


def _batch_with_places(batch: TrainingBatch) -> str:
    return f"{_batch_label(batch)} · {batch.enrolment_count}/{batch.capacity}"


class BatchForm(forms.ModelForm):
    class Meta:
        model = TrainingBatch
        fields = ["name", "track", "level", "start_date", "end_date", "capacity"]
        widgets = {"start_date": DATE_INPUT, "end_date": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # New batches only in tracks open for enrolment; an existing batch keeps its own track.
        open_tracks = Track.objects.filter(is_active=True)
        if self.instance.pk:
            open_tracks = open_tracks | Track.objects.filter(pk=self.instance.track_id)
        self.fields["track"].queryset = open_tracks.distinct()


class BatchFilterForm(forms.Form):
    track = forms.ModelChoiceField(
        label=_("Track"),
        required=False,
        queryset=Track.objects.all(),
        to_field_name="code",
        empty_label=_("All tracks"),
    )
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years"))] + [(year, year) for year in years]

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        if self.cleaned_data["track"]:
            queryset = queryset.filter(track=self.cleaned_data["track"])
        if self.cleaned_data["year"]:
            queryset = queryset.filter(start_date__year=self.cleaned_data["year"])
        return queryset


class SubmitDraftsForm(forms.Form):
    """The enrolments ticked on a batch page; the lifecycle decides whether each may be submitted."""

    enrolments = forms.ModelMultipleChoiceField(
        queryset=Enrolment.objects.none(),
        error_messages={
            "required": _("Select at least one draft enrolment."),
            "invalid_choice": _("Some of the selected enrolments are not in this batch. Reload the page."),
        },
    )

    def __init__(self, *args, batch_enrolments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolments"].queryset = batch_enrolments


class SlipForm(forms.Form):
    """The trainees ticked on the slips page: only the institution's trainees who have an account."""

    trainees = forms.ModelMultipleChoiceField(
        queryset=Trainee.objects.none(),
        error_messages={
            "required": _("Select at least one trainee."),
            "invalid_choice": _("Some of the selected trainees cannot get a slip. Reload the page."),
        },
    )

    def __init__(self, *args, trainees_with_account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainees"].queryset = trainees_with_account
