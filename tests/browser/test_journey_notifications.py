"""Journey N (issue 14): institution 1 submits results; assessor1's bell counts the waiting review and a
mail reaches them; they return the candidate for correction; institution 1's bell and list show it."""

import pytest
from django.core import mail
from django.utils import timezone

from certification.models import AttemptOutcome, EnrolmentStatus
from notifications import delivery

from .. import factories
from . import journeys
from .browsing import obj_model

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def bell_count(person) -> str:
    person.open("/")
    badge = person.page.locator("header .bell .bell-count")
    return badge.inner_text() if badge.count() else "0"


def test_the_assessor_hears_of_a_review_and_the_institution_of_its_return(visitor, cast, album, tmp_path, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cast["assessor"].email = "assessor1@example.org"
    cast["assessor"].save()
    enrolment = factories.advance(
        factories.draft_enrolment(cast["staff"], "PM", batch_obj=cast["batch"]),
        staff=cast["staff"],
        officer=cast["officer"],
        assessor=cast["assessor"],
        to="trained",
    )
    staff, assessor = visitor("inst1"), visitor("assessor1")
    journeys.log_in(assessor, "assessor1")
    assert bell_count(assessor) == "0"

    journeys.log_in(staff, "inst1")
    staff.open(f"/enrolments/{enrolment.pk}/")
    journeys.submit_results(
        staff, enrolment.pk, exam_date=timezone.localdate().isoformat(), model_3d=obj_model(tmp_path / "coat.obj")
    )

    assert bell_count(assessor) == "1"
    assessor.shoot("bell-rose")
    assert delivery.send_due() == {"sent": 1, "failed": 0}  # what the task worker does
    [message] = mail.outbox
    assert message.to == ["assessor1@example.org"]
    assert enrolment.trainee.name in message.subject

    page = assessor.open("/notifications/")
    assessor.submit("main a[href='/assessment/queue/']")
    assessor.submit("main table.table tbody tr a[href^='/assessment/tasks/']")
    if page.locator("form[action$='/claim/'] button").count():
        assessor.submit("form[action$='/claim/'] button[type=submit]")
    page.check("input[name=decision][value=return]")
    page.fill("textarea[name=reason]", "三维模型文件无法打开，请重新上传")
    assessor.submit("form[action$='/decide/'] button[type=submit]")
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.TRAINED  # back with the institution, to correct and resubmit
    assert enrolment.attempts.get().outcome == AttemptOutcome.RETURNED

    assert bell_count(staff) == "1"
    page = staff.open("/notifications/")
    notice = page.locator("main li, main tr").filter(has_text=enrolment.trainee.name).first
    assert notice.is_visible(), page.locator("main").inner_text()
    assert "三维模型文件无法打开" in page.locator("main").inner_text()
    staff.shoot("returned-notice")
    assert not album.errors, "\n".join(album.errors)
