from django import forms
from django.utils.translation import gettext_lazy as _

from certification.models import ConflictKind
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


class BulkAssignForm(forms.Form):
    """One assessor for the tasks ticked in the officer's queue (the service checks each for conflicts)."""

    assessor = forms.ModelChoiceField(label=_("Assign the selected to"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from certification.models import Role, User

        self.fields["assessor"].queryset = User.objects.filter(role=Role.ASSESSOR, is_active=True).order_by(
            "last_name", "first_name", "username"
        )
        self.fields["assessor"].label_from_instance = lambda user: user.display_name


class ConflictForm(forms.Form):
    """A conflict with the candidate on the page."""

    kind = forms.ChoiceField(label=_("Kind of conflict"), choices=ConflictKind.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)


class ConflictByIdForm(ConflictForm):
    """A conflict with a trainee named by full name and ID number, both of which must match."""

    name = forms.CharField(label=_("Full name"), max_length=64)
    id_number = forms.CharField(label=_("ID number"), max_length=32)

    field_order = ["name", "id_number", "kind", "note"]
