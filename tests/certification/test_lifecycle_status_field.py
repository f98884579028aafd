"""No move by editing the status field (docs/spec.md §4): only a lifecycle transition writes it."""

import pytest
from django.core.exceptions import ValidationError

from certification.models import Enrolment, EnrolmentStatus, StateLog

from .. import factories


def status_in_database(enrolment) -> str:
    return Enrolment.objects.values_list("status", flat=True).get(pk=enrolment.pk)


def test_assigning_the_status_and_saving_is_refused(draft_enrolment):
    draft_enrolment.status = EnrolmentStatus.CERTIFIED

    with pytest.raises(ValidationError, match="only through a lifecycle transition"):
        draft_enrolment.save()

    assert status_in_database(draft_enrolment) == EnrolmentStatus.DRAFT


def test_saving_with_update_fields_is_refused_too(draft_enrolment):
    draft_enrolment.status = EnrolmentStatus.CERTIFIED

    with pytest.raises(ValidationError):
        draft_enrolment.save(update_fields=["status"])

    assert status_in_database(draft_enrolment) == EnrolmentStatus.DRAFT


def test_other_fields_still_save(draft_enrolment, inst1_staff):
    draft_enrolment.created_by = None
    draft_enrolment.save()

    draft_enrolment.refresh_from_db()
    assert draft_enrolment.created_by is None and draft_enrolment.status == EnrolmentStatus.DRAFT


def test_a_new_enrolment_cannot_be_created_in_a_later_status(inst1_staff, inst1):
    trainee, batch = factories.trainee(inst1), factories.batch(inst1)

    with pytest.raises(ValidationError):
        Enrolment.objects.create(trainee=trainee, batch=batch, track=batch.track, status=EnrolmentStatus.ENROLLED)

    assert not Enrolment.objects.filter(trainee=trainee).exists()


def test_a_queryset_update_of_the_status_is_refused(draft_enrolment):
    with pytest.raises(ValidationError):
        Enrolment.objects.filter(pk=draft_enrolment.pk).update(status=EnrolmentStatus.CERTIFIED)

    assert status_in_database(draft_enrolment) == EnrolmentStatus.DRAFT


def test_a_related_manager_update_of_the_status_is_refused(draft_enrolment):
    with pytest.raises(ValidationError):
        draft_enrolment.batch.enrolments.update(status=EnrolmentStatus.CERTIFIED)

    assert status_in_database(draft_enrolment) == EnrolmentStatus.DRAFT


def test_a_queryset_update_of_other_fields_works(draft_enrolment):
    Enrolment.objects.filter(pk=draft_enrolment.pk).update(created_by=None)

    assert Enrolment.objects.get(pk=draft_enrolment.pk).created_by is None


def test_bulk_update_of_the_status_is_refused(draft_enrolment):
    draft_enrolment.status = EnrolmentStatus.CERTIFIED

    with pytest.raises(ValidationError):
        Enrolment.objects.bulk_update([draft_enrolment], ["status"])

    assert status_in_database(draft_enrolment) == EnrolmentStatus.DRAFT


def test_a_refused_edit_writes_no_log(draft_enrolment):
    draft_enrolment.status = EnrolmentStatus.SUBMITTED
    with pytest.raises(ValidationError):
        draft_enrolment.save()

    assert not StateLog.objects.filter(enrolment=draft_enrolment).exists()


def test_an_instance_built_with_an_existing_pk_cannot_overwrite_the_status(draft_enrolment):
    forged = Enrolment(
        pk=draft_enrolment.pk,
        trainee=draft_enrolment.trainee,
        batch=draft_enrolment.batch,
        track=draft_enrolment.track,
        created_at=draft_enrolment.created_at,
        status=EnrolmentStatus.CERTIFIED,
    )

    with pytest.raises(ValidationError):
        forged.save(force_update=True)


def test_the_base_manager_cannot_update_the_status_either(draft_enrolment):
    with pytest.raises(ValidationError):
        Enrolment._base_manager.filter(pk=draft_enrolment.pk).update(status=EnrolmentStatus.CERTIFIED)


def test_bulk_create_cannot_start_an_enrolment_past_draft(inst1):
    trainee, batch = factories.trainee(inst1), factories.batch(inst1)

    with pytest.raises(ValidationError):
        Enrolment.objects.bulk_create(
            [Enrolment(trainee=trainee, batch=batch, track=batch.track, status=EnrolmentStatus.CERTIFIED)]
        )
