"""Every list page costs the same number of queries with 1 row as with 30 (issue 3).

Pages show 25 rows at a time, so a page that issued one query per row would cost 24 more with 30
rows than with 1: the count, the page and the filters must not grow with the rows.

How: a story is told twice, first with 1 row, then with 30 more (a full page and the start of a second:
a per-row query shows as +24, and the set-up is a seventeenth of the 500 once used). Each step of the story adds rows and
the pages that list them are measured right after it, so that a step's pages see 1 row
the first time and at least 30 the second. Rows are made as the office makes them: plain records
(trainees, batches, institutions, completions, scores) in bulk, every status through the real
services (move_many, approve_enrolments, submit_results, claim_task, approve_many, open_publicity,
lodge_objection, close_due_publicity, issuance). Each story runs once per module, inside a
transaction that is rolled back when it ends, so nothing leaks into other tests.

The assessment story (review, inbox, public notice, certificates) is the slow one; its tests are
`test_assessment_page_...`, so `-k "not assessment_page"` leaves them out.
"""

import itertools
import re
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates import issuance, rendering, signing
from certificates import services as certificates
from certificates.models import IssuanceRun
from certification import services
from certification import services as lifecycle
from certification.models import (
    AssessmentAttempt,
    Enrolment,
    Institution,
    InstitutionStatus,
    ModuleCompletion,
    Role,
    Track,
    TrackQuota,
    Trainee,
    TrainingBatch,
    User,
)
from workflows.assessment import services as assessment
from workflows.models import ObjectionStatus, PublicityNotice
from workflows.publicity import services as publicity

from . import factories

# The stories are told by module fixtures; the mark makes pytest-django set up the test database.
pytestmark = pytest.mark.django_db

ONE, MANY = 1, 30
TRACK = "CR"  # garment craft: no 3D evidence file to upload for each candidate

_serial = itertools.count()


@dataclass
class World:
    """The people, and what the last step made: its batches by kind, its candidates, notice and run."""

    institution: Institution
    officer: User
    staff: User
    assessor: User
    track: Track
    batches: dict[str, TrainingBatch] = field(default_factory=dict)
    candidates: list[int] = field(default_factory=list)
    notice: PublicityNotice | None = None
    run: IssuanceRun | None = None


def _new_world() -> World:
    own = factories.institution("杭州时尚职业培训学校", quota=10 * MANY)
    other = factories.institution("宁波服装技能培训中心")
    return World(
        institution=own,
        officer=factories.user("qc-officer", Role.OFFICER),
        staff=factories.user("qc-staff", Role.INSTITUTION, institution=own),
        # Affiliated with the other institution, so free to assess every candidate of `own`.
        assessor=factories.user("qc-assessor", Role.ASSESSOR, institution=other),
        track=Track.objects.get(code=TRACK),
    )


# Rows ---------------------------------------------------------------------------------------------


def _trainees(world: World, n: int) -> list[Trainee]:
    trainees = []
    for _ in range(n):
        number = next(_serial)
        # A resident ID has 1000 serials a birth day: one day for each thousand trainees.
        birth = date(1970, 1, 1) + timedelta(days=number // 1000)
        trainees.append(
            Trainee(
                institution=world.institution,
                name=f"学员{number:04d}",
                id_number=factories.resident_id(number, birth),
                gender="F",
                birth_date=birth,
                education="senior",
                phone="13800000000",
                employer="杭州某服饰有限公司",
            )
        )
    return Trainee.objects.bulk_create(trainees)


def _drafts(world: World, kind: str, n: int) -> list[int]:
    """n draft enrolments in a new batch of n places (batch pages are measured on the newest)."""
    batch = world.batches[kind] = factories.batch(world.institution, TRACK, capacity=n)
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(trainee=trainee, batch=batch, track_id=batch.track_id, created_by=world.staff)
        for trainee in _trainees(world, n)
    )
    return [enrolment.pk for enrolment in enrolments]


def _submitted(world: World, kind: str, n: int) -> list[int]:
    ids = _drafts(world, kind, n)
    services._move_many(actor=world.staff, enrolment_ids=ids, transition="submit")
    return ids


def _enrolled(world: World, kind: str, n: int) -> list[int]:
    """Approved, so each trainee has an account (certification.accounts.ensure_trainee_account)."""
    ids = _submitted(world, kind, n)
    services.approve_enrolments(officer=world.officer, enrolment_ids=ids)
    return ids


