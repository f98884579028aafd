"""What happened to certificates and who looked them up: both append-only (docs/spec.md §6, §9)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import User
from core.models import AppendOnly


class EventKind(models.TextChoices):
    ISSUED = "issued", _("issued")
    REISSUED = "reissued", _("issued as a correction")
    SUPERSEDED = "superseded", _("superseded by a correction")
    REVOKED = "revoked", _("revoked")


class CertificateEvent(AppendOnly):
    certificate = models.ForeignKey("certificates.Certificate", on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("what happened"), max_length=12, choices=EventKind.choices)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        # The audit view (reports/audit.py): the newest events first, a page at a time.
        indexes = [models.Index(fields=["created_at", "id"], name="certificateevent_newest")]
        verbose_name = _("certificate event")
        verbose_name_plural = _("certificate events")


class VerificationChannel(models.TextChoices):
    PAGE = "page", _("verify page")
    JSON = "json", _("JSON")
    QR = "qr", _("QR code")
    QUERY = "query", _("name and ID query")
    PDF = "pdf", _("PDF file check")
    CREDENTIAL = "credential", _("digital credential")
    BULK = "bulk", _("bulk check")
    SHARE_LINK = "share", _("share link")


class VerificationLog(AppendOnly):
    """Every verification, found or not: the office can see who checks what, and spot guessing."""

    channel = models.CharField(max_length=16, choices=VerificationChannel.choices)
    # What was asked, cut to size; for a name + ID query only the number of matches is kept.
    query = models.CharField(max_length=64, blank=True)
    certificate = models.ForeignKey(
        "certificates.Certificate", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    found = models.BooleanField(default=False)
    ip_address = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        # (certificate, created_at): the holder's log and the office's counts per certificate read
        # one certificate's rows in time order.
        indexes = [
            models.Index(fields=["created_at"]),
            models.Index(fields=["certificate", "created_at"], name="verification_per_certificate"),
        ]
        verbose_name = _("verification")
        verbose_name_plural = _("verification log")
