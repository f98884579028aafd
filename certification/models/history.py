"""What was changed, by whom and when: scores and module completions, and vetting decisions.

Both are append-only (in the ORM here, in SQL by the triggers of their migration), written by the
services in the same transaction as the change they describe (certification.history).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnly

from .catalogue import Module
from .enrolments import AssessmentAttempt, Enrolment
from .institutions import Institution, InstitutionStatus
from .people import User


class ScoreField(models.TextChoices):
    EXAM_DATE = "exam_date", _("exam date")
    THEORY_SCORE = "theory_score", _("theory score")
    PRACTICAL_SCORE = "practical_score", _("practical score")
    HOURS = "hours", _("hours")
    SCORE = "score", _("module score")
    EVIDENCE = "evidence", _("evidence file")


class ScoreChange(AppendOnly):
    """One value of an attempt (`attempt`) or a module completion (`module`) that changed: old → new,
    as text ("" for none). A first entry is a change from nothing."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="score_changes")
    attempt = models.ForeignKey(
        AssessmentAttempt, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("attempt")
    )
    module = models.ForeignKey(
        Module, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("module")
    )
    field = models.CharField(_("field"), max_length=16, choices=ScoreField.choices)
    old_value = models.CharField(_("old value"), max_length=255, blank=True)
    new_value = models.CharField(_("new value"), max_length=255, blank=True)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        # The second: the audit view (reports/audit.py), the newest changes first, a page at a time.
        indexes = [
            models.Index(fields=["enrolment", "created_at"]),
            models.Index(fields=["created_at", "id"], name="scorechange_newest"),
        ]
        base_manager_name = "objects"
        verbose_name = _("score or hours change")
        verbose_name_plural = _("score and hours history")

    def __str__(self) -> str:
        return f"{self.get_field_display()}: {self.old_value or '—'} → {self.new_value or '—'}"

    @property
    def subject(self) -> str:
        """What the value belongs to: the module, or the exam attempt."""
        if self.module is not None:
            return self.module.display_name
        return _("Exam, attempt %(number)s") % {"number": self.attempt.number if self.attempt is not None else 1}

    @property
    def old_shown(self) -> str:
        return self._shown(self.old_value)

    @property
    def new_shown(self) -> str:
        return self._shown(self.new_value)

    def _shown(self, value: str) -> str:
        # An evidence file's stored name is random: what matters is that there was one.
        if self.field == ScoreField.EVIDENCE and value:
            return str(_("a file"))
        return value or "—"


class VettingDecision(AppendOnly):
    """One vetting move of an institution: from which status to which, by which officer, and why."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="vetting_decisions", verbose_name=_("institution")
    )
    from_status = models.CharField(_("from"), max_length=16, choices=InstitutionStatus.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=InstitutionStatus.choices)
    officer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("officer"))
    note = models.TextField(_("note"), blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["institution", "created_at"])]
        base_manager_name = "objects"
        verbose_name = _("vetting decision")
        verbose_name_plural = _("vetting decisions")

    def __str__(self) -> str:
        return f"{self.institution} · {self.get_from_status_display()} → {self.get_to_status_display()}"
