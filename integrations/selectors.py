"""What a user may see of integrations: another institution's endpoint, or another employer's key,
is simply not found."""

from django.db.models import Count, Q, QuerySet

from certification.models import User
from core.roles import Role, institution_of_staff, is_employer, is_officer

from .models import DeliveryStatus, EmployerAPIKey, WebhookAttempt, WebhookDelivery, WebhookEndpoint


def endpoints_visible_to(user) -> QuerySet[WebhookEndpoint]:
    institution_id = institution_of_staff(user)
    if institution_id is None:
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.filter(institution_id=institution_id).annotate(
        delivered_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.DELIVERED)),
        waiting_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
        failed_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
    )


def deliveries_of(endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return endpoint.deliveries.order_by("-created_at", "-pk")


def attempts_of(deliveries: list[WebhookDelivery]) -> dict[int, list[WebhookAttempt]]:
    """The attempts of these deliveries, newest first, in one query."""
    found: dict[int, list[WebhookAttempt]] = {d.pk: [] for d in deliveries}
    for attempt in WebhookAttempt.objects.filter(delivery__in=deliveries).order_by("-started_at", "-pk"):
        found[attempt.delivery_id].append(attempt)
    return found


def keys_of(user) -> QuerySet[EmployerAPIKey]:
    if not is_employer(user):
        return EmployerAPIKey.objects.none()
    return EmployerAPIKey.objects.filter(user=user).order_by("revoked", "-created")


def employers_visible_to(user) -> QuerySet[User]:
    if not is_officer(user):
        return User.objects.none()
    return User.objects.filter(role=Role.EMPLOYER).order_by("first_name", "username")
