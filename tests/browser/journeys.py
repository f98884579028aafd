"""Steps of the browser journeys, each as one person would take it. The tests chain them.

Elements are found by id, name, CSS class and data attributes, not by translated text, so that the
journeys survive the Chinese translation. Names of people are data, and are matched as such.
"""

import re

from .browsing import Visitor, stylesheet_applied


def log_in(person: Visitor, username: str):
    page = person.open("/accounts/login/")
    assert stylesheet_applied(page), "app.css is not applied on the login page"
    person.shoot("login-form")
    person.log_in(username)
    assert stylesheet_applied(page), "app.css is not applied on the dashboard"
    person.shoot("dashboard")
    return page


def status_badge(person: Visitor, status: str):
    """The status badge in the page header (includes/status_badge.html)."""
    return person.page.locator(f".page-header .badge.badge-{status}")


def enrolment_id(person: Visitor) -> int:
    found = re.fullmatch(r"/enrolments/(\d+)/", person.path())
    assert found, f"expected an enrolment page, got {person.path()}"
    return int(found[1])


# Journey A: institution staff register and enrol a trainee; the office approves -----------------


def register_trainee(staff: Visitor, *, name: str, id_number: str, photo: str) -> int:
    page = staff.open("/institution/trainees/new/")
    page.fill("#id_name", name)
    page.select_option("#id_id_type", "resident_id")
    page.fill("#id_id_number", id_number)
    page.select_option("#id_gender", "F")
    page.fill("#id_birth_date", "1990-03-05")
    page.select_option("#id_education", "senior")
    page.fill("#id_phone", "13800000000")
    page.fill("#id_employer", "杭州某服饰有限公司")
    page.fill("#id_years_in_trade", "8")
    page.set_input_files("#id_photo", photo)
    staff.shoot("trainee-form")
    staff.submit("main form.form button[type=submit]")

    found = re.fullmatch(r"/institution/trainees/(\d+)/", staff.path())
    assert found, f"the trainee was not registered: {staff.path()}\n{page.locator('main').inner_text()}"
    photo_shown = page.locator("img.id-photo")
    photo_shown.wait_for()
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", photo_shown.element_handle())
    staff.shoot("trainee-registered")
    return int(found[1])


def enrol_and_submit(staff: Visitor, *, batch_id: int) -> int:
    """On the trainee's page: enrol in the batch as a draft, then submit it for approval."""
    page = staff.page
    page.select_option("#id_batch", str(batch_id))
    staff.submit("form[action$='/enrol/'] button[type=submit]")
    enrolment = enrolment_id(staff)
    assert status_badge(staff, "draft").is_visible()
    staff.shoot("enrolment-draft")

    staff.submit("form[action$='/move/submit/'] button[type=submit]")
    assert enrolment_id(staff) == enrolment
    assert status_badge(staff, "submitted").is_visible()
    staff.shoot("enrolment-submitted")
    return enrolment


def approve(officer: Visitor, enrolment: int):
    page = officer.open("/officer/approvals/")
    page.check(f"#enrolment-{enrolment}")
    officer.shoot("approvals")
    officer.submit("button[name=action][value=approve]")
    officer.open(f"/enrolments/{enrolment}/")
    assert status_badge(officer, "enrolled").is_visible()
    officer.shoot("enrolment-enrolled")


# Journey B: training, results, review, public notice --------------------------------------------


def record_completions(staff: Visitor, enrolment, *, evidence: str):
    """Every module of the track at its minimum hours, evidence where the module asks for it."""
    page = staff.open(f"/enrolments/{enrolment.pk}/completions/")
    for module in enrolment.track.modules.all():
        page.fill(f"#id_hours_{module.pk}", str(module.min_hours))
        page.fill(f"#id_score_{module.pk}", "85")
        if module.evidence_required:
            page.set_input_files(f"#id_evidence_{module.pk}", evidence)
    staff.shoot("completions")
    staff.submit("main form.form button[type=submit]")
    assert enrolment_id(staff) == enrolment.pk, page.locator("main").inner_text()


def complete_training(staff: Visitor, enrolment_pk: int):
    staff.submit("form[action$='/move/complete_training/'] button[type=submit]")
    assert status_badge(staff, "trained").is_visible(), staff.page.locator("main").inner_text()
    staff.shoot("trained")


def submit_results(staff: Visitor, enrolment_pk: int, *, exam_date: str, model_3d: str):
    page = staff.page
    staff.submit(f"a[href='/assessment/enrolments/{enrolment_pk}/results/']")
    page.fill("#id_theory_score", "78")
    page.fill("#id_practical_score", "84.5")
    page.fill("#id_exam_date", exam_date)
    staff.submit("form:has(input[name=action][value=scores]) button[type=submit]")
    assert staff.path() == f"/assessment/enrolments/{enrolment_pk}/results/"
    assert page.locator("#id_practical_score").input_value() == "84.5"

    page.select_option("#id_kind", "3d_model")
    page.set_input_files("#id_file", model_3d)
    staff.submit("form:has(input[name=action][value=upload]) button[type=submit]")
    assert page.locator("main table.table a[href^='/assessment/evidence/']").count() == 1, page.locator(
        "main"
    ).inner_text()
    staff.shoot("results-entered")

    staff.submit("form:has(input[name=action][value=submit]) button[type=submit]")
    assert enrolment_id(staff) == enrolment_pk
    assert status_badge(staff, "under_review").is_visible()
    staff.shoot("under-review")


def review_and_pass(assessor: Visitor, *, trainee_name: str):
    page = assessor.open("/assessment/queue/")
    row = page.locator("main table.table tbody tr", has_text=trainee_name)
    assert row.count() == 1, page.locator("main").inner_text()
    assessor.shoot("queue")
    assessor.submit("main table.table tbody tr a[href^='/assessment/tasks/']")
    # Scores, module completions and evidence side by side.
    assert page.locator("main a[href^='/assessment/evidence/']").count() == 1
    assert trainee_name in page.locator("main h1").inner_text(), "the review page names the candidate in full"
    page.check("input[name=decision][value=pass]")
    assessor.shoot("review")
    assessor.submit("form[action$='/decide/'] button[type=submit]")
    assert assessor.path() == "/assessment/inbox/"
    assessor.shoot("decided")


def open_public_notice(officer: Visitor, enrolment_pk: int, *, title: str):
    page = officer.open("/officer/publicity/")
    page.check(f"#enrolment-{enrolment_pk}")
    page.fill("#id_title", title)
    officer.shoot("publicity-index")
    officer.submit("form.form:has(#id_title) button[type=submit]")
    assert re.fullmatch(r"/officer/publicity/notices/\d+/", officer.path()), page.locator("main").inner_text()
    officer.shoot("notice-opened")


def public_notice_shows(public: Visitor, *, title: str, trainee_name: str):
    page = public.open("/publicity/")
    public.shoot("public-notices")
    public.submit(f"main table.table a:text-is('{title}')")
    # docs/spec.md §6: the full name, so that people can recognise whom they might object to.
    assert page.locator("main table.table tbody tr", has_text=trainee_name).count() == 1
    public.shoot("public-notice")
