"""Builders for test data. Moves go through the real services, never raw status writes."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from certification import registration, services
from certification import services as lifecycle
from certification.identity import birth_date_of_resident_id, resident_id_check_character
from certification.models import (
    EvidenceFile,
    EvidenceKind,
    IdType,
    Institution,
    InstitutionStatus,
    Role,
    Track,
    TrackQuota,
    Trainee,
    TrainingBatch,
    User,
)
from workflows.assessment import services as assessment

_serial = itertools.count(1)


def ensure_catalogue() -> None:
    """The track catalogue and groups seeded by migration 0002, put back if a transactional test's
    flush took them (the flush empties every table, and the migration does not run again)."""
    if not Track.objects.exists():
        from importlib import import_module

        from django.apps import apps

        import_module("certification.migrations.0002_catalogue_and_groups").seed(apps, None)


def resident_id(serial: int | None = None, birth: date = date(1990, 3, 5)) -> str:
    """A valid 18-character resident ID (Hangzhou area code) with a correct check character."""
    serial = next(_serial) if serial is None else serial
    first17 = f"330106{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + resident_id_check_character(first17)


def institution(name="杭州时尚职业培训学校", status=InstitutionStatus.APPROVED, quota=100, year=None) -> Institution:
    number = next(_serial)
    inst = Institution.objects.create(name=f"{name}{number}", org_code=f"91330100MA{number:08d}", status=status)
    for track in Track.objects.all():
        TrackQuota.objects.create(institution=inst, track=track, year=year or timezone.localdate().year, quota=quota)
    return inst


def user(username, role, institution=None, password="demo-pass-2024") -> User:
    person = User(username=username, role=role, institution=institution)
    person.set_password(password)
    person.save()
    return person


def trainee(inst: Institution, name="张晓明", **overrides) -> Trainee:
    fields = {
        "institution": inst,
        "name": name,
        "id_number": resident_id(),
        "gender": "M",
        "birth_date": date(1990, 3, 5),
        "education": "senior",
        "phone": "13800000000",
        "employer": "杭州某服饰有限公司",
        "years_in_trade": 8,
    }
    fields.update(overrides)
    if "birth_date" not in overrides and fields.get("id_type", IdType.RESIDENT_ID) == IdType.RESIDENT_ID:
        # The birth date a resident ID number carries (characters 7 to 14), as Trainee.clean insists.
        fields["birth_date"] = birth_date_of_resident_id(fields["id_number"]) or fields["birth_date"]
    return Trainee.objects.create(**fields)


def batch(inst: Institution, track_code="PM", level=4, capacity=50, start=None) -> TrainingBatch:
    start = start or timezone.localdate()
    return TrainingBatch.objects.create(
        institution=inst,
        track=Track.objects.get(code=track_code),
        level=level,
        name=f"{track_code} {start:%Y}-{next(_serial)}",
        start_date=start,
        end_date=start + timedelta(days=60),
        capacity=capacity,
    )


def draft_enrolment(staff: User, track_code="PM", trainee_obj=None, batch_obj=None):
    inst = staff.institution
    trainee_obj = trainee_obj or trainee(inst)
    batch_obj = batch_obj or batch(inst, track_code)
    return registration.enrol_trainee(staff=staff, trainee_id=trainee_obj.pk, batch_id=batch_obj.pk)


def advance(enrolment, *, staff: User, officer: User, to: str, assessor: User | None = None):
    """Walk an enrolment forward through the real services up to status `to`."""
    order = ["submitted", "enrolled", "trained", "under_review", "passed", "in_publicity", "ready_to_issue"]
    for status in order[: order.index(to) + 1]:
        if status == "submitted":
            services.submit_enrolment(actor=staff, enrolment_id=enrolment.pk)
        elif status == "enrolled":
            services.approve_enrolments(officer=officer, enrolment_ids=[enrolment.pk])
        elif status == "trained":
            complete_all_modules(enrolment, staff)
            services.complete_training(actor=staff, enrolment_id=enrolment.pk)
        elif status == "under_review":
            enter_passing_results(enrolment, staff)
            lifecycle.submit_results(staff=staff, enrolment_id=enrolment.pk)
        elif status == "passed":
            for _ in range(enrolment.track.reviewers_required):
                task = open_review_task(enrolment)
                assessment.decide(assessor=assessor, task_id=task.pk, decision="pass")
                assessor = second_assessor(assessor)
        elif status == "in_publicity":
            services.open_publicity(officer=officer, enrolment_ids=[enrolment.pk])
        elif status == "ready_to_issue":
            services.close_publicity(actor=officer, enrolment_id=enrolment.pk)
    enrolment.refresh_from_db()
    return enrolment


def open_review_task(enrolment):
    """The open review (or second review) task of the enrolment's current attempt."""
    return assessment.open_review_tasks().get(process__assessmentprocess__enrolment=enrolment)


def second_assessor(first: User) -> User:
    """An independent assessor other than `first`, for tracks that need two sign-offs."""
    return User.objects.filter(role=Role.ASSESSOR, institution__isnull=True).exclude(pk=first.pk).first() or user(
        f"second-assessor-{next(_serial)}", Role.ASSESSOR
    )


def complete_all_modules(enrolment, staff):
    for module in enrolment.track.modules.all():
        evidence = SimpleUploadedFile("work.pdf", b"%PDF-1.4 evidence") if module.evidence_required else None
        registration.record_module_completion(
            staff=staff,
            enrolment_id=enrolment.pk,
            module_id=module.pk,
            hours=module.min_hours,
            score=Decimal("80"),
            evidence=evidence,
        )


def enter_passing_results(enrolment, staff, theory=Decimal("75"), practical=Decimal("82")):
    attempt = registration.record_scores(
        staff=staff,
        enrolment_id=enrolment.pk,
        theory_score=theory,
        practical_score=practical,
        exam_date=timezone.localdate(),
    )
    if enrolment.track.requires_3d_evidence:
        EvidenceFile.objects.create(
            attempt=attempt,
            kind=EvidenceKind.MODEL_3D,
            file=SimpleUploadedFile("coat.obj", b"v 0 0 0\n"),
            original_name="coat.obj",
            uploaded_by=staff,
        )
    return attempt


ROLES = Role
