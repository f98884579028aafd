"""Institution-side writes: trainees, batches, enrolments, module completions and exam scores.

Each checks that the acting staff member works for the institution that owns the object.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import permissions
from .errors import InvalidInput, MoveForbidden, RuleNotMet
from .identity import normalise_id_number
from .models import (
    AssessmentAttempt,
    Enrolment,
    EnrolmentStatus,
    Module,
    ModuleCompletion,
    Trainee,
    TrainingBatch,
    User,
)
from .models.enrolments import ACTIVE_STATUSES

TRAINEE_FIELDS = (
    "name", "id_type", "id_number", "gender", "birth_date", "ethnicity", "education", "phone",
    "employer", "years_in_trade", "address",
)
BATCH_FIELDS = ("track", "level", "name", "start_date", "end_date", "capacity")


def _require_staff(staff: User) -> None:
    if not permissions.is_institution_staff(staff):
        raise MoveForbidden(_("Only institution staff can do this."))


def _validated(instance, exclude=()):
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as error:
        raise InvalidInput("; ".join(f"{m}" for messages in error.message_dict.values() for m in messages)) from error
    return instance


def create_trainee(*, staff: User, **fields) -> Trainee:
    _require_staff(staff)
    trainee = Trainee(institution_id=staff.institution_id, **{k: fields[k] for k in fields if k in TRAINEE_FIELDS + ("photo",)})
    trainee.id_number = normalise_id_number(trainee.id_number)  # before the uniqueness check
    existing = Trainee.objects.filter(id_type=trainee.id_type, id_number=trainee.id_number).first()
    if existing is not None:
        if existing.institution_id == staff.institution_id:
            raise InvalidInput(_("A trainee with this ID number is already registered: open them from the trainee list."))
        raise InvalidInput(
            _("This ID number is already registered by another institution; the certification office can move the record.")
        )
    with transaction.atomic():
        return _save(_validated(trainee))


def update_trainee(*, staff: User, trainee_id: int, **fields) -> Trainee:
    _require_staff(staff)
    with transaction.atomic():
        trainee = Trainee.objects.select_for_update().filter(institution_id=staff.institution_id, pk=trainee_id).first()
        if trainee is None:
            raise MoveForbidden(_("This trainee is not registered by your institution."))
        identity_locked = trainee.enrolments.exclude(status__in=[EnrolmentStatus.DRAFT, EnrolmentStatus.REJECTED]).exists()
        for key, value in fields.items():
            if key not in TRAINEE_FIELDS + ("photo",):
                continue
            if key == "id_number":
                value = normalise_id_number(value)
            if key in ("name", "id_type", "id_number") and identity_locked and value != getattr(trainee, key):
                raise RuleNotMet(
                    _("Name and ID cannot change once an enrolment is approved; ask the certification office for a correction.")
                )
            setattr(trainee, key, value)
        return _save(_validated(trainee, exclude=["user"]))


def _save(instance):
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise InvalidInput(_("A trainee with this ID number is already registered.")) from error
    return instance


def create_batch(*, staff: User, **fields) -> TrainingBatch:
    _require_staff(staff)
    batch = TrainingBatch(institution_id=staff.institution_id, **{k: v for k, v in fields.items() if k in BATCH_FIELDS})
    _validated(batch)
    batch.save()
    return batch


def update_batch(*, staff: User, batch_id: int, **fields) -> TrainingBatch:
    _require_staff(staff)
    with transaction.atomic():
        batch = TrainingBatch.objects.select_for_update().filter(institution_id=staff.institution_id, pk=batch_id).first()
        if batch is None:
            raise MoveForbidden(_("This batch does not belong to your institution."))
        has_enrolments = batch.enrolments.exists()
        for key, value in fields.items():
            if key not in BATCH_FIELDS:
                continue
            if key in ("track", "level") and has_enrolments and value != getattr(batch, key):
                raise RuleNotMet(_("Track and level cannot change once the batch has enrolments."))
            setattr(batch, key, value)
        _validated(batch)
        batch.save()
        return batch


def enrol_trainee(*, staff: User, trainee_id: int, batch_id: int) -> Enrolment:
    """Create a draft enrolment of one of the institution's trainees in one of its batches."""
    _require_staff(staff)
    with transaction.atomic():
        batch = TrainingBatch.objects.select_for_update().filter(pk=batch_id, institution_id=staff.institution_id).first()
        trainee = Trainee.objects.filter(pk=trainee_id, institution_id=staff.institution_id).first()
        if batch is None or trainee is None:
            raise MoveForbidden(_("Both the trainee and the batch must belong to your institution."))
        if not batch.track.is_active:
            raise RuleNotMet(_("This track is closed for enrolment."))
        # Every enrolment but a withdrawn one holds its place: a rejected one may be resubmitted,
        # and the batch page counts places the same way (selectors.batches_visible_to).
        taken = batch.enrolments.exclude(status=EnrolmentStatus.WITHDRAWN).count()
        if taken >= batch.capacity:
            raise RuleNotMet(_("The batch is full (%(capacity)s places).") % {"capacity": batch.capacity})
        active = Enrolment.objects.filter(trainee=trainee, track=batch.track, status__in=ACTIVE_STATUSES).exists()
        if active or _has_open_resit(trainee, batch):
            raise InvalidInput(_("%(name)s already has an active enrolment in this track.") % {"name": trainee.name})
        try:
            with transaction.atomic():
                return Enrolment.objects.create(trainee=trainee, batch=batch, track=batch.track, created_by=staff)
        except IntegrityError as error:
            raise InvalidInput(_("%(name)s already has an active enrolment in this track.") % {"name": trainee.name}) from error


