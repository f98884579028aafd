"""Demo data for `manage.py seed_demo` (docs/spec.md §8): trainees in every state and, if asked, a cohort.

Everything moves through the real services, never by writing a status: registration, the
lifecycle moves, the assessment flow (results submitted through certification.services, which starts
an AssessmentFlow process; assessors decide its review tasks, one by one or 100 at a time as the
bulk-approval page does) and the public notice (workflows.publicity: a notice is opened, then
closed by close_due_publicity on the day after its period). Who acts, in which batch, and the
trainees' personal details come from demo.people.

The data is deterministic, so a second run finds what the first made: trainees by ID number, and
every cohort candidate carries on from the status it has.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from certification import evidence, registration, services
from certification.models import Enrolment, EvidenceKind, Track, Trainee, User
from certification.models import EnrolmentStatus as S
from demo import people
from demo.people import PASSWORD, SEED, Cast
from workflows.assessment import services as assessment
from workflows.models import Decision, PublicityEntry, PublicityNotice
from workflows.publicity import services as publicity

APPROVAL_CHUNK = 100  # candidates an assessor approves with one confirmation
TRAINEE_USERNAME = "trainee1"

# Demo trainees: (institution key, [(track, stage), ...]). The first one becomes `trainee1`.
# New ones go at the end: a trainee's place in this list decides who they are.
DEMO_TRAINEES = [
    (1, [("CR", "ready_to_issue"), ("PM", "enrolled_partly")]),
    (1, [("PM", "draft")]),
    (2, [("NM", "draft")]),
    (1, [("NM", "submitted")]),
    (2, [("CR", "submitted")]),
    (1, [("CR", "rejected")]),
    (2, [("PM", "enrolled")]),
    (1, [("NM", "enrolled_partly")]),
    (2, [("CR", "trained")]),
    (1, [("PM", "scored")]),
    (1, [("PM", "under_review")]),
    (2, [("NM", "under_review")]),
    (2, [("CR", "failed")]),  # first attempt failed: a resit can be scheduled
    (1, [("NM", "passed")]),
    (2, [("PM", "in_publicity")]),  # in an open notice, held there by an open objection
    (2, [("CR", "claimed")]),  # under review, in assessor1's inbox
    (1, [("PM", "returned")]),  # returned for correction: the institution has a correction task
]
REJECT_REASON = "从业年限证明材料不全，请补充单位证明后重新提交。"
FAIL_REASON = "理论知识考试成绩未达到合格线。"
RETURN_REASON = "实操考核评分表缺少考评员签字页，请补充扫描件后重新提交。"
OBJECTION = ("匿名群众", "13906571234", "该考生的从业年限与实际不符，其 2019 年前并未从事服装制版工作，请核实。")
COHORT_FIRST_INDEX = 100  # person indexes below this are the demo trainees
NUMERALS = "一二三四五六七八九十"

# A small but real Wavefront .obj: the 3D-model evidence pattern-making results need.
GARMENT_OBJ = b"""# seed_demo: front panel of a coat, 3D garment model
o coat_front_panel
v 0.00 0.00 0.00
v 0.52 0.00 0.02
v 0.55 0.78 0.04
v 0.30 0.92 0.06
v 0.02 0.80 0.03
vn 0.0 0.0 1.0
f 1//1 2//1 3//1
f 1//1 3//1 4//1
f 1//1 4//1 5//1
"""


def notice_title(track: Track) -> str:
    """“2026年第一批时尚工程师认定公示（服装制版）”: a cohort's notices are numbered through the year."""
    year, name = timezone.localdate().year, track.name_zh
    number = (
        1
        + PublicityNotice.objects.filter(
            starts_on__year=year, title__endswith=f"批时尚工程师认定公示（{name}）"
        ).count()
    )
    ordinal = NUMERALS[number - 1] if number <= len(NUMERALS) else str(number)
    return f"{year}年第{ordinal}批时尚工程师认定公示（{name}）"


def supplementary_notice_title(track: Track) -> str:
    """A notice for one or two candidates outside a cohort: “2026年时尚工程师认定增补公示（服装工艺）”."""
    return f"{timezone.localdate().year}年时尚工程师认定增补公示（{track.name_zh}）"


