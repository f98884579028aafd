"""Institution-side writes: trainees, batches, enrolments, module completions and exam scores.

Each checks that the acting staff member works for the institution that owns the object.
"""

from collections import Counter
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from core.bulk_insert import insert_many
from core.errors import InvalidInput, LifecycleError, MoveForbidden, RuleNotMet
from core.guards import require_institution_staff

from . import history, permissions, selectors
from .identity import normalise_id_number
from .models import (
    AssessmentAttempt,
    Enrolment,
    EnrolmentStatus,
    Module,
    ModuleCompletion,
    TrackQuota,
    Trainee,
    TrainingBatch,
    User,
)
from .models.enrolments import ACTIVE_STATUSES, QUOTA_STATUSES

TRAINEE_FIELDS = (
    "name",
    "id_type",
    "id_number",
    "gender",
    "birth_date",
    "ethnicity",
    "education",
    "phone",
    "employer",
    "years_in_trade",
    "address",
)
BATCH_FIELDS = ("track", "level", "name", "start_date", "end_date", "capacity")


def _validated(instance, exclude=(), **checks):
    try:
        instance.full_clean(exclude=list(exclude), **checks)
    except ValidationError as error:
        raise InvalidInput(
            "; ".join(f"{m}" for messages in error.message_dict.values() for m in messages), fields=error.message_dict
        ) from error
    return instance


def create_trainee(*, staff: User, **fields) -> Trainee:
    return _one(create_trainees(staff=staff, rows=[fields]))


def create_trainees(*, staff: User, rows: Sequence[dict]) -> list[Trainee | LifecycleError]:
    """Register trainees of the staff member's institution, one per row of fields.

    Each row gives the new trainee or why it was refused (and nothing was written for it). The rules
    are checked for all rows in a couple of queries and the trainees inserted together, so that an
    import of thousands of rows costs about what one form does per row; `create_trainee` is this with
    one row.
    """
    institution_id = require_institution_staff(staff)
    trainees = []
    for fields in rows:
        trainee = _new(
            Trainee,
            {k: fields[k] for k in fields if k in TRAINEE_FIELDS + ("photo",)},
            institution_id=institution_id,
        )
        trainee.id_number = normalise_id_number(trainee.id_number)  # before the uniqueness check
        trainees.append(trainee)
    registered = {
        (id_type, id_number): owner
        for id_type, id_number, owner in selectors.trainees_with_ids(
            (t.id_type, t.id_number) for t in trainees
        ).values_list("id_type", "id_number", "institution_id")
    }
    outcomes: list[Trainee | LifecycleError] = []
    for trainee in trainees:
        key = (trainee.id_type, trainee.id_number)
        if key in registered:
            outcomes.append(_already_registered(own=registered[key] == institution_id))
            continue
        try:
            # Uniqueness is what `registered` checked, for all rows in one query.
            _validated(trainee, exclude=["institution"], validate_unique=False, validate_constraints=False)
        except InvalidInput as error:
            outcomes.append(error)
            continue
        registered[key] = institution_id  # a second row with the same ID in this call
        outcomes.append(trainee)
    _insert(
        Trainee,
        outcomes,
        insert=partial(insert_many, Trainee),
        read_back=_read_back_trainees,
        refusal=lambda trainee: InvalidInput(_("A trainee with this ID number is already registered.")),
    )
    return outcomes


def _new(model, values: dict, **more):
    """A new, unsaved instance with these field values (attribute names) and the defaults of the rest.
    Built from positional arguments, which Django takes several times faster than keywords: it
    counts when an import makes thousands."""
    values = {**values, **more}
    return model(*[values[f.attname] if f.attname in values else f.get_default() for f in model._meta.concrete_fields])


def _already_registered(*, own: bool) -> InvalidInput:
    if own:
        return InvalidInput(_("A trainee with this ID number is already registered: open them from the trainee list."))
    return InvalidInput(
        _("This ID number is already registered by another institution; the certification office can move the record.")
    )


def _insert(model, outcomes: list, *, insert, read_back, refusal) -> None:
    """Insert the new objects among `outcomes` together, then give them their primary keys
    (`read_back`). When the database refuses (someone else inserted the same trainee or enrolment
    meanwhile), each is inserted on its own and the ones it refuses become `refusal(obj)` in place."""
    new = [obj for obj in outcomes if isinstance(obj, model)]
    if not new:
        return
    try:
        with transaction.atomic():
            insert(new)
    except IntegrityError:
        pass
    else:
        read_back(new)
        return
    for index, obj in enumerate(outcomes):
        if isinstance(obj, model):
            try:
                with transaction.atomic():
                    insert([obj])
            except IntegrityError:
                outcomes[index] = refusal(obj)
            else:
                read_back([obj])


