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
    # A large file is read and imported by a task worker (exchange.tasks): queued → checking → previewed,
    # then importing → imported (or back to previewed with the reason when nothing could be written).
    QUEUED = "queued", _("waiting to be checked")
    CHECKING = "checking", _("being checked")
    PREVIEWED = "previewed", _("awaiting confirmation")
    IMPORTING = "importing", _("being imported")
    IMPORTED = "imported", _("imported")
    REFUSED = "refused", _("refused")
    FAILED = "failed", _("failed")


# Statuses in which a task worker has the upload: the page follows its progress.
RUNNING = (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.IMPORTING)


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
    # Checked and imported by a task worker (exchange.background); its progress is an ImportProgress.
    in_background = models.BooleanField(default=False)
    # Why a background run stopped: the file refused as a whole, rows rejected since the preview, an error.
    message = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

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

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING


class ImportProgress(models.Model):
    """How far a background check or import has gone: steps done of the steps known so far.

    A row of its own, not columns of the session: an import locks its session's row for its whole
    transaction (against a second confirmation), and the progress is written meanwhile from another
    connection (exchange.progress), which would otherwise wait for that lock until the end.
    """

    session = models.OneToOneField(ImportSession, on_delete=models.CASCADE, primary_key=True, related_name="progress")
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("import progress")