def _reloaded(enrolment_id: int) -> Enrolment:
    return Enrolment.objects.select_related("batch", "track", "trainee").get(pk=enrolment_id)


# --- moving one enrolment forward --------------------------------------------------------------------


def _submit(enrolment, cast):
    return services.submit_enrolment(actor=cast.staff_of(enrolment), enrolment_id=enrolment.pk)


def _approve(enrolment, cast):
    return services.approve_enrolments(officer=cast.officer, enrolment_ids=[enrolment.pk])[0]


def _record_modules(enrolment, cast, modules):
    rng = random.Random(f"{SEED}:modules:{enrolment.trainee.id_number}:{enrolment.track_id}")
    for module in modules:
        proof = ContentFile(GARMENT_OBJ, name="garment-model.obj") if module.evidence_required else None
        registration.record_module_completion(
            staff=cast.staff_of(enrolment),
            enrolment_id=enrolment.pk,
            module_id=module.pk,
            hours=module.min_hours + rng.choice([0, 2, 4, 8]),
            score=Decimal(rng.randint(65, 95)),
            evidence=proof,
        )


def _complete_training(enrolment, cast):
    _record_modules(enrolment, cast, cast.modules(enrolment.track_id))
    return services.complete_training(actor=cast.staff_of(enrolment), enrolment_id=enrolment.pk)


def enter_results(enrolment: Enrolment, cast: Cast, *, passing: bool = True):
    """Scores as the results page enters them and, for pattern-making, the 3D model as an upload."""
    rng = random.Random(f"{SEED}:scores:{enrolment.trainee.id_number}:{enrolment.track_id}")
    staff = cast.staff_of(enrolment)
    theory = rng.randint(62, 96) if passing else rng.randint(40, 58)
    attempt = registration.record_scores(
        staff=staff,
        enrolment_id=enrolment.pk,
        theory_score=Decimal(theory),
        practical_score=Decimal(rng.randint(64, 97)),
        exam_date=timezone.localdate(),
    )
    if enrolment.track.requires_3d_evidence and not attempt.evidence_files.filter(kind=EvidenceKind.MODEL_3D).exists():
        evidence.attach_evidence(
            staff=staff,
            enrolment_id=enrolment.pk,
            kind=EvidenceKind.MODEL_3D,
            upload=ContentFile(GARMENT_OBJ, name="garment-model.obj"),
        )
    return attempt


def _submit_results(enrolment, cast, *, passing=True):
    enter_results(enrolment, cast, passing=passing)
    return services.submit_results(staff=cast.staff_of(enrolment), enrolment_id=enrolment.pk)


def _decide(enrolment, cast, decision=Decision.PASS, reason=""):
    """One assessor decides the enrolment's open review task."""
    review = people.open_reviews([enrolment.pk])[0]
    return assessment.decide(assessor=cast.reviewer(review), task_id=review.task_id, decision=decision, reason=reason)


def _pass(enrolment, cast):
    while enrolment.status == S.UNDER_REVIEW:  # as many sign-offs as the track requires
        enrolment = _decide(enrolment, cast)
    return enrolment


def _open_publicity(enrolment, cast):
    title = supplementary_notice_title(enrolment.track)
    publicity.open_publicity(officer=cast.officer, enrolment_ids=[enrolment.pk], title=title)
    return _reloaded(enrolment.pk)


def _close_publicity(enrolment, cast):
    """The period is over on the day after its last day: close_due_publicity moves the candidate on."""
    publicity.close_due_publicity(today=enrolment.publicity_ends_on + timedelta(days=1))
    return _reloaded(enrolment.pk)


FORWARD = [S.DRAFT, S.SUBMITTED, S.ENROLLED, S.TRAINED, S.UNDER_REVIEW, S.PASSED, S.IN_PUBLICITY, S.READY_TO_ISSUE]
NEXT_STEP = {
    S.DRAFT: _submit,
    S.SUBMITTED: _approve,
    S.ENROLLED: _complete_training,
    S.TRAINED: _submit_results,
    S.UNDER_REVIEW: _pass,
    S.PASSED: _open_publicity,
    S.IN_PUBLICITY: _close_publicity,
}


