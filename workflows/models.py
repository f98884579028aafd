"""Assessment processes (viewflow.workflow) and the public notice (公示) with its objections (docs/spec.md §5)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process, Task

from certification.models import AssessmentAttempt, Enrolment, Institution, TrainingBatch, User
from core.validators import refuse_format_characters, validate_phone_or_email


class AssessmentProcess(Process):
    """One AssessmentFlow process per attempt."""

    attempt = models.OneToOneField(AssessmentAttempt, on_delete=models.PROTECT, related_name="process")
    # Copied from the attempt so that inbox queries filter without another join.
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="assessment_processes")

    class Meta:
        verbose_name = _("assessment process")
        verbose_name_plural = _("assessment processes")


class Decision(models.TextChoices):
    PASS = "pass", _("pass")
    FAIL = "fail", _("fail")
    RETURN = "return", _("return for correction")


class NonWorkingDay(models.Model):
    """Public holidays on weekdays; the 公示 period counts working days (weekends are skipped too)."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=64, blank=True, validators=[refuse_format_characters])

    class Meta:
        ordering = ["date"]
        verbose_name = _("non-working day")
        verbose_name_plural = _("non-working days")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class PublicityNotice(models.Model):
    """A public notice (公示) of passed candidates for a number of working days."""

    title = models.CharField(_("title"), max_length=200)
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), help_text=_("Last day on which objections are taken."))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    enrolments = models.ManyToManyField(Enrolment, through="PublicityEntry", related_name="publicity_notices")

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")

    def __str__(self) -> str:
        return self.title


class PublicityEntry(models.Model):
    notice = models.ForeignKey(PublicityNotice, on_delete=models.CASCADE, related_name="entries")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="publicity_entries")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "enrolment"], name="one_entry_per_notice")]


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("open")
    UPHELD = "upheld", _("upheld")
    DISMISSED = "dismissed", _("dismissed")


class Objection(models.Model):
    """An objection lodged by anyone against a candidate in public notice; no account needed."""

    entry = models.ForeignKey(PublicityEntry, on_delete=models.PROTECT, related_name="objections")
    name = models.CharField(_("your name"), max_length=64, validators=[refuse_format_characters])
    contact = models.CharField(_("phone or e-mail"), max_length=128, validators=[validate_phone_or_email])
    text = models.TextField(_("objection"), max_length=4000)
    # Given to the objector to quote when they call the office; made by workflows.publicity.services.
    receipt_number = models.CharField(_("receipt number"), max_length=20, unique=True, null=True, blank=True)
    lodged_at = models.DateTimeField(_("lodged at"), auto_now_add=True)
    client_fingerprint = models.CharField(max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)

    class Meta:
        ordering = ["-lodged_at"]
        indexes = [models.Index(fields=["status", "entry"])]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")


class PublicityOffice(models.Model):
    """Who takes objections to the public notices and how (受理): printed on every notice. One row,
    edited by the office on its own page (workflows.publicity.office)."""

    name = models.CharField(_("office taking objections"), max_length=128, validators=[refuse_format_characters])
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("telephone"), max_length=64, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    hours = models.CharField(_("office hours"), max_length=128, blank=True)
    how_to_object = models.TextField(
        _("how objections are taken"),
        max_length=2000,
        blank=True,
        help_text=_("E.g. in writing with the objector's real name and contact; anonymous objections are not taken."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("office taking objections")
        verbose_name_plural = _("office taking objections")

    def __str__(self) -> str:
        return self.name


class DecidedReview(models.Model):
    """A review or second review an assessor finished (its task done): what the assessors'
    workload figure counts as decided (workflows.statistics), kept apart from the tasks so that a
    filter reads one narrow table instead of joining 90,000 tasks to their processes and
    enrolments. Nothing here is a record: workflows.decided_reviews derives the rows from the tasks
    and keeps them equal to them. The enrolment's batch, track, institution and level are copied
    in, like certification's derived rows (none of them changes once an enrolment exists)."""

    task = models.OneToOneField(Task, on_delete=models.CASCADE, primary_key=True, related_name="+")
    owner_id = models.IntegerField(null=True)
    assigned = models.DateTimeField(null=True)
    finished = models.DateTimeField(null=True)
    batch = models.ForeignKey(TrainingBatch, on_delete=models.CASCADE, related_name="+")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    track_id = models.IntegerField()
    level = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [
            # The period's column first, then every column the figure reads: the index alone is read.
            models.Index(
                fields=["finished", "owner_id", "assigned", "track_id", "institution", "batch", "level"],
                name="decided_review_workload",
            ),
        ]


class DecidedReviewsUpTo(models.Model):
    """The one row saying up to which task id DecidedReview has been derived."""

    last_task_id = models.BigIntegerField(default=0)
