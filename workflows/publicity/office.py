"""Who takes objections to the public notices, and how (受理): one row the office edits, printed on
every notice (docs/spec.md §4, issue 15 item 9)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from certification.models import User
from core.errors import InvalidInput
from core.guards import require_officer
from workflows.models import PublicityOffice

FIELDS = ("name", "address", "phone", "email", "hours", "how_to_object")


def office_contact() -> PublicityOffice:
    """The saved details, or (before the office has saved any) an unsaved row with the programme's name."""
    return PublicityOffice.objects.order_by("pk").first() or PublicityOffice(name=_("Certification office"))


def update_office_contact(*, officer: User, **fields: str) -> PublicityOffice:
    require_officer(officer)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown field."))
    with transaction.atomic():
        office = PublicityOffice.objects.select_for_update().order_by("pk").first() or PublicityOffice()
        for key, value in fields.items():
            setattr(office, key, (value or "").strip())
        office.updated_by = officer
        try:
            office.full_clean()
        except ValidationError as error:
            raise InvalidInput(" ".join(m for messages in error.message_dict.values() for m in messages)) from error
        office.save()
    return office