def _under_review(world: World, kind: str, n: int) -> list[int]:
    """Trained, scores entered and results submitted: each has an open review task."""
    ids = _enrolled(world, kind, n)
    modules = list(world.track.modules.filter(is_required=True))
    ModuleCompletion.objects.bulk_create(
        ModuleCompletion(
            enrolment_id=pk, module=module, hours=module.min_hours, score=Decimal("80"), recorded_by=world.staff
        )
        for pk in ids
        for module in modules
    )
    services._move_many(actor=world.staff, enrolment_ids=ids, transition="complete_training")
    AssessmentAttempt.objects.bulk_create(
        AssessmentAttempt(
            enrolment_id=pk,
            number=1,
            exam_date=timezone.localdate(),
            theory_score=Decimal("75"),
            practical_score=Decimal("82"),
            submitted_by=world.staff,
            submitted_at=timezone.now(),
        )
        for pk in ids
    )
    for pk in ids:
        lifecycle.submit_results(staff=world.staff, enrolment_id=pk)
    return ids


def _review_task_ids(enrolment_ids: list[int]) -> list[int]:
    tasks = assessment.open_review_tasks().filter(process__assessmentprocess__enrolment_id__in=enrolment_ids)
    return list(tasks.values_list("pk", flat=True))


def _institutions(n: int) -> None:
    """Vetted institutions with this year's quota in every track, as the office's list shows them."""
    institutions = Institution.objects.bulk_create(
        Institution(name=f"培训机构{number:04d}", org_code=f"92330100QC{number:08d}", status=InstitutionStatus.APPROVED)
        for number in (next(_serial) for _ in range(n))
    )
    TrackQuota.objects.bulk_create(
        TrackQuota(institution=institution, track=track, year=timezone.localdate().year, quota=100)
        for institution in institutions
        for track in Track.objects.all()
    )


def _batches(world: World, n: int) -> None:
    start = timezone.localdate()
    TrainingBatch.objects.bulk_create(
        TrainingBatch(
            institution=world.institution,
            track=world.track,
            name=f"{TRACK} 批次{next(_serial):04d}",
            start_date=start,
            end_date=start + timedelta(days=60),
            capacity=50,
        )
        for _ in range(n)
    )


# The stories: steps that add n rows ---------------------------------------------------------------


def add_office_rows(world: World, n: int) -> None:
    """n of each: institutions, batches, trainees never enrolled, drafts, submitted, enrolled."""
    _institutions(n)
    _batches(world, n)
    _trainees(world, n)
    _drafts(world, "draft", n)
    _submitted(world, "submitted", n)
    _enrolled(world, "enrolled", n)


def put_candidates_under_review(world: World, n: int) -> None:
    world.candidates = _under_review(world, "assessment", n)


def let_the_assessor_claim_them(world: World, n: int) -> None:
    for task_id in _review_task_ids(world.candidates):
        assessment.claim_task(assessor=world.assessor, task_id=task_id)


def let_the_assessor_pass_them(world: World, n: int) -> None:
    assessment.approve_many(assessor=world.assessor, task_ids=_review_task_ids(world.candidates))


def put_them_in_public_notice_with_objections(world: World, n: int) -> None:
    world.notice = publicity.open_publicity(officer=world.officer, enrolment_ids=world.candidates, title="公示")
    for entry in world.notice.entries.all():
        publicity.lodge_objection(entry_id=entry.pk, name="王先生", contact="13900000000", text="培训时长不实。")


def dismiss_the_objections_and_close_the_notice(world: World, n: int) -> None:
    objections = publicity.objections_with(ObjectionStatus.OPEN).filter(entry__notice=world.notice)
    for objection_id in objections.values_list("pk", flat=True):
        publicity.dismiss_objection(officer=world.officer, objection_id=objection_id, reason="经核实，培训时长属实。")
    publicity.close_due_publicity(today=world.notice.ends_on + timedelta(days=1), actor=world.officer)


