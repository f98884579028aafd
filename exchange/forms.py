"""Forms of the exchange pages: an upload, a photo archive, the filters of an export."""

from django import forms
from django.utils.translation import gettext_lazy as _

from certification import selectors
from certification.models import EnrolmentStatus, Track, User

from .columns import Kind

XLSX_ACCEPT = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"), widget=forms.FileInput(attrs={"accept": XLSX_ACCEPT}))
    submit = forms.BooleanField(
        label=_("Submit the new enrolments for approval"),
        required=False,
        help_text=_("Otherwise they are saved as drafts that you submit from the enrolment list."),
    )

    def __init__(self, *args, kind: Kind, **kwargs):
        super().__init__(*args, **kwargs)
        if kind.name != "enrolments":
            del self.fields["submit"]


class ConfirmForm(forms.Form):
    ALL, VALID_ONLY = "all", "valid_only"
    mode = forms.ChoiceField(choices=[(ALL, _("all rows")), (VALID_ONLY, _("valid rows only"))])


class PhotoArchiveForm(forms.Form):
    file = forms.FileField(
        label=_("Zip of photos"),
        help_text=_("JPEG or PNG files named by ID number, e.g. 330106199003051234.jpg."),
        widget=forms.FileInput(attrs={"accept": ".zip,application/zip"}),
    )


class ExportFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or ID number"), required=False)
    batch = forms.ChoiceField(label=_("Training batch"), required=False)
    track = forms.ChoiceField(label=_("Track"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status"))] + list(EnrolmentStatus.choices)
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        batches = selectors.batches_visible_to(user).order_by("-start_date", "name").values_list("pk", "name")
        self.fields["batch"].choices = [("", _("Any batch"))] + [(str(pk), name) for pk, name in batches]
        self.fields["track"].choices = [("", _("Any track"))] + [(t.code, t.display_name) for t in Track.objects.all()]

    def filters(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}
