"""Batches, enrolments and what happens to them: completions, attempts, the state log (docs/spec.md §3–4)."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnly
from core.validators import refuse_format_characters

from .catalogue import Module, Track
from .institutions import Institution
from .people import Trainee, User


class Level(models.IntegerChoices):
    """National vocational skill levels: 5 is the entry level, 1 the highest."""

    FIVE = 5, _("五级/初级工")
    FOUR = 4, _("四级/中级工")
    THREE = 3, _("三级/高级工")
    TWO = 2, _("二级/技师")
    ONE = 1, _("一级/高级技师")


class EnrolmentStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted for approval")
    REJECTED = "rejected", _("rejected")
    ENROLLED = "enrolled", _("enrolled")
    TRAINED = "trained", _("training completed")
    UNDER_REVIEW = "under_review", _("under review")
    PASSED = "passed", _("passed")
    FAILED = "failed", _("failed")
    IN_PUBLICITY = "in_publicity", _("in public notice")
    READY_TO_ISSUE = "ready_to_issue", _("ready to issue")
    CERTIFIED = "certified", _("certified")
    REVOKED = "revoked", _("revoked")
    DISQUALIFIED = "disqualified", _("disqualified")
    WITHDRAWN = "withdrawn", _("withdrawn")


# Statuses in which an enrolment still occupies the trainee's one place in a track. `failed` is
# handled by the service (it is active only while a resit is possible).
ACTIVE_STATUSES = [
    EnrolmentStatus.DRAFT,
    EnrolmentStatus.SUBMITTED,
    EnrolmentStatus.REJECTED,
    EnrolmentStatus.ENROLLED,
    EnrolmentStatus.TRAINED,
    EnrolmentStatus.UNDER_REVIEW,
    EnrolmentStatus.PASSED,
    EnrolmentStatus.IN_PUBLICITY,
    EnrolmentStatus.READY_TO_ISSUE,
]
# Statuses that count against the institution's yearly quota: approved and not given back.
QUOTA_STATUSES = [
    EnrolmentStatus.ENROLLED,
    EnrolmentStatus.TRAINED,
    EnrolmentStatus.UNDER_REVIEW,
    EnrolmentStatus.PASSED,
    EnrolmentStatus.FAILED,
    EnrolmentStatus.IN_PUBLICITY,
    EnrolmentStatus.READY_TO_ISSUE,
    EnrolmentStatus.CERTIFIED,
    EnrolmentStatus.REVOKED,
    EnrolmentStatus.DISQUALIFIED,
]


class TrainingBatch(models.Model):
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="batches", verbose_name=_("institution")
    )
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="batches", verbose_name=_("track"))
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.FOUR)
    name = models.CharField(_("name"), max_length=128, validators=[refuse_format_characters])
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    capacity = models.PositiveIntegerField(_("capacity"), default=50, validators=[MinValueValidator(1)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("training batch")
        verbose_name_plural = _("training batches")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})

    @property
    def year(self) -> int:
        return self.start_date.year


class StatusFieldGuard(models.QuerySet):
    """A queryset that refuses to write the status column: moves go through the lifecycle service."""

    def update(self, **kwargs):
        if "status" in kwargs:
            raise ValidationError(_("The status changes only through a lifecycle transition."))
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        if "status" in fields:
            raise ValidationError(_("The status changes only through a lifecycle transition."))
        return super().bulk_update(objs, fields, *args, **kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        self._check_drafts(objs)
        return super().bulk_create(objs, *args, **kwargs)

    def insert_drafts(self, objs) -> None:
        """bulk_create for thousands of rows (core.bulk_insert): primary keys stay unset."""
        from core.bulk_insert import insert_many

        objs = list(objs)
        self._check_drafts(objs)
        insert_many(self.model, objs)

    def save_moves(self, objs) -> None:
        """Write the moves the lifecycle made on these enrolments (certification.services), grouped
        into one UPDATE per new status: only what a status-only move changes is written."""
        objs = list(objs)
        if any(not obj._status_move_allowed for obj in objs):
            raise ValidationError(_("The status changes only through a lifecycle transition."))
        now = timezone.now()
        by_status: dict[str, list] = {}
        for obj in objs:
            obj.status_changed_at = obj.updated_at = now  # moved together, stamped together
            by_status.setdefault(obj.status, []).append(obj)
        for status, group in by_status.items():
            # The plain QuerySet.update: this queryset's own refuses the status column.
            models.QuerySet.update(
                self.filter(pk__in=[obj.pk for obj in group]), status=status, status_changed_at=now, updated_at=now
            )
            for obj in group:
                obj._saved_status, obj._status_move_allowed = status, False

    @staticmethod
    def _check_drafts(objs) -> None:
        if any(obj.status != EnrolmentStatus.DRAFT for obj in objs):
            raise ValidationError(_("A new enrolment starts as a draft."))


# The stubs cannot follow the reverse relation from workflows' AssessmentProcess, whose base class
# (viewflow's Process) is untyped.
class Enrolment(models.Model):  # type: ignore[django-manager-missing]
    trainee = models.ForeignKey(Trainee, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("trainee"))
    batch = models.ForeignKey(
        TrainingBatch, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("training batch")
    )
    # Copied from the batch so that "one active enrolment per trainee and track" is a database constraint.
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="+", verbose_name=_("track"))
    status = models.CharField(
        _("status"), max_length=20, choices=EnrolmentStatus.choices, default=EnrolmentStatus.DRAFT, editable=False
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now, editable=False)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    publicity_ends_on = models.DateField(_("public notice ends on"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # A renewal of an expiring certificate in the same track and level: when this enrolment's
    # certificate is issued it supersedes the trainee's current one (certificates.issuance).
    is_renewal = models.BooleanField(_("renewal"), default=False)
    # Any write of the row (a move included): what the API's `updated_since` filter reads for sync.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = StatusFieldGuard.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["trainee", "track"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="one_active_enrolment_per_trainee_and_track",
            )
        ]
        indexes = [
            models.Index(fields=["status", "track"]),
            models.Index(fields=["batch", "status"]),
            # The lists' default order (newest move first, the primary key breaking ties): the first
            # page reads 25 index entries instead of sorting every enrolment (docs/performance.md).
            models.Index(fields=["status_changed_at", "id"], name="enrolment_by_last_move"),
            models.Index(fields=["status", "status_changed_at", "id"], name="enrolment_status_last_move"),
        ]
        # Related-object access and internal updates go through the guarded manager too.
        base_manager_name = "objects"
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")

    def __str__(self) -> str:
        return f"{self.trainee} · {self.batch}"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved_status = None  # known once loaded from the database (from_db)
        self._status_move_allowed = False

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._saved_status = instance.__dict__.get("status")
        return instance

    def _stored_status(self) -> str:
        if self._saved_status is not None:
            return self._saved_status
        stored = None
        if self.pk is not None:
            stored = Enrolment.objects.filter(pk=self.pk).values_list("status", flat=True).first()
        return stored or EnrolmentStatus.DRAFT  # a new row starts as a draft

    def save(self, *args, **kwargs):
        if not self._status_move_allowed and self.status != self._stored_status():
            raise ValidationError(_("The status changes only through a lifecycle transition."))
        if self._state.adding:
            self.track_id = self.batch.track_id
        super().save(*args, **kwargs)
        self._saved_status = self.status
        self._status_move_allowed = False

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._saved_status = self.status

    def move_to(self, status: str) -> None:
        """Only the lifecycle calls this (certification.lifecycle)."""
        self.status = status
        self.status_changed_at = timezone.now()
        self._status_move_allowed = True

    @property
    def institution_id(self) -> int:
        return self.batch.institution_id

    @property
    def current_attempt(self) -> "AssessmentAttempt | None":
        return self.attempts.order_by("-number").first()


class ModuleCompletion(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="completions")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="+", verbose_name=_("module"))
    hours = models.DecimalField(
        _("hours"), max_digits=6, decimal_places=1, validators=[MinValueValidator(0), MaxValueValidator(2000)]
    )
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    evidence = models.FileField(_("evidence file"), upload_to="evidence/modules/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["module__position"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "module"], name="one_completion_per_module")]
        verbose_name = _("module completion")
        verbose_name_plural = _("module completions")


class AttemptOutcome(models.TextChoices):
    PENDING = "pending", _("awaiting review")
    PASSED = "passed", _("passed")
    FAILED = "failed", _("failed")
    RETURNED = "returned", _("returned for correction")


class AssessmentAttempt(models.Model):
    """One sitting of the exam: theory and practical scores, evidence, and the assessor's outcome."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField(_("attempt"), default=1)
    exam_date = models.DateField(_("exam date"), null=True, blank=True)
    theory_score = models.DecimalField(
        _("theory score"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    practical_score = models.DecimalField(
        _("practical score"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    # A resit re-assesses only the failed part: the passed part is carried from the previous attempt.
    theory_carried_over = models.BooleanField(default=False)
    practical_carried_over = models.BooleanField(default=False)
    submitted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=AttemptOutcome.choices, default=AttemptOutcome.PENDING)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["enrolment", "number"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "number"], name="one_attempt_number_per_enrolment")]
        verbose_name = _("assessment attempt")
        verbose_name_plural = _("assessment attempts")


class EvidenceKind(models.TextChoices):
    MODEL_3D = "3d_model", _("3D garment model")
    PHOTO = "photo", _("photo of work")
    DOCUMENT = "document", _("document")


class EvidenceFile(models.Model):
    attempt = models.ForeignKey(AssessmentAttempt, on_delete=models.CASCADE, related_name="evidence_files")
    kind = models.CharField(_("kind"), max_length=16, choices=EvidenceKind.choices)
    file = models.FileField(upload_to="evidence/attempts/%Y/%m/")
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")


class StateLog(AppendOnly):
    """Append-only history of every lifecycle move (docs/spec.md §3)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="state_logs")
    transition = models.CharField(_("transition"), max_length=32)
    from_status = models.CharField(_("from"), max_length=20, choices=EnrolmentStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=EnrolmentStatus.choices)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["enrolment", "created_at"]),
            # The statistics (certification.statistics): each enrolment's moves in order, read from the
            # index alone (days per stage); and the moves of one kind in a period (per month).
            models.Index(fields=["enrolment", "created_at", "id", "transition"], name="statelog_enrolment_moves"),
            models.Index(fields=["transition", "created_at", "enrolment"], name="statelog_moves_by_kind"),
            # The audit view (reports/audit.py): the newest moves first, a page at a time.
            models.Index(fields=["created_at", "id"], name="statelog_newest"),
        ]
        base_manager_name = "objects"
        verbose_name = _("state log entry")
        verbose_name_plural = _("state log")
