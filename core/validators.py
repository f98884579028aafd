"""Field validators every app's models share."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _


def refuse_format_characters(value: str) -> None:
    """A name reads as it prints: no invisible format characters (Unicode category Cf), such as the
    right-to-left override U+202E that shows 吴十一 as 吴一十, or zero-width spaces and joiners.
    Used by every name field of the models, and so by their forms, the services and the Excel import."""
    if any(unicodedata.category(char) == "Cf" for char in value or ""):
        raise ValidationError(
            _(
                "A name cannot contain invisible formatting characters (such as text-direction marks): please retype it."
            ),
            code="format_character",
        )


_MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")


def normalise_contact(value: str) -> str:
    """A mainland mobile number without spaces, hyphens or a +86 / 0086 prefix; an e-mail address as given."""
    value = unicodedata.normalize("NFKC", value or "").strip()
    if "@" in value:
        return value
    digits = re.sub(r"[\s\-()]", "", value)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits


def validate_phone_or_email(value: str) -> None:
    """A valid mainland mobile number (11 digits, 13x–19x) or an e-mail address."""
    value = normalise_contact(value)
    if "@" in value:
        try:
            EmailValidator()(value)
        except ValidationError:
            pass
        else:
            return
    elif _MAINLAND_MOBILE.fullmatch(value):
        return
    raise ValidationError(
        _("Give a mainland mobile number (11 digits, e.g. 13800138000) or an e-mail address."), code="contact"
    )
