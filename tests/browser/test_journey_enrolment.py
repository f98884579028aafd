"""Journey A (issue 3): institution staff register a trainee with a photo, enrol them in a batch and
submit the enrolment; the certification office approves it."""

import pytest

from certification.models import Enrolment, EnrolmentStatus

from .. import factories
from . import journeys
from .browsing import png_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_staff_enrol_a_new_trainee_and_the_officer_approves(visitor, cast, album, tmp_path):
    staff, officer = visitor("inst1"), visitor("officer")

    journeys.log_in(staff, "inst1")
    journeys.register_trainee(
        staff, name="王小红", id_number=factories.resident_id(), photo=png_photo(tmp_path / "photo.png")
    )
    enrolment = journeys.enrol_and_submit(staff, batch_id=cast["batch"].pk)

    journeys.log_in(officer, "officer")
    journeys.approve(officer, enrolment)

    approved = Enrolment.objects.select_related("trainee").get(pk=enrolment)
    assert approved.status == EnrolmentStatus.ENROLLED
    assert approved.trainee.user is not None  # the trainee's account exists from the approval on
    assert approved.trainee.photo
    assert not album.errors, "\n".join(album.errors)
