"""Forms of the results page: the exam scores and date, one evidence upload, the submit button."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification import evidence
from certification.models import AssessmentAttempt, Enrolment, EnrolmentStatus, EvidenceKind


def _score_field(label):
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        widget=forms.NumberInput(attrs={"step": "0.1", "min": "0", "max": "100"}),
        help_text=_("0 to 100, at most one decimal."),
    )


class ResultsForm(forms.Form):
    """Theory and practical score and the exam date of the current attempt.

    A part passed in an earlier attempt is kept by a resit: its field is shown, read-only.
    Either score may stay empty while the other is entered; submitting needs both.
    """

    theory_score = _score_field(_("Theory score"))
    practical_score = _score_field(_("Practical score"))
    # <input type=date> takes ISO only: the localised format (2026/11/20 in zh-hans) shows as blank.
    exam_date = forms.DateField(label=_("Exam date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, enrolment: Enrolment, attempt: AssessmentAttempt | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolment = enrolment
        if attempt is not None:
            self.initial.setdefault("theory_score", attempt.theory_score)
            self.initial.setdefault("practical_score", attempt.practical_score)
            self.initial.setdefault("exam_date", attempt.exam_date)
            for part in ("theory", "practical"):
                if getattr(attempt, f"{part}_carried_over"):
                    field = self.fields[f"{part}_score"]
                    field.disabled = True
                    field.help_text = _("Kept from the earlier attempt, in which this part was passed.")

    def clean_exam_date(self):
        exam_date = self.cleaned_data["exam_date"]
        if exam_date > timezone.localdate():
            raise ValidationError(_("The exam date cannot be in the future."))
        start = self.enrolment.batch.start_date
        if exam_date < start:
            raise ValidationError(
                _("The exam date cannot be before the batch started (%(start)s).") % {"start": start.isoformat()}
            )
        return exam_date


class EvidenceUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of evidence"), choices=EvidenceKind.choices)
    # Empty files reach the content check, which says so in the same words as every other refusal.
    file = forms.FileField(label=_("File"), allow_empty_file=True, max_length=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("Accepted: %(types)s; at most %(limit)s MB.") % {
            "types": evidence.accepted_labels(evidence.ALL_KINDS),
            "limit": evidence.megabytes(evidence.max_bytes()),
        }
        self.found_format = None

    def clean(self):
        cleaned = super().clean()
        kind, upload = cleaned.get("kind"), cleaned.get("file")
        if kind and upload:
            try:
                self.found_format = evidence.validate_evidence_upload(upload, kinds=[kind])
            except ValidationError as error:
                self.add_error("file", error)
        return cleaned


class SubmitResultsForm(forms.Form):
    # The status the page showed: a submit after someone else moved the enrolment is refused (409).
    expected_status = forms.ChoiceField(choices=EnrolmentStatus.choices, widget=forms.HiddenInput)