def advance(enrolment: Enrolment, *, to: str, cast: Cast) -> Enrolment:
    """Walk an enrolment along the happy path, one real service call per move, until it reaches `to`."""
    while FORWARD.index(enrolment.status) < FORWARD.index(to):
        enrolment = NEXT_STEP[enrolment.status](enrolment, cast)
    return enrolment


def _reject(enrolment, cast):
    return services.reject_enrolments(officer=cast.officer, enrolment_ids=[enrolment.pk], reason=REJECT_REASON)[0]


def _record_some_modules(enrolment, cast):
    _record_modules(enrolment, cast, [m for m in cast.modules(enrolment.track_id) if not m.evidence_required][:2])
    return enrolment


def _keep_results_unsubmitted(enrolment, cast):
    enter_results(enrolment, cast)
    return enrolment


def _fail(enrolment, cast):
    enrolment = _submit_results(enrolment, cast, passing=False)
    return _decide(enrolment, cast, Decision.FAIL, FAIL_REASON)


def _return_for_correction(enrolment, cast):
    return _decide(enrolment, cast, Decision.RETURN, RETURN_REASON)


def _claim(enrolment, cast):
    assessment.claim_task(assessor=cast.assessors[0], task_id=people.open_reviews([enrolment.pk])[0].task_id)
    return enrolment


def _object(enrolment, cast):
    """Someone objects: the candidate stays in the open notice until the officer decides."""
    entry = PublicityEntry.objects.get(enrolment=enrolment, notice__closed_at__isnull=True)
    name, contact, text = OBJECTION
    publicity.lodge_objection(entry_id=entry.pk, name=name, contact=contact, text=text)
    return enrolment


# Stages off the happy path: (where the happy path stops, what happens then).
ENDINGS = {
    "rejected": (S.SUBMITTED, _reject),
    "enrolled_partly": (S.ENROLLED, _record_some_modules),
    "scored": (S.TRAINED, _keep_results_unsubmitted),
    "failed": (S.TRAINED, _fail),
    "claimed": (S.UNDER_REVIEW, _claim),
    "returned": (S.UNDER_REVIEW, _return_for_correction),
    "in_publicity": (S.IN_PUBLICITY, _object),
}


# --- the demo trainees ---------------------------------------------------------------------------------


def seed_demo_trainees(cast: Cast) -> int:
    """The hand-picked trainees, each at its stage; returns how many were created this time.

    Each trainee's story is one transaction, so a run that stops half-way leaves whole trainees.
    """
    batches = {}
    created = 0
    for index, (key, stages) in enumerate(DEMO_TRAINEES):
        fields = people.person(index)
        if Trainee.objects.filter(id_number=fields["id_number"]).exists():
            continue
        staff = cast.staff[cast.institutions[key].pk]
        with transaction.atomic():
            photo = people.placeholder_photo(fields["name"])
            trainee = registration.create_trainee(staff=staff, photo=photo, **fields)
            for track_code, stage in stages:
                track = Track.objects.get(code=track_code)
                if (key, track_code) not in batches:
                    batches[key, track_code] = people.ensure_batch(staff, track, people.demo_batch_name(track))
                enrolment = registration.enrol_trainee(
                    staff=staff, trainee_id=trainee.pk, batch_id=batches[key, track_code].pk
                )
                base, ending = ENDINGS.get(stage, (stage, None))
                enrolment = advance(enrolment, to=base, cast=cast)
                if ending is not None:
                    ending(enrolment, cast)
            if index == 0:
                _make_trainee1(trainee)
        created += 1
    return created


def _make_trainee1(trainee: Trainee) -> None:
    """docs/spec.md §8 lists a `trainee1` login; real trainees log in with their ID number (docs/spec.md §6).

    The account exists because an enrolment was approved (accounts.ensure_trainee_account); the demo
    renames it and gives it the demo password, which only this one demo account gets.
    """
    user = User.objects.get(trainee=trainee)  # set by the approval, on another copy of the trainee
    user.username = TRAINEE_USERNAME
    user.set_password(PASSWORD)
    user.save()


# --- the cohort ----------------------------------------------------------------------------------------


def _quiet(stage: str, done: int, total: int) -> None:
    pass


DONE = {S.READY_TO_ISSUE, S.CERTIFIED, S.REVOKED}


