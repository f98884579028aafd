"""Forms of the enrolment pages: filters, a move with its reason, module completions, exam scores."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from certification.evidence import evidence_upload_validator
from certification.models import EnrolmentStatus


class MoveForm(forms.Form):
    expected_status = forms.ChoiceField(choices=EnrolmentStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ModuleCompletionsForm(forms.Form):
    """One row of hours / score / evidence per module of the enrolment's track."""

    def __init__(self, *args, enrolment, **kwargs):
        super().__init__(*args, **kwargs)
        self.modules = list(enrolment.track.modules.all())
        recorded = {c.module_id: c for c in enrolment.completions.all()}
        self.rows = []
        for module in self.modules:
            done = recorded.get(module.pk)
            hours = forms.DecimalField(
                label=_("Hours"),
                required=False,
                max_digits=6,
                decimal_places=1,
                validators=[MinValueValidator(0), MaxValueValidator(2000)],
                initial=done.hours if done else None,
            )
            score = forms.DecimalField(
                label=_("Score"),
                required=False,
                max_digits=5,
                decimal_places=1,
                validators=[MinValueValidator(0), MaxValueValidator(100)],
                initial=done.score if done else None,
            )
            evidence = forms.FileField(label=_("Evidence"), required=False, validators=[evidence_upload_validator()])
            self.fields[f"hours_{module.pk}"] = hours
            self.fields[f"score_{module.pk}"] = score
            self.fields[f"evidence_{module.pk}"] = evidence
            self.rows.append(
                {
                    "module": module,
                    "completion": done,
                    "hours": f"hours_{module.pk}",
                    "score": f"score_{module.pk}",
                    "evidence": f"evidence_{module.pk}",
                }
            )

    def bound_rows(self):
        for row in self.rows:
            yield {**row, "hours": self[row["hours"]], "score": self[row["score"]], "evidence": self[row["evidence"]]}

    def entries(self):
        """(module, hours, score, evidence) for each module with hours given."""
        for row in self.rows:
            hours = self.cleaned_data.get(row["hours"])
            if hours is None:
                continue
            yield (
                row["module"],
                Decimal(hours),
                self.cleaned_data.get(row["score"]),
                self.cleaned_data.get(row["evidence"]),
            )
