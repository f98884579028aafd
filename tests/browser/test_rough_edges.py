"""Issue 15 items 6 to 10, as each role sees them in the browser: forms that keep what was typed and
say what was saved, the officer's bulk and print tools, the assessor's conflicts and claims, the
printable 公示 with receipts, and the demo's early close of a 公示."""

import pytest
from django.utils import timezone
from viewflow.workflow.models import Task

from certification.models import ConflictDeclaration, EnrolmentStatus, Role, StateLog
from certification.photos import make_placeholder_photo
from workflows.models import Objection
from workflows.publicity import office
from workflows.publicity import services as publicity

from .. import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def candidate(cast, to: str, *, name="李雪梅", track="PM"):
    trainee = factories.trainee(cast["inst1"], name=name)
    trainee.photo.save("photo.png", make_placeholder_photo(name), save=True)
    enrolment = factories.draft_enrolment(cast["staff"], track, trainee_obj=trainee, batch_obj=None)
    return factories.advance(enrolment, staff=cast["staff"], officer=cast["officer"], assessor=cast["assessor"], to=to)


def test_staff_forms_keep_the_exam_date_and_say_what_was_saved(visitor, cast, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    enrolment = candidate(cast, "trained")
    staff = visitor("inst1")
    staff.log_in("inst1")
    page = staff.open(f"/assessment/enrolments/{enrolment.pk}/results/")
    day = timezone.localdate().isoformat()
    page.fill("#id_theory_score", "78")
    page.fill("#id_practical_score", "84")
    page.fill("#id_exam_date", day)
    staff.submit("form:has(input[name=action][value=scores]) button[type=submit]")
    assert page.locator(".message-success").is_visible()
    page.reload()
    assert page.locator("#id_exam_date").input_value() == day, "the saved exam date comes back in the date box"
    # The 3D model recorded with the module completion is offered instead of a second upload.
    assert page.locator("button[data-reuse]").count() >= 1
    staff.submit("button[data-reuse] >> nth=0")
    assert page.locator("main table.table a[href^='/assessment/evidence/']").count() == 1
    staff.shoot("results-with-reused-model")

    # The withdraw reason box belongs to the withdraw action and opens with it.
    page = staff.open(f"/enrolments/{enrolment.pk}/")
    assert not page.locator("#reason-withdraw").is_visible()
    page.click("details[data-move=withdraw] > summary")
    assert page.locator("#reason-withdraw").is_visible()
    staff.shoot("withdraw-opened")

    # The batch picker shows places taken and leaves a full batch out.
    full = factories.batch(cast["inst1"], "CR", capacity=1)
    factories.draft_enrolment(cast["staff"], "CR", batch_obj=full)
    newcomer = factories.trainee(cast["inst1"], name="王芳")
    page = staff.open(f"/institution/trainees/{newcomer.pk}/")
    options = page.locator("#id_batch option").all_inner_texts()
    assert any(text.endswith("/50") for text in options) and not any(full.name in text for text in options)


def test_the_officer_assigns_in_bulk_prints_and_sees_objections(visitor, cast, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    waiting = [candidate(cast, "under_review", name=name, track="CR") for name in ("赵一", "钱二")]
    submitted = candidate(cast, "submitted", name="孙三", track="NM")
    in_notice = candidate(cast, "passed", name="周四", track="CR")
    notice = publicity.open_publicity(officer=cast["officer"], enrolment_ids=[in_notice.pk], title="公示一")
    publicity.lodge_objection(entry_id=notice.entries.get().pk, name="李四", contact="13900000000", text="不实")
    assessor2 = factories.user("assessor2", Role.ASSESSOR)
    officer = visitor("officer")
    officer.log_in("officer")
    assert officer.page.locator("#open-objections").is_visible()
    assert officer.page.locator("section[aria-labelledby=open-objections] li a", has_text="周四").count() == 1

    page = officer.open("/officer/approvals/")
    assert page.locator(f"tr:has(#enrolment-{submitted.pk}) td.eligibility img.id-photo").is_visible()
    assert page.locator("[data-eligibility]").first.is_visible()

    page = officer.open("/assessment/queue/")
    for enrolment in waiting:
        task = factories.open_review_task(enrolment)
        page.check(f"#task-{task.pk}")
    page.select_option("#id_assessor", str(assessor2.pk))
    officer.shoot("bulk-assign")
    officer.submit("form:has(#id_assessor) button[type=submit]")
    assert page.locator(".message-success").is_visible()
    assert set(
        Task.objects.filter(owner=assessor2).values_list("process__assessmentprocess__enrolment", flat=True)
    ) >= {e.pk for e in waiting}


def test_the_assessor_declares_a_conflict_and_sees_the_photo(visitor, cast, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    enrolment = candidate(cast, "under_review", track="CR")
    task = factories.open_review_task(enrolment)
    assessor = visitor("assessor1")
    assessor.log_in("assessor1")
    page = assessor.open(f"/assessment/tasks/{task.pk}/")
    photo = page.locator("img.id-photo")
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", photo.element_handle())
    assert page.locator("[data-claims-on-decide]").is_visible()
    page.click("#declare-conflict > summary")
    page.select_option("#declare-conflict select[name=kind]", "relative")
    assessor.shoot("declare-conflict")
    assessor.submit("#declare-conflict button[type=submit]")
    assert assessor.path() == "/assessment/conflicts/"
    assert page.locator("tr[data-declaration]", has_text=enrolment.trainee.name).count() == 1
    assert ConflictDeclaration.objects.filter(assessor=cast["assessor"]).count() == 1
    assessor.submit("tr[data-declaration] button[type=submit]")
    assert not ConflictDeclaration.objects.exists()
    assessor.shoot("conflict-withdrawn")


def test_the_public_notice_prints_and_gives_a_receipt(visitor, cast):
    enrolment = candidate(cast, "passed", track="CR")
    office.update_office_contact(officer=cast["officer"], name="某区人社局职业能力建设科", phone="0571-88888888")
    notice = publicity.open_publicity(officer=cast["officer"], enrolment_ids=[enrolment.pk], title="公示二")
    public = visitor("public")
    page = public.open(f"/publicity/{notice.pk}/")
    assert page.locator(".office-contact", has_text="0571-88888888").is_visible()
    page = public.open(f"/publicity/{notice.pk}/print/")
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible() and page.locator(".notice-print h1").is_visible()
    public.shoot("printable-notice")
    page.emulate_media(media="screen")
    entry = notice.entries.get()
    page = public.open(f"/publicity/{notice.pk}/candidates/{entry.pk}/objection/")
    page.fill("#id_name", "李四")
    page.fill("#id_contact", "139")
    page.fill("#id_text", "该考生实操作品非本人完成。")
    public.submit("main form.form button[type=submit]")
    assert page.locator("#id_contact_error").is_visible() and not Objection.objects.exists()
    page.fill("#id_contact", "139 0000 0000")
    public.submit("main form.form button[type=submit]")
    receipt = Objection.objects.get().receipt_number
    assert page.locator(".message-success", has_text=receipt).is_visible()
    public.shoot("objection-receipt")


def test_with_debug_on_a_demo_notice_closes_early(visitor, cast, settings):
    settings.DEBUG = True
    enrolment = candidate(cast, "passed", track="CR")
    notice = publicity.open_publicity(officer=cast["officer"], enrolment_ids=[enrolment.pk], title="演示公示")
    officer = visitor("officer")
    officer.log_in("officer")
    page = officer.open(f"/officer/publicity/notices/{notice.pk}/")
    page.click("#close-early > summary")
    page.fill("#close-early-reason", "给新同事演示")
    officer.submit("#close-early button[type=submit]")
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.READY_TO_ISSUE
    assert "给新同事演示" in StateLog.objects.get(enrolment=enrolment, transition="close_publicity").reason
    settings.DEBUG = False
    page = officer.open(f"/officer/publicity/notices/{notice.pk}/")
    assert page.locator("#close-early").count() == 0