def demo_trainees_done() -> dict[str, int]:
    """{track code: the demo trainees' enrolments ready to issue or certified}: `trainee1`'s
    garment-craft one, unless someone has since moved a demo trainee on in the browser."""
    ids = [people.person(index)["id_number"] for index in range(len(DEMO_TRAINEES))]
    done = Enrolment.objects.filter(trainee__id_number__in=ids, status__in=DONE)
    return dict(done.order_by().values_list("track__code").annotate(n=Count("pk")))


def seed_cohort(total: int, cast: Cast, progress=None) -> dict[str, int]:
    """Bring the first cohort up to `total` people ready to issue or certified, in split_cohort's
    proportions per track; returns counts of what happened.

    The demo trainees already ready to issue or certified count towards their track's share (the
    first cohort is the people certified, `trainee1` among them: `--cohort 885` gives 885
    certificates once issued, 330 + 299 + 256), so the cohort makes only the rest. A demo trainee
    who gets there later (moved on in the browser) counts at the next run, whose top-up is one
    smaller; candidates already made are never undone.

    The work goes in the office's rhythm, one step for everybody before the next: register and
    submit, eligibility approved a batch at a time, training and results per candidate, then the
    assessors' bulk approvals and one public notice per track. Each step picks up the candidates
    by their status, so a run that stopped half-way resumes where it stopped.
    """
    progress = progress or _quiet
    counted = demo_trainees_done()
    sizes = people.cohort_sizes(total, counted=counted)
    moving, counts = register_cohort(total, sizes, cast, progress)
    shares = people.split_cohort(total)
    counts["demo_counted"] = sum(min(counted.get(code, 0), share) for code, share in shares.items())
    counts["candidates"] = sum(sizes.values())
    approve_eligibility(moving, cast)
    bring_to(S.UNDER_REVIEW, moving, cast, progress)
    review_all(moving, cast, progress)
    publicise_all(moving, cast)
    ready = Enrolment.objects.filter(pk__in=moving, status=S.READY_TO_ISSUE).count()
    progress("ready to issue", ready, len(moving))
    counts["made_ready"] = ready
    return counts


def register_cohort(total: int, sizes: dict[str, int], cast: Cast, progress) -> tuple[list[int], dict[str, int]]:
    """Register (or find) every candidate and submit the drafts; returns the enrolments still to move."""
    candidates = people.cohort_candidates(sizes)
    needed = max(people.split_cohort(total).values(), default=0)  # as if one institution took a whole track
    for institution in cast.institutions.values():
        if institution.is_approved:
            at_least = max(people.YEARLY_QUOTA, needed + len(DEMO_TRAINEES))
            people.ensure_quotas(cast.officer, institution, at_least=at_least)
    details = {position: people.person(COHORT_FIRST_INDEX + position) for position, *_ in candidates}
    ids = [fields["id_number"] for fields in details.values()]
    trainees = {trainee.id_number: trainee for trainee in Trainee.objects.filter(id_number__in=ids)}
    latest = {}  # (trainee id, track id) -> the newest enrolment
    for enrolment in Enrolment.objects.filter(trainee__in=trainees.values()).order_by("pk"):
        latest[enrolment.trainee_id, enrolment.track_id] = enrolment
    batches, moving, counts = people.BatchesWithRoom(), [], {"already_ready": 0, "registered": 0, "left_as_is": 0}

    for done, (position, track, key) in enumerate(candidates, start=1):
        fields, staff = details[position], cast.staff[cast.institutions[key].pk]
        trainee = trainees.get(fields["id_number"])
        enrolment = latest.get((trainee.pk, track.pk)) if trainee else None
        if enrolment is not None and enrolment.status in DONE:
            counts["already_ready"] += 1
            continue
        if enrolment is not None and enrolment.status not in FORWARD + [S.REJECTED]:
            counts["left_as_is"] += 1  # withdrawn, failed or disqualified in the demo: not ours to redo
            continue
        with transaction.atomic():
            if trainee is None:
                photo = people.placeholder_photo(fields["name"])
                trainee = registration.create_trainee(staff=staff, photo=photo, **fields)
                counts["registered"] += 1
            if enrolment is None:
                batch = batches.place_in(staff, track)
                enrolment = registration.enrol_trainee(staff=staff, trainee_id=trainee.pk, batch_id=batch.pk)
            if enrolment.status == S.REJECTED:
                enrolment = services.resubmit_enrolment(actor=staff, enrolment_id=enrolment.pk)
            elif enrolment.status == S.DRAFT:
                enrolment = _submit(enrolment, cast)
        moving.append(enrolment.pk)
        if done % 100 == 0 or done == len(candidates):
            progress("registered", done, len(candidates))
    return moving, counts