def issue_their_certificates(world: World, n: int) -> None:
    """What a task worker does with a run (certificates.tasks.issue_items), without WeasyPrint."""
    world.run = certificates.start_issuance(officer=world.officer, enqueue=False)
    item_ids = list(world.run.items.values_list("pk", flat=True))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rendering, "render_certificate", lambda certificate: f"%PDF-1.7 {certificate.number}".encode())
        patch.setattr(signing, "sign_pdf", lambda pdf, *, number: pdf + b"\n%signed")
        issuance.process_items(run_id=world.run.pk, item_ids=item_ids)


# The pages ----------------------------------------------------------------------------------------


def listed(context) -> int:
    """Rows behind a paginated page (all its pages, not only the one shown)."""
    return context["page_obj"].paginator.count


@dataclass(frozen=True)
class Page:
    name: str
    user: str  # "officer", "staff", "assessor" or "anonymous"
    url: Callable[[World], str]
    rows: Callable[[dict], int] = listed


def _at(name: str, query: str = "") -> Callable[[World], str]:
    return lambda world: f"{reverse(name)}?{query}" if query else reverse(name)


def _batch(kind: str) -> Callable[[World], str]:
    return lambda world: reverse("institution:batch_detail", args=[world.batches[kind].pk])


def _notice(name: str) -> Callable[[World], str]:
    return lambda world: reverse(name, kwargs={"notice_id": world.notice.pk})


def _approvals_in_the_newest_batch(world: World) -> str:
    batch = world.batches["submitted"]
    return f"{reverse('officer:approvals')}?q=学员&track={TRACK}&institution={batch.institution_id}&batch={batch.pk}"


def _run(world: World) -> str:
    return reverse("certificates:run", args=[world.run.pk])


def _total(context) -> int:
    return context["total"]


def _batch_rows(context) -> int:
    return len(context["enrolments"])


OFFICE_STORY = [
    (
        add_office_rows,
        [
            Page("dashboard-as-officer", "officer", _at("dashboard"), _total),
            Page("dashboard-as-institution-staff", "staff", _at("dashboard"), _total),
            Page("enrolments-as-officer", "officer", _at("enrolments:list")),
            Page("enrolments-as-institution-staff", "staff", _at("enrolments:list")),
            Page("enrolments-filtered", "officer", _at("enrolments:list", f"q=学员&track={TRACK}&status=submitted")),
            Page("trainees-as-institution-staff", "staff", _at("institution:trainees")),
            Page("trainees-as-officer", "officer", _at("institution:trainees")),
            Page("trainees-filtered", "staff", _at("institution:trainees", "q=学员&account=yes")),
            Page("batches-as-institution-staff", "staff", _at("institution:batches")),
            Page("batches-as-officer", "officer", _at("institution:batches")),
            Page("batch-of-drafts", "staff", _batch("draft"), _batch_rows),
            Page("batch-of-enrolled", "staff", _batch("enrolled"), _batch_rows),
            Page("batch-of-enrolled-as-officer", "officer", _batch("enrolled"), _batch_rows),
            Page("slips", "staff", _at("institution:slips")),
            Page("institutions", "officer", _at("officer:institutions")),
            Page("institutions-filtered", "officer", _at("officer:institutions", "status=approved&q=培训机构")),
            Page("approvals", "officer", _at("officer:approvals")),
            Page("approvals-filtered", "officer", _approvals_in_the_newest_batch),
        ],
    ),
]

ASSESSMENT_STORY = [
    (
        put_candidates_under_review,
        [
            Page("queue-as-assessor", "assessor", _at("assessment:queue")),
            Page("queue-as-officer", "officer", _at("assessment:queue")),
            Page("queue-filtered", "assessor", _at("assessment:queue", f"track={TRACK}&q=杭州")),
            Page("enrolments-under-review-as-assessor", "assessor", _at("enrolments:list", "status=under_review")),
            Page("dashboard-as-assessor", "assessor", _at("dashboard"), lambda context: context["under_review_count"]),
        ],
    ),
    (
        let_the_assessor_claim_them,
        [
            Page("inbox", "assessor", _at("assessment:inbox")),
        ],
    ),
    (
        let_the_assessor_pass_them,
        [
            Page("publicity-passed-candidates", "officer", _at("officer_publicity:index")),
            Page("enrolments-passed-as-officer", "officer", _at("enrolments:list", "status=passed")),
        ],
    ),
    (
        put_them_in_public_notice_with_objections,
        [
            Page("publicity-notice-for-the-office", "officer", _notice("officer_publicity:notice")),
            Page("publicity-notice-for-the-public", "anonymous", _notice("publicity:notice")),
            Page("publicity-open-objections", "officer", _at("officer_publicity:objections")),
        ],
    ),
    (
        dismiss_the_objections_and_close_the_notice,
        [
            Page("publicity-dismissed-objections", "officer", _at("officer_publicity:objections", "status=dismissed")),
            Page(
                "certificates-ready-to-issue",
                "officer",
                _at("certificates:issuance"),
                lambda context: context["ready_total"],
            ),
        ],
    ),
    (
        issue_their_certificates,
        [
            Page("certificates-as-officer", "officer", _at("certificates:list")),
            Page("certificates-as-institution-staff", "staff", _at("certificates:list")),
            Page("certificates-filtered", "officer", _at("certificates:list", f"q=学员&status=valid&track={TRACK}")),
            Page("certificates-of-an-issuance-run", "officer", _run),
            Page("enrolments-in-every-status-as-officer", "officer", _at("enrolments:list")),
            Page("dashboard-with-every-status-as-officer", "officer", _at("dashboard"), _total),
        ],
    ),
]


