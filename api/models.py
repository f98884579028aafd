"""API keys per institution, and the responses kept for `Idempotency-Key` retries."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey

from certification.models import Institution, User


class KeyAccess(models.TextChoices):
    READ_ONLY = "read_only", _("read only")
    READ_WRITE = "read_write", _("read and write")


class InstitutionAPIKey(AbstractAPIKey):
    """A key that acts as its institution. Stored hashed by djangorestframework-api-key (the key is
    shown once, when it is made); `service_user` is the account the key acts as: an institution
    staff account of its own, so that every StateLog row, score change and upload a key makes names
    that key (api.keys explains the choice)."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="api_keys", verbose_name=_("institution")
    )
    access = models.CharField(_("access"), max_length=16, choices=KeyAccess.choices, default=KeyAccess.READ_ONLY)
    service_user = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="api_key", verbose_name=_("acts as"), editable=False
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("revoked by")
    )

    class Meta:
        ordering = ["-created"]
        verbose_name = _("institution API key")
        verbose_name_plural = _("institution API keys")

    @property
    def can_write(self) -> bool:
        return self.access == KeyAccess.READ_WRITE and not self.revoked


class IdempotentResponse(models.Model):
    """The first response to a POST that carried an `Idempotency-Key`, kept for 24 hours.

    The row is inserted before the work, inside the work's transaction: a concurrent retry with the
    same key waits on the unique index until the first commits (then replays its response) or rolls
    back (then does the work itself). `credential` is whoever sent it ("key:<prefix>" or
    "user:<pk>"), so that two clients never share a key.
    """

    key = models.CharField(max_length=255)
    credential = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "credential"], name="one_response_per_idempotency_key")]
        indexes = [models.Index(fields=["credential", "created_at"])]