def approve_eligibility(enrolment_ids: list[int], cast: Cast) -> None:
    """The office approves the submitted ones a whole batch at a time, as it does in the office."""
    by_batch = {}
    submitted = Enrolment.objects.filter(pk__in=enrolment_ids, status=S.SUBMITTED)
    for batch_id, pk in submitted.values_list("batch_id", "pk"):
        by_batch.setdefault(batch_id, []).append(pk)
    for pks in by_batch.values():
        services.approve_enrolments(officer=cast.officer, enrolment_ids=pks)


def bring_to(status: str, enrolment_ids: list[int], cast: Cast, progress=_quiet) -> None:
    """Training and results up to `status`; each candidate's in one transaction, as the institution
    enters them."""
    before = FORWARD[FORWARD.index(S.ENROLLED) : FORWARD.index(status)]
    enrolments = list(
        Enrolment.objects.select_related("batch", "track", "trainee")
        .filter(pk__in=enrolment_ids, status__in=before)
        .order_by("pk")
    )
    for done, enrolment in enumerate(enrolments, start=1):
        with transaction.atomic():
            advance(enrolment, to=status, cast=cast)
        if done % 100 == 0 or done == len(enrolments):
            progress(str(S(status).label), done, len(enrolments))


def review_all(enrolment_ids: list[int], cast: Cast, progress) -> None:
    """The assessors pass every open review task, 100 candidates at a time with one confirmation,
    as on the bulk-approval page. A track that needs two sign-offs comes round again: its second
    reviews go to the other assessor.
    """
    while reviews := people.open_reviews(enrolment_ids):
        by_reviewer = {}
        for review in reviews:
            by_reviewer.setdefault(cast.reviewer(review), []).append(review.task_id)
        done = 0
        for reviewer, task_ids in by_reviewer.items():
            for start in range(0, len(task_ids), APPROVAL_CHUNK):
                chunk = task_ids[start : start + APPROVAL_CHUNK]
                assessment.approve_many(assessor=reviewer, task_ids=chunk)
                done += len(chunk)
                progress("reviewed", done, len(reviews))


def publicise_all(enrolment_ids: list[int], cast: Cast) -> None:
    """One public notice per track for the passed candidates; on the day after the period,
    close_due_publicity moves everybody without an objection to ready_to_issue."""
    by_track = {}
    passed = Enrolment.objects.filter(pk__in=enrolment_ids, status=S.PASSED)
    for track_id, pk in passed.values_list("track_id", "pk"):
        by_track.setdefault(track_id, []).append(pk)
    for track in Track.objects.filter(pk__in=by_track).order_by("pk"):
        publicity.open_publicity(officer=cast.officer, enrolment_ids=by_track[track.pk], title=notice_title(track))
    in_notice = Enrolment.objects.filter(pk__in=enrolment_ids, status=S.IN_PUBLICITY)
    last_day = in_notice.aggregate(last=Max("publicity_ends_on"))["last"]
    if last_day is not None:
        publicity.close_due_publicity(today=last_day + timedelta(days=1))


def seed(*, cohort: int = 0, progress=None) -> dict[str, int]:
    """The whole demo: institutions, users, the demo trainees and, if asked, a cohort of `cohort`."""
    cast = people.ensure_cast()
    counts = {"demo_trainees_created": seed_demo_trainees(cast)}
    if cohort:
        counts.update(seed_cohort(cohort, cast, progress=progress))
    return counts


def enrolment_counts() -> dict[str, dict[str, int]]:
    """{track code: {status: count}} over every enrolment, for the summary."""
    rows = Enrolment.objects.order_by().values("track__code", "status").annotate(n=Count("pk"))
    table = {}
    for row in rows:
        table.setdefault(row["track__code"], {})[row["status"]] = row["n"]
    return table
