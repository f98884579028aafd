"""The portable credential of a certificate and the published revocation lists (docs/spec.md §12).

A credential is an Open Badges 3.0 `OpenBadgeCredential`, signed once when its certificate is frozen
and kept as the exact bytes that were signed, with their SHA-256: like the PDF it never changes, and
a correction (a new certificate) gets a new one. Its revocation bit lives in a status list.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Credential(models.Model):
    certificate = models.OneToOneField(
        "certificates.Certificate", on_delete=models.PROTECT, related_name="credential", verbose_name=_("certificate")
    )
    document = models.TextField(_("signed credential (JSON)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    key_id = models.CharField(_("key id"), max_length=32)
    # The salt of the hashed ID number in the credential (OB 3.0 IdentityObject).
    subject_salt = models.CharField(max_length=32)
    status_list = models.PositiveIntegerField(_("status list"))
    status_index = models.PositiveIntegerField(_("index in the status list"))
    created_at = models.DateTimeField(_("signed at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["status_list", "status_index"], name="one_credential_per_status_bit")
        ]
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")

    def __str__(self) -> str:
        return f"credential {self.certificate_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("A signed credential never changes: issue a correction instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A signed credential is never deleted."))


class StatusList(models.Model):
    """One published BitstringStatusListCredential: signed again whenever one of its bits changes,
    in the transaction that changes it, and served as stored."""

    number = models.PositiveIntegerField(_("list number"), unique=True)
    document = models.TextField(_("signed status list credential (JSON)"))
    # The sorted indices set when it was signed: a later change is detected by comparing them.
    revoked_indices = models.JSONField(default=list)
    signed_at = models.DateTimeField(_("signed at"))

    class Meta:
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")

    def __str__(self) -> str:
        return f"status list {self.number}"
