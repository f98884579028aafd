from django import forms
from django.utils.translation import gettext_lazy as _

from workflows.models import Decision


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to fail or to return for correction; the institution and the trainee read it."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") in (Decision.FAIL, Decision.RETURN) and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Please give a reason."))
        return data


class AssignForm(forms.Form):
    assessor = forms.ModelChoiceField(label=_("Assessor"), queryset=None)

    def __init__(self, *args, assessors, **kwargs):
        super().__init__(*args, **kwargs)
        from certification.models import User

        self.fields["assessor"].queryset = User.objects.filter(pk__in=[a.pk for a in assessors])
        self.fields["assessor"].label_from_instance = lambda user: user.display_name
