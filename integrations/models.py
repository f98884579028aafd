"""Employers' API keys and institutions' webhooks (docs/spec.md §11)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey


class EmployerAPIKey(AbstractAPIKey):
    """A key an employer's system uses for bulk verification, and for nothing else. Only its hash is
    stored (djangorestframework-api-key): the key itself is shown once, when it is made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employer_api_keys", verbose_name=_("employer")
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("employer API key")  # type: ignore[assignment]
        verbose_name_plural = _("employer API keys")  # type: ignore[assignment]


class EventType(models.TextChoices):
    ENROLMENT_APPROVED = "enrolment.approved", _("enrolment approved")
    ENROLMENT_REJECTED = "enrolment.rejected", _("enrolment rejected")
    ENROLMENT_RETURNED = "enrolment.returned_for_correction", _("returned for correction")
    ENROLMENT_PASSED = "enrolment.passed", _("assessment passed")
    ENROLMENT_FAILED = "enrolment.failed", _("assessment failed")
    CERTIFICATE_ISSUED = "certificate.issued", _("certificate issued")
    CERTIFICATE_REVOKED = "certificate.revoked", _("certificate revoked")


class WebhookEndpoint(models.Model):
    """An address of an institution's own system that hears of the moves it chose."""

    institution = models.ForeignKey(
        "certification.Institution", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(_("address (HTTPS)"), max_length=300)
    events = models.JSONField(_("events"), default=list)
    # Kept as it is: the server signs with it. Shown once, when the endpoint is registered.
    secret = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class WebhookDelivery(models.Model):
    """One event for one endpoint: written in the move's transaction, sent by a task (the outbox)."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(_("event"), max_length=40, choices=EventType.choices)
    payload = models.JSONField()
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["endpoint", "created_at"], name="webhook_delivery_endpoint"),
        ]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")


class WebhookAttempt(models.Model):
    """One try at sending a delivery, as the institution sees it: what came back and how long it took."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    started_at = models.DateTimeField(_("time"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)
    error = models.CharField(_("error"), max_length=255, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