# Measuring ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    status: int
    rows: int
    queries: list[str]


def _clients(world: World) -> dict[str, Client]:
    clients = {"anonymous": Client()}
    for role in ("officer", "staff", "assessor"):
        clients[role] = Client()
        clients[role].force_login(getattr(world, role))
    return clients


def _visit(client: Client, page: Page, world: World) -> Visit:
    url = page.url(world)
    # Warm-up: what a process loads once (content types, translations, the session) is not the page's cost.
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    rows = page.rows(response.context) if response.status_code == 200 else 0
    return Visit(response.status_code, rows, [query["sql"] for query in captured.captured_queries])


@contextmanager
def _rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def tell_with_1_and_30_rows(story) -> dict[str, tuple[Visit, Visit]]:
    """For each page of the story: (the visit after the step added 1 row, the visit after it added 30)."""
    visits = {ONE: {}, MANY: {}}
    with _rolled_back():
        factories.ensure_catalogue()  # a transactional test on this worker may have flushed it
        world = _new_world()
        clients = _clients(world)
        for n in (ONE, MANY):
            for step, pages in story:
                step(world, n)
                visits[n].update({page.name: _visit(clients[page.user], page, world) for page in pages})
    return {name: (visits[ONE][name], visits[MANY][name]) for name in visits[ONE]}


def _names(story) -> list[str]:
    return [page.name for _step, pages in story for page in pages]


@pytest.fixture(scope="module")
def office_visits(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return tell_with_1_and_30_rows(OFFICE_STORY)


@pytest.fixture(scope="module")
def assessment_visits(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return tell_with_1_and_30_rows(ASSESSMENT_STORY)


def _shape(sql: str) -> str:
    """The query with its values blanked, so that the same query for another row counts as a repeat."""
    return re.sub(r"\b\d+\b", "N", re.sub(r"'[^']*'", "'…'", sql))


def repeated_queries(one: Visit, many: Visit) -> str:
    """The queries that ran a different number of times, for the failure message."""
    before, after = Counter(map(_shape, one.queries)), Counter(map(_shape, many.queries))
    changed = {sql: after[sql] - before[sql] for sql in before.keys() | after.keys() if after[sql] != before[sql]}
    lines = [f"{difference:+d} × {sql}" for sql, difference in sorted(changed.items(), key=lambda item: -item[1])]
    return f"{len(one.queries)} queries with 1 row, {len(many.queries)} with {MANY}; these differ:\n" + "\n".join(lines)


def assert_same_cost(one: Visit, many: Visit) -> None:
    assert (one.status, many.status) == (200, 200)
    # The page really lists the rows: one at first, at least 30 after.
    assert one.rows >= ONE and many.rows >= MANY, (one.rows, many.rows)
    assert len(many.queries) == len(one.queries), repeated_queries(one, many)


# The tests ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", _names(OFFICE_STORY))
def test_office_page_costs_the_same_queries_for_1_and_30_rows(office_visits, page):
    assert_same_cost(*office_visits[page])


@pytest.mark.parametrize("page", _names(ASSESSMENT_STORY))
def test_assessment_page_costs_the_same_queries_for_1_and_30_rows(assessment_visits, page):
    assert_same_cost(*assessment_visits[page])
