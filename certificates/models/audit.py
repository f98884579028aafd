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


class VerificationDay(models.Model):
    """Checks of one closed day (the office's time zone), by channel and found or not: the office's
    counts per day read these few rows instead of a year of the log (certificates.check_rollup
    fills them, always equal to what the log says)."""

    day = models.DateField()
    channel = models.CharField(max_length=16, choices=VerificationChannel.choices)
    found = models.BooleanField()
    n = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "channel", "found"], name="verification_day_unique")]


class VerificationTotal(models.Model):
    """Checks of one certificate over the closed days of one of the office's periods (the last
    `period` days but today), as of the rollup's last closed day: the counts per certificate.

    Kept per period, not per day: a certificate is seldom checked twice a day, so rows per
    (day, certificate) would be as many as the log's and a year of them as slow to add up."""

    period = models.SmallIntegerField()
    certificate = models.ForeignKey("certificates.Certificate", on_delete=models.CASCADE, related_name="+")
    n = models.IntegerField()
    last = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "certificate"], name="verification_total_unique")]
        # A page of the most checked: the period's highest totals, read in order.
        indexes = [models.Index(fields=["period", "-n", "certificate"], name="verification_total_top")]


class VerificationRollupMark(models.Model):
    """The one row saying which days the rollup holds (up to and including `through_day`) and up
    to which log id it has read (rows after it for a closed day are late: their days are redone)."""

    through_day = models.DateField(null=True)
    open_from = models.DateTimeField(null=True)  # midnight after through_day, for the late rows' query
    last_log_id = models.BigIntegerField(default=0)
    certificates = models.JSONField(default=dict)  # str(period) -> how many certificates have a total