def _has_open_resit(trainee: Trainee, batch: TrainingBatch) -> bool:
    from workflows.rules import resit_closed_reason

    failed = Enrolment.objects.filter(trainee=trainee, track=batch.track, status=EnrolmentStatus.FAILED)
    return any(not resit_closed_reason(enrolment) for enrolment in failed)


def delete_draft_enrolment(*, staff: User, enrolment_id: int) -> None:
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().filter(pk=enrolment_id).select_related("batch").first()
        if enrolment is None or not permissions.can_manage_enrolment(staff, enrolment):
            raise MoveForbidden(_("This enrolment is not your institution's."))
        if enrolment.status != EnrolmentStatus.DRAFT or enrolment.state_logs.exists():
            raise RuleNotMet(_("Only a draft that was never submitted can be deleted; withdraw it instead."))
        enrolment.delete()


def record_module_completion(
    *, staff: User, enrolment_id: int, module_id: int, hours: Decimal, score: Decimal | None = None, evidence=None
) -> ModuleCompletion:
    """Record (or correct) one module's hours and score while the trainee is in training."""
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update(of=("self",)).select_related("batch").filter(pk=enrolment_id).first()
        if enrolment is None or not permissions.can_manage_enrolment(staff, enrolment):
            raise MoveForbidden(_("This enrolment is not your institution's."))
        if enrolment.status not in (EnrolmentStatus.ENROLLED, EnrolmentStatus.TRAINED):
            raise RuleNotMet(_("Module completions are recorded after approval and before results are submitted."))
        module = Module.objects.filter(pk=module_id, track_id=enrolment.track_id).first()
        if module is None:
            raise InvalidInput(_("This module is not part of the enrolment's track."))
        completion, _created = ModuleCompletion.objects.get_or_create(
            enrolment=enrolment, module=module, defaults={"hours": hours, "recorded_by": staff}
        )
        completion.hours, completion.score, completion.recorded_by = hours, score, staff
        if evidence is not None:
            completion.evidence = _checked_evidence(evidence)
        _validated(completion, exclude=["enrolment", "module"])
        completion.save()
        return completion


def record_scores(
    *, staff: User, enrolment_id: int, theory_score: Decimal | None, practical_score: Decimal | None,
    exam_date: date | None = None,
) -> AssessmentAttempt:
    """Enter or correct the current attempt's scores while the enrolment is trained (not yet submitted)."""
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update(of=("self",)).select_related("batch", "track").filter(pk=enrolment_id).first()
        if enrolment is None or not permissions.can_manage_enrolment(staff, enrolment):
            raise MoveForbidden(_("This enrolment is not your institution's."))
        if enrolment.status != EnrolmentStatus.TRAINED:
            raise RuleNotMet(_("Scores are entered once training is complete and before results are submitted."))
        attempt = enrolment.current_attempt
        if attempt is None:
            attempt = AssessmentAttempt(enrolment=enrolment, number=1)
        if not attempt.theory_carried_over:
            attempt.theory_score = theory_score
        if not attempt.practical_carried_over:
            attempt.practical_score = practical_score
        attempt.exam_date = exam_date
        attempt.submitted_by = staff
        attempt.submitted_at = timezone.now()
        _validated(attempt, exclude=["enrolment"])
        attempt.save()
        return attempt


def _checked_evidence(upload):
    """The upload, checked by content and renamed to a random name (the uploaded name is not trusted)."""
    from workflows.evidence import ALL_KINDS, random_name, validate_evidence_upload

    try:
        found = validate_evidence_upload(upload, kinds=ALL_KINDS)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages)) from error
    upload.name = random_name(found)
    return upload
