"""Forms of the certification officer's pages: institutions, vetting, quotas, approvals.

Forms only parse and check input; the writes happen in certification.vetting and services.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import Institution, InstitutionStatus, Track
from certification.vetting import org_code_problem
from core.validators import refuse_format_characters


class InstitutionFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or organisation code"), required=False, max_length=64)
    status = forms.ChoiceField(
        label=_("Vetting status"),
        required=False,
        choices=[("", _("All statuses"))] + list(InstitutionStatus.choices),
    )


class InstitutionForm(forms.ModelForm):
    class Meta:
        model = Institution
        fields = ["name", "org_code", "contact_name", "contact_phone", "address"]
        help_texts = {"org_code": _("The 18-character unified social credit code (统一社会信用代码).")}

    def clean_org_code(self):
        code = "".join(self.cleaned_data["org_code"].split()).upper()
        problem = org_code_problem(code)
        if problem:
            raise forms.ValidationError(problem)
        return code


class StaffAccountForm(forms.Form):
    username = forms.CharField(label=_("Login"), max_length=150)
    name = forms.CharField(label=_("Name"), max_length=150, validators=[refuse_format_characters])
    email = forms.EmailField(label=_("E-mail"))
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Hand it over to the staff member in person; at least 10 characters, not only digits."),
    )


class QuotaForm(forms.Form):
    track = forms.ModelChoiceField(label=_("Track"), queryset=Track.objects.all())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quota = forms.IntegerField(label=_("Quota"), min_value=0, max_value=100000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class VettingForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded on the institution with the date; required to suspend."),
    )


class ApprovalDecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", _("Approve selected")), ("reject", _("Reject selected"))])
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to reject; shown to the institution in the enrolment's history."),
    )
