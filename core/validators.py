"""Field validators every app's models share."""

import unicodedata

from django.core.exceptions import ValidationError
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
