"""Batch issuance: a run an officer starts, and one item per enrolment it covers (docs/spec.md §6).

The items are the run's to-do list. Workers tick them off; a run that stopped half-way (a worker
killed) is resumed by queueing its pending items again, which is safe because issuing an item is
idempotent (see certificates.issuance).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from certification.models import Enrolment, TrainingBatch, User


class IssuanceRun(models.Model):
    officer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by"))
    batch = models.ForeignKey(
        TrainingBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("training batch"),
        help_text=_("Empty when the run covers everything ready to issue."),
    )
    total = models.PositiveIntegerField(_("certificates to issue"), default=0)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    resumed_count = models.PositiveSmallIntegerField(_("times resumed"), default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("issuance run")
        verbose_name_plural = _("issuance runs")

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    ISSUED = "issued", _("issued")
    SKIPPED = "skipped", _("skipped")


class IssuanceItem(models.Model):
    run = models.ForeignKey(IssuanceRun, on_delete=models.CASCADE, related_name="items")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    certificate = models.ForeignKey(
        "certificates.Certificate", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Why an item was skipped, in the words of the service that refused it.
    message = models.CharField(max_length=255, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "enrolment"], name="one_item_per_enrolment_and_run"),
            # An enrolment waits in one run at a time: two officers starting a run at the same moment
            # cannot both take it (the second insert fails, see services.start_issuance).
            models.UniqueConstraint(
                fields=["enrolment"], condition=models.Q(status="pending"), name="one_waiting_item_per_enrolment"
            ),
        ]
        indexes = [models.Index(fields=["run", "status"])]
        verbose_name = _("issuance item")
        verbose_name_plural = _("issuance items")
