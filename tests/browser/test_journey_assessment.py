"""Journey B (issue 4), continuing journey A: staff record the training, enter the results with a 3D
model and submit them; an independent assessor passes the candidate; the office opens a public
notice, which shows the masked name; when the period has ended the candidate is ready to issue."""

from datetime import timedelta

import pytest
from django.utils import timezone

from certification.models import Enrolment, EnrolmentStatus
from workflows.publicity import services as publicity

from .. import factories
from . import journeys
from .browsing import obj_model, png_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NAME = "王小红"
NOTICE_TITLE = "2026年第一批时尚工程师公示"


def test_a_candidate_goes_from_enrolment_to_ready_to_issue(visitor, cast, album, tmp_path):
    staff, officer, assessor, public = visitor("inst1"), visitor("officer"), visitor("assessor1"), visitor("public")
    model_3d = obj_model(tmp_path / "coat.obj")

    journeys.log_in(staff, "inst1")
    journeys.register_trainee(staff, name=NAME, id_number=factories.resident_id(), photo=png_photo(tmp_path / "p.png"))
    enrolment_pk = journeys.enrol_and_submit(staff, batch_id=cast["batch"].pk)
    journeys.log_in(officer, "officer")
    journeys.approve(officer, enrolment_pk)

    enrolment = Enrolment.objects.select_related("track").get(pk=enrolment_pk)
    journeys.record_completions(staff, enrolment, evidence=model_3d)
    journeys.complete_training(staff, enrolment_pk)
    journeys.submit_results(staff, enrolment_pk, exam_date=timezone.localdate().isoformat(), model_3d=model_3d)

    journeys.log_in(assessor, "assessor1")
    journeys.review_and_pass(assessor, trainee_name=NAME)
    assert Enrolment.objects.get(pk=enrolment_pk).status == EnrolmentStatus.PASSED

    journeys.open_public_notice(officer, enrolment_pk, title=NOTICE_TITLE)
    journeys.public_notice_shows(public, title=NOTICE_TITLE, trainee_name=NAME)

    # The browser cannot wait out five working days: the periodic service runs as if they had passed.
    ends_on = Enrolment.objects.get(pk=enrolment_pk).publicity_ends_on
    assert publicity.close_due_publicity(today=ends_on + timedelta(days=1)) == 1

    assert Enrolment.objects.get(pk=enrolment_pk).status == EnrolmentStatus.READY_TO_ISSUE
    page = officer.open("/enrolments/?status=ready_to_issue")
    row = page.locator(f"main table.table tbody tr:has(a[href='/enrolments/{enrolment_pk}/'])")
    assert row.locator(".badge.badge-ready_to_issue").is_visible()
    officer.shoot("ready-to-issue")
    assert not album.errors, "\n".join(album.errors)


def test_the_enrolment_page_shows_a_move_made_by_the_system(visitor, cast):
    enrolment = factories.advance(
        factories.draft_enrolment(cast["staff"], "NM"),
        staff=cast["staff"],
        officer=cast["officer"],
        assessor=cast["assessor"],
        to="passed",
    )
    publicity.open_publicity(officer=cast["officer"], enrolment_ids=[enrolment.pk], title=NOTICE_TITLE)
    enrolment.refresh_from_db()
    publicity.close_due_publicity(today=enrolment.publicity_ends_on + timedelta(days=1))  # no actor: the task
    officer = visitor("officer")
    officer.log_in("officer")

    officer.open(f"/enrolments/{enrolment.pk}/")

    assert journeys.status_badge(officer, "ready_to_issue").is_visible()