def _read_back_trainees(trainees: list[Trainee]) -> None:
    pks = {
        (id_type, id_number): pk
        for id_type, id_number, pk in selectors.trainees_with_ids(
            (t.id_type, t.id_number) for t in trainees
        ).values_list("id_type", "id_number", "pk")
    }
    for trainee in trainees:
        trainee.pk = pks[(trainee.id_type, trainee.id_number)]


def _read_back_enrolments(enrolments: list[Enrolment]) -> None:
    # A trainee has at most one draft per track (one active enrolment per trainee and track).
    pks = {
        (trainee_id, track_id): pk
        for trainee_id, track_id, pk in Enrolment.objects.filter(
            trainee__pk__any_of=[e.trainee_id for e in enrolments], status=EnrolmentStatus.DRAFT
        ).values_list("trainee_id", "track_id", "pk")
    }
    for enrolment in enrolments:
        enrolment.pk = pks[(enrolment.trainee_id, enrolment.track_id)]
        enrolment._saved_status = EnrolmentStatus.DRAFT


def _one(outcomes: list):
    """The only outcome of a one-row call: the object, or its refusal raised."""
    outcome = outcomes[0]
    if isinstance(outcome, LifecycleError):
        raise outcome
    return outcome


def update_trainee(*, staff: User, trainee_id: int, **fields) -> Trainee:
    institution_id = require_institution_staff(staff)
    with transaction.atomic():
        trainee = Trainee.objects.select_for_update().filter(institution_id=institution_id, pk=trainee_id).first()
        if trainee is None:
            raise MoveForbidden(_("This trainee is not registered by your institution."))
        identity_locked = trainee.enrolments.exclude(
            status__in=[EnrolmentStatus.DRAFT, EnrolmentStatus.REJECTED]
        ).exists()
        for key, value in fields.items():
            if key not in TRAINEE_FIELDS + ("photo",):
                continue
            if key == "id_number":
                value = normalise_id_number(value)
            if key in ("name", "id_type", "id_number") and identity_locked and value != getattr(trainee, key):
                raise RuleNotMet(
                    _(
                        "Name and ID cannot change once an enrolment is approved; ask the certification office for a correction."
                    )
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
    institution_id = require_institution_staff(staff)
    batch = TrainingBatch(institution_id=institution_id, **{k: v for k, v in fields.items() if k in BATCH_FIELDS})
    _validated(batch)
    batch.save()
    return batch


def update_batch(*, staff: User, batch_id: int, **fields) -> TrainingBatch:
    institution_id = require_institution_staff(staff)
    with transaction.atomic():
        batch = TrainingBatch.objects.select_for_update().filter(institution_id=institution_id, pk=batch_id).first()
        if batch is None:
            raise MoveForbidden(_("This batch does not belong to your institution."))
        has_enrolments = batch.enrolments.exists()
        old_year = batch.year
        for key, value in fields.items():
            if key not in BATCH_FIELDS:
                continue
            if key in ("track", "level") and has_enrolments and value != getattr(batch, key):
                raise RuleNotMet(_("Track and level cannot change once the batch has enrolments."))
            setattr(batch, key, value)
        _validated(batch)
        if has_enrolments:
            _check_batch_holds_its_enrolments(batch, old_year=old_year)
        batch.save()
        return batch


def _check_batch_holds_its_enrolments(batch: TrainingBatch, *, old_year: int) -> None:
    """The edited batch (not saved yet) still has a place for each enrolment it holds and, moved to
    another year, a quota there for its approved enrolments, which count against that year's quota."""
    # Every enrolment but a withdrawn one holds its place, as enrol_trainees counts them.
    held = batch.enrolments.exclude(status=EnrolmentStatus.WITHDRAWN).count()
    if batch.capacity < held:
        raise RuleNotMet(
            _("The capacity cannot be below the %(count)s enrolments the batch already holds.") % {"count": held}
        )
    if batch.year == old_year:
        return
    approved = batch.enrolments.filter(status__in=QUOTA_STATUSES).count()
    if not approved:
        return
    names = {"year": batch.year, "track": batch.track.display_name, "count": approved}
    # Locked as an approval locks it, so that no approval takes the room meanwhile.
    quota = (
        TrackQuota.objects.select_for_update()
        .filter(institution_id=batch.institution_id, track_id=batch.track_id, year=batch.year)
        .first()
    )
    if quota is None:
        raise RuleNotMet(
            _(
                "The batch cannot move to %(year)s: its %(count)s approved enrolments count against a quota, and "
                "your institution has no %(year)s quota for %(track)s (the certification office sets it)."
            )
            % names
        )
    used = selectors.approved_enrolment_count(
        institution_id=batch.institution_id, track_id=batch.track_id, year=batch.year
    )
    if used + approved > quota.quota:
        raise RuleNotMet(
            _(
                "The batch cannot move to %(year)s: its %(count)s approved enrolments would exceed the %(year)s "
                "quota for %(track)s (%(quota)s, of which %(used)s are used)."
            )
            % {**names, "quota": quota.quota, "used": used}
        )


def enrol_trainee(*, staff: User, trainee_id: int, batch_id: int) -> Enrolment:
    """Create a draft enrolment of one of the institution's trainees in one of its batches."""
    return _one(enrol_trainees(staff=staff, requests=[(trainee_id, batch_id)]))


def enrol_trainees(*, staff: User, requests: Sequence[tuple[int, int]]) -> list[Enrolment | LifecycleError]:
    """Draft enrolments for (trainee id, batch id) pairs of the institution: for each pair the
    enrolment or why it was refused (nothing written for it). Checked in a few queries for all pairs,
    in the order given (the last place of a batch goes to the first pair asking for it)."""
    institution_id = require_institution_staff(staff)
    with transaction.atomic():
        # Locked in id order so that two imports into the same batches cannot deadlock.
        batches = {
            batch.pk: batch
            for batch in TrainingBatch.objects.select_for_update(of=("self",))
            .select_related("track")
            .filter(pk__in={b for _, b in requests}, institution_id=institution_id)
            .order_by("pk")
        }
        names = dict(
            Trainee.objects.filter(pk__any_of={t for t, _ in requests}, institution_id=institution_id).values_list(
                "pk", "name"
            )
        )
        # Every enrolment but a withdrawn one holds its place: a rejected one may be resubmitted,
        # and the batch page counts places the same way (selectors.batches_visible_to).
        taken = Counter(
            dict(
                Enrolment.objects.filter(batch_id__in=batches)
                .exclude(status=EnrolmentStatus.WITHDRAWN)
                .values("batch_id")
                .annotate(count=Count("pk"))
                .values_list("batch_id", "count")
            )
        )
        tracks = {batch.track_id for batch in batches.values()}
        active = set(
            Enrolment.objects.filter(
                trainee__pk__any_of=names, track_id__in=tracks, status__in=ACTIVE_STATUSES
            ).values_list("trainee_id", "track_id")
        ) | _open_resits(names, tracks)
        # A trainee certified in the track enrols again to renew: the new certificate, once issued,
        # supersedes the current one (certificates.issuance).
        renewing = set(
            Enrolment.objects.filter(
                trainee__pk__any_of=names, track_id__in=tracks, status=EnrolmentStatus.CERTIFIED
            ).values_list("trainee_id", "track_id")
        )
        outcomes: list[Enrolment | LifecycleError] = []
        now = timezone.now()
        for trainee_id, batch_id in requests:
            batch, name = batches.get(batch_id), names.get(trainee_id)
            if batch is None or name is None:
                outcomes.append(MoveForbidden(_("Both the trainee and the batch must belong to your institution.")))
            elif not batch.track.is_active:
                outcomes.append(RuleNotMet(_("This track is closed for enrolment.")))
            elif taken[batch.pk] >= batch.capacity:
                outcomes.append(
                    RuleNotMet(_("The batch is full (%(capacity)s places).") % {"capacity": batch.capacity})
                )
            elif (trainee_id, batch.track_id) in active:
                outcomes.append(_already_enrolled(name))
            else:
                taken[batch.pk] += 1
                active.add((trainee_id, batch.track_id))
                outcomes.append(
                    _new(
                        Enrolment,
                        {},
                        trainee_id=trainee_id,
                        batch_id=batch.pk,
                        track_id=batch.track_id,
                        created_by_id=staff.pk,
                        status_changed_at=now,
                        is_renewal=(trainee_id, batch.track_id) in renewing,
                    )
                )
        _insert(
            Enrolment,
            outcomes,
            insert=Enrolment.objects.insert_drafts,
            read_back=_read_back_enrolments,
            refusal=lambda enrolment: _already_enrolled(names[enrolment.trainee_id]),
        )
        return outcomes


def _already_enrolled(name: str) -> InvalidInput:
    return InvalidInput(_("%(name)s already has an active enrolment in this track.") % {"name": name})


def _open_resits(trainee_ids, track_ids) -> set[tuple[int, int]]:
    """(trainee, track) pairs with a failed enrolment that may still be resat: no new enrolment then."""
    from certification.rules import resit_closed_reason

    failed = (
        Enrolment.objects.filter(trainee__pk__any_of=trainee_ids, track_id__in=track_ids, status=EnrolmentStatus.FAILED)
        .select_related("track")
        .prefetch_related("attempts")
    )
    return {(e.trainee_id, e.track_id) for e in failed if not resit_closed_reason(e)}


def locked_enrolment_of_staff(staff: User, enrolment_id: int) -> Enrolment:
    """The enrolment, locked until the transaction ends, if it is the staff member's institution's;
    MoveForbidden otherwise (also when it does not exist, so that nothing is confirmed)."""
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("batch", "track")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None or not permissions.can_manage_enrolment(staff, enrolment):
        raise MoveForbidden(_("This enrolment is not your institution's."))
    return enrolment


def delete_draft_enrolment(*, staff: User, enrolment_id: int) -> None:
    with transaction.atomic():
        enrolment = locked_enrolment_of_staff(staff, enrolment_id)
        if enrolment.status != EnrolmentStatus.DRAFT or enrolment.state_logs.exists():
            raise RuleNotMet(_("Only a draft that was never submitted can be deleted; withdraw it instead."))
        enrolment.delete()


def discard_new_registrations(*, staff: User, enrolment_ids: Sequence[int], trainee_ids: Sequence[int]) -> None:
    """Take back draft enrolments and trainees just made in this transaction for a row that was then
    refused (an import keeps nothing of a refused row). Only what nothing else refers to yet goes:
    a draft never submitted, a trainee with no enrolment and no account."""
    institution_id = require_institution_staff(staff)
    if enrolment_ids:
        Enrolment.objects.filter(
            pk__in=enrolment_ids,
            batch__institution_id=institution_id,
            status=EnrolmentStatus.DRAFT,
            state_logs__isnull=True,
        ).delete()
    if trainee_ids:
        Trainee.objects.filter(
            pk__in=trainee_ids, institution_id=institution_id, enrolments__isnull=True, user__isnull=True
        ).delete()


def record_module_completion(
    *,
    staff: User,
    enrolment_id: int,
    module_id: int,
    hours: Decimal,
    score: Decimal | None = None,
    evidence=None,
    reason: str = "",
) -> ModuleCompletion:
    """Record (or correct) one module's hours and score while the trainee is in training; what
    changed goes into the enrolment's score history."""
    with transaction.atomic():
        enrolment = locked_enrolment_of_staff(staff, enrolment_id)
        if enrolment.status not in (EnrolmentStatus.ENROLLED, EnrolmentStatus.TRAINED):
            raise RuleNotMet(_("Module completions are recorded after approval and before results are submitted."))
        module = Module.objects.filter(pk=module_id, track_id=enrolment.track_id).first()
        if module is None:
            raise InvalidInput(_("This module is not part of the enrolment's track."))
        # The enrolment's lock serialises recordings of its modules.
        completion = ModuleCompletion.objects.filter(enrolment=enrolment, module=module).first()
        before = history.values_of(completion, history.COMPLETION_FIELDS)
        if completion is None:
            completion = ModuleCompletion(enrolment=enrolment, module=module)
        completion.hours, completion.score, completion.recorded_by = hours, score, staff
        if evidence is not None:
            completion.evidence = _checked_evidence(evidence)
        _validated(completion, exclude=["enrolment", "module"])
        completion.save()
        history.record_score_changes(
            enrolment=enrolment,
            actor=staff,
            module=module,
            before=before,
            after=history.values_of(completion, history.COMPLETION_FIELDS),
            reason=reason,
        )
        return completion


def record_scores(
    *,
    staff: User,
    enrolment_id: int,
    theory_score: Decimal | None,
    practical_score: Decimal | None,
    exam_date: date | None = None,
    reason: str = "",
) -> AssessmentAttempt:
    """Enter or correct the current attempt's scores while the enrolment is trained (not yet
    submitted); what changed goes into the enrolment's score history."""
    with transaction.atomic():
        enrolment = locked_enrolment_of_staff(staff, enrolment_id)
        if enrolment.status != EnrolmentStatus.TRAINED:
            raise RuleNotMet(_("Scores are entered once training is complete and before results are submitted."))
        attempt = enrolment.current_attempt
        if attempt is None:
            attempt = AssessmentAttempt(enrolment=enrolment, number=1)
        before = history.values_of(attempt, history.ATTEMPT_FIELDS)
        if not attempt.theory_carried_over:
            attempt.theory_score = theory_score
        if not attempt.practical_carried_over:
            attempt.practical_score = practical_score
        attempt.exam_date = exam_date
        attempt.submitted_by = staff
        attempt.submitted_at = timezone.now()
        _validated(attempt, exclude=["enrolment"])
        attempt.save()
        history.record_score_changes(
            enrolment=enrolment,
            actor=staff,
            attempt=attempt,
            before=before,
            after=history.values_of(attempt, history.ATTEMPT_FIELDS),
            reason=reason,
        )
        return attempt


def _checked_evidence(upload):
    """The upload, checked by content and renamed to a random name (the uploaded name is not trusted)."""
    from certification.evidence import ALL_KINDS, random_name, validate_evidence_upload

    try:
        found = validate_evidence_upload(upload, kinds=ALL_KINDS)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages)) from error
    upload.name = random_name(found)
    return upload
