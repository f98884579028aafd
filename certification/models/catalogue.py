"""Tracks and their course modules: data the officer edits, never constants in code (docs/spec.md §2)."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.validators import refuse_format_characters


class Track(models.Model):
    code = models.CharField(_("code"), max_length=8, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=64, validators=[refuse_format_characters])
    name_en = models.CharField(_("name (English)"), max_length=64, validators=[refuse_format_characters])
    certificate_title = models.CharField(_("title on certificate"), max_length=64)
    occupation = models.CharField(_("occupation on certificate"), max_length=64, default="时尚工程师")
    pass_mark_theory = models.PositiveSmallIntegerField(
        _("theory pass mark"), default=60, validators=[MaxValueValidator(100)]
    )
    pass_mark_practical = models.PositiveSmallIntegerField(
        _("practical pass mark"), default=60, validators=[MaxValueValidator(100)]
    )
    max_attempts = models.PositiveSmallIntegerField(_("maximum attempts"), default=2, validators=[MinValueValidator(1)])
    resit_window_months = models.PositiveSmallIntegerField(_("resit window (months)"), default=12)
    publicity_working_days = models.PositiveSmallIntegerField(_("公示 length (working days)"), default=5)
    reviewers_required = models.PositiveSmallIntegerField(
        _("assessor sign-offs required"), default=1, validators=[MinValueValidator(1), MaxValueValidator(2)]
    )
    requires_3d_evidence = models.BooleanField(_("results need 3D-model evidence"), default=False)
    is_active = models.BooleanField(_("open for enrolment"), default=True)
    # Empty: certificates of this track never expire. Otherwise they are valid this many months
    # from the issue date (printed, in the credential, "expired" on verification after it).
    validity_months = models.PositiveSmallIntegerField(
        _("validity (months)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("track")
        verbose_name_plural = _("tracks")

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class Module(models.Model):
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="modules", verbose_name=_("track"))
    code = models.CharField(_("code"), max_length=16)
    name_zh = models.CharField(_("name (Chinese)"), max_length=64, validators=[refuse_format_characters])
    name_en = models.CharField(_("name (English)"), max_length=64, validators=[refuse_format_characters])
    min_hours = models.DecimalField(
        _("minimum hours"), max_digits=6, decimal_places=1, default=Decimal("40"), validators=[MinValueValidator(0)]
    )
    is_required = models.BooleanField(_("required"), default=True)
    evidence_required = models.BooleanField(_("evidence file required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["track", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["track", "code"], name="module_code_unique_per_track")]
        verbose_name = _("course module")
        verbose_name_plural = _("course modules")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh
