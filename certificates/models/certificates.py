"""The certificate: a number, the facts printed on it, and the frozen PDF (docs/spec.md §6).

A certificate row is created, with its number, in the same transaction as the enrolment's `issue`
move; its PDF is rendered, signed and stored right after, and from then on the row's printed facts
and file never change. A correction makes a new certificate that supersedes this one.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import Enrolment, User

# Fields that describe what is printed: written once, when the number is allocated.
PRINTED_FIELDS = (
    "number",
    "issuer_code",
    "year",
    "level",
    "serial",
    "track_code",
    "holder_name",
    "holder_id_type",
    "holder_id_number_masked",
    "occupation",
    "direction",
    "title",
    "level_label",
    "modules",
    "institution_name",
    "issuer_name",
    "issue_date",
    "valid_until",
    "template_version",
    "verify_url",
    "offline_statement",
)
# Fields of the frozen artefact: written once, when the signed PDF is stored.
FROZEN_FIELDS = ("pdf", "sha256", "pdf_size")


class CertificateStatus(models.TextChoices):
    PENDING = "pending", _("being issued")
    VALID = "valid", _("valid")
    SUPERSEDED = "superseded", _("superseded")
    REVOKED = "revoked", _("revoked")


class CertificateSerial(models.Model):
    """The last serial given out per issuer and year: the one row every issuance locks."""

    issuer_code = models.CharField(max_length=13)
    year = models.PositiveSmallIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer_code", "year"], name="one_serial_counter_per_issuer_year")
        ]
        verbose_name = _("certificate serial counter")
        verbose_name_plural = _("certificate serial counters")

    def __str__(self) -> str:
        return f"{self.issuer_code} {self.year}: {self.last_serial}"


def pdf_path(certificate: "Certificate", filename: str) -> str:
    return f"certificates/{certificate.year}/{certificate.number}.pdf"


def photo_path(certificate: "Certificate", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"certificates/{certificate.year}/photos/{certificate.number}.{extension}"


class CertificateQuerySet(models.QuerySet):
    def delete(self):
        raise ValidationError(_("A certificate number is never deleted or reused."))


def expired(valid_until, today=None) -> bool:
    """Whether a certificate valid until this day (None: for ever) has expired by `today`."""
    return valid_until is not None and valid_until < (today or timezone.localdate())


class Certificate(models.Model):
    number = models.CharField(_("certificate number"), max_length=22, unique=True)
    issuer_code = models.CharField(_("issuer code"), max_length=13)
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.PositiveSmallIntegerField(_("level"))
    serial = models.PositiveIntegerField(_("serial"))
    status = models.CharField(
        _("status"), max_length=12, choices=CertificateStatus.choices, default=CertificateStatus.PENDING
    )

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("enrolment")
    )
    run = models.ForeignKey(
        "certificates.IssuanceRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="certificates"
    )
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )

    # What is printed, as it was printed.
    track_code = models.CharField(_("track"), max_length=8)
    holder_name = models.CharField(_("holder's name"), max_length=64)
    holder_id_type = models.CharField(_("ID type"), max_length=24)
    holder_id_number_masked = models.CharField(_("ID number (masked)"), max_length=32)
    occupation = models.CharField(_("occupation"), max_length=64)
    direction = models.CharField(_("direction"), max_length=64)
    title = models.CharField(_("certificate title"), max_length=64)
    level_label = models.CharField(_("level"), max_length=32)
    modules = models.JSONField(_("modules completed"), default=list)
    institution_name = models.CharField(_("training institution"), max_length=128)
    issuer_name = models.CharField(_("issuing organisation"), max_length=128)
    issue_date = models.DateField(_("issue date"))
    # The last day it is valid, when its track has a validity period (Track.validity_months).
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    template_version = models.CharField(_("template version"), max_length=16)
    verify_url = models.URLField(_("verification URL"), max_length=255)
    # The signed statement of the public facts that the QR code carries after the verify URL's "#"
    # (certificates.offline_statement), for /verify/offline/; empty on certificates issued before it.
    offline_statement = models.TextField(_("signed statement in the QR code"), blank=True)
    photo = models.FileField(_("photo on the certificate"), upload_to=photo_path, blank=True)

    # The frozen artefact.
    pdf = models.FileField(_("PDF"), upload_to=pdf_path, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    pdf_size = models.PositiveIntegerField(_("size in bytes"), default=0)

    issued_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by"))
    created_at = models.DateTimeField(_("numbered at"), auto_now_add=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revocation"), blank=True)
    correction_reason = models.TextField(_("reason for the correction"), blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["issuer_code", "year", "serial"], name="one_certificate_per_serial"),
            models.UniqueConstraint(
                fields=["sha256"], condition=~models.Q(sha256=""), name="one_certificate_per_pdf_hash"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "issue_date"]),
            models.Index(fields=["enrolment", "status"]),
            # The register's orders (newest first; by holder): the first page reads 25 index entries.
            models.Index(fields=["issue_date", "number", "id"], name="certificate_register_order"),
            models.Index(fields=["holder_name", "id"], name="certificate_by_holder"),
        ]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.number

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._remember_saved_state()

    def _remember_saved_state(self) -> None:
        if not self.pk:
            self._saved = None
            return
        deferred = self.get_deferred_fields()  # not loaded (`.only()`): nothing to compare against
        self._saved = {
            name: self._frozen_value(name) for name in PRINTED_FIELDS + FROZEN_FIELDS if name not in deferred
        }

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._remember_saved_state()

    def _frozen_value(self, name: str):
        return self.pdf.name if name == "pdf" else getattr(self, name)

    def save(self, *args, **kwargs):
        self._refuse_changes_to_what_is_frozen()
        super().save(*args, **kwargs)
        self._remember_saved_state()

    def _refuse_changes_to_what_is_frozen(self) -> None:
        """Printed facts never change; the PDF and its hash are written once and never again."""
        if self._saved is None:
            return
        for name in PRINTED_FIELDS:
            if name in self._saved and self._frozen_value(name) != self._saved[name]:
                raise ValidationError(_("An issued certificate never changes: issue a correction instead."))
        for name in FROZEN_FIELDS:
            if self._saved.get(name) and self._frozen_value(name) != self._saved[name]:
                raise ValidationError(_("An issued certificate never changes: issue a correction instead."))

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A certificate number is never deleted or reused."))

    @property
    def is_frozen(self) -> bool:
        return bool(self.sha256)

    def is_expired(self, today=None) -> bool:
        """Past its validity period (a status of its own only on verification: the row stays valid)."""
        return expired(self.valid_until, today)

    @property
    def is_public(self) -> bool:
        """Verifiable by anyone: issued (frozen), whatever happened to it since."""
        return self.status != CertificateStatus.PENDING and self.is_frozen
