"""What a user may see of the notifications: their own, and nobody else's."""

from django.db.models import QuerySet

from .models import Notification


def notifications_of(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user.pk)


def unread_count(user) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
