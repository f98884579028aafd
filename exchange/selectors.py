"""What a user may see of the exchange: uploads of their own institution only."""

from django.db.models import QuerySet

from certification import permissions
from certification.models import User

from .models import ImportSession


def imports_visible_to(user: User) -> QuerySet[ImportSession]:
    if permissions.is_institution_staff(user):
        return ImportSession.objects.select_related("uploaded_by", "imported_by").filter(
            institution_id=user.institution_id
        )
    return ImportSession.objects.none()
