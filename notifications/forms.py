from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .kinds import KINDS


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of e-mails"), choices=settings.LANGUAGES)
    emailed_kinds = forms.MultipleChoiceField(
        label=_("Send me an e-mail for"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(kind, spec.label) for kind, spec in KINDS.items()],
    )
    digest = forms.BooleanField(label=_("One digest a day instead of single e-mails"), required=False)
