"""Training institutions, their vetting and their yearly quota per track (docs/spec.md §3)."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.validators import refuse_format_characters

from .catalogue import Track


class InstitutionStatus(models.TextChoices):
    PENDING = "pending", _("pending vetting")
    APPROVED = "approved", _("approved")
    SUSPENDED = "suspended", _("suspended")


class Institution(models.Model):
    name = models.CharField(_("name"), max_length=128, validators=[refuse_format_characters])
    # Unified social credit code (统一社会信用代码): 18 characters.
    org_code = models.CharField(
        _("organisation code"),
        max_length=18,
        unique=True,
        validators=[RegexValidator(r"^[0-9A-HJ-NPQRTUWXY]{18}$", _("An organisation code has 18 characters."))],
    )
    status = models.CharField(
        _("vetting status"), max_length=16, choices=InstitutionStatus.choices, default=InstitutionStatus.PENDING
    )
    contact_name = models.CharField(
        _("contact person"), max_length=64, blank=True, validators=[refuse_format_characters]
    )
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    vetted_at = models.DateTimeField(_("vetted at"), null=True, blank=True)
    vetting_note = models.TextField(_("vetting note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self) -> str:
        return self.name

    @property
    def is_approved(self) -> bool:
        return self.status == InstitutionStatus.APPROVED


class TrackQuota(models.Model):
    """How many enrolments an institution may have approved in a track in one calendar year."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="quotas")
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    quota = models.PositiveIntegerField(_("quota"))

    class Meta:
        ordering = ["-year", "track"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "track", "year"], name="one_quota_per_institution_track_year"
            )
        ]
        verbose_name = _("yearly quota")
        verbose_name_plural = _("yearly quotas")

    def __str__(self) -> str:
        return f"{self.institution} · {self.track.code} · {self.year}: {self.quota}"
