"""An upload kept between its preview and its confirmation (docs/spec.md §7)."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import Institution, User

from .summary import Summary


class ImportKind(models.TextChoices):
    ENROLMENTS = "enrolments", _("Enrolments")
    COMPLETIONS = "completions", _("Module completions")
    RESULTS = "results", _("Exam results")


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("awaiting confirmation")
    IMPORTED = "imported", _("imported")


def upload_path(instance: "ImportSession", filename: str) -> str:
    # Personal data inside, so the stored name says nothing about it; media is never served publicly.
    return f"imports/{instance.institution_id}/{timezone.now():%Y%m}/{uuid.uuid4().hex}.xlsx"


class ImportSession(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED)
    file = models.FileField(upload_to=upload_path)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    submit = models.BooleanField(_("submit new enrolments for approval"), default=False)
    # exchange.summary.Summary as JSON: the preview's, then the import's.
    summary = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    imported_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    valid_rows_only = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["institution", "created_at"])]
        verbose_name = _("Excel upload")
        verbose_name_plural = _("Excel uploads")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_kind_display()})"

    @property
    def result(self) -> Summary:
        return Summary.from_json(self.summary)

    @property
    def is_imported(self) -> bool:
        return self.status == ImportStatus.IMPORTED
