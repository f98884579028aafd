"""Demo data for `manage.py seed_demo` (SPEC §8): institutions, users, trainees in every state, a cohort.

Everything moves through the real services (vetting, registration, services), never by writing a
status. Three writes have no service to go through yet: the officer's and assessors' accounts
(someone must exist to act first), the attempt's 3D-model EvidenceFile (as the results page does)
and the rename of the first demo trainee's account to `trainee1`.

The data is deterministic, so a second run finds what the first made: users by username,
institutions by organisation code, trainees by ID number. Each trainee's story runs in one
transaction, so a run that stops half-way leaves whole trainees behind and the next run resumes.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from . import registration, selectors, services, vetting
from .identity import resident_id_check_character
from .models import (
    Enrolment,
    EnrolmentStatus as S,
    EvidenceFile,
    EvidenceKind,
    Institution,
    InstitutionStatus,
    Role,
    Track,
    TrackQuota,
    Trainee,
    TrainingBatch,
    User,
)

PASSWORD = "demo-pass-2024"
FIRST_COHORT = {"PM": 330, "CR": 299, "NM": 256}  # SPEC §1: the first cohort, 885 people
BATCH_CAPACITY = 60
YEARLY_QUOTA = 1000
SEED = "fashion-engineer-demo"

# key, name, credit-code prefix (民办非企业单位 registered in the city), organisation-code body, status
INSTITUTIONS = [
    (1, "杭州时尚职业技能培训学校", "52330100", "MJ893452", InstitutionStatus.APPROVED,
     "王丽", "0571-85231746", "浙江省杭州市拱墅区莫干山路 1108 号"),
    (2, "宁波服装产业技能培训中心", "52330200", "MJ762183", InstitutionStatus.APPROVED,
     "徐海波", "0574-87352610", "浙江省宁波市海曙区中山西路 266 号"),
    (3, "温州瓯江服饰技能培训学校", "52330300", "MJ558072", InstitutionStatus.PENDING,
     "潘志远", "0577-88219034", "浙江省温州市鹿城区车站大道 517 号"),
]
OFFICER_NAME = "周敏"
# Independent assessors: affiliated with no institution, so never conflicted with a demo candidate.
ASSESSORS = [("assessor1", "沈建华"), ("assessor2", "林雪梅")]
STAFF = [("inst1", 1, "王丽"), ("inst2", 2, "徐海波")]  # username, institution key, full name
TRAINEE_USERNAME = "trainee1"

# Demo trainees: (institution key, [(track, stage), ...]). The first one becomes `trainee1`.
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
    (2, [("CR", "failed")]),
    (1, [("NM", "passed")]),
    (2, [("PM", "in_publicity")]),
]
REJECT_REASON = "从业年限证明材料不全，请补充单位证明后重新提交。"
FAIL_REASON = "理论知识考试成绩未达到合格线。"
COHORT_FIRST_INDEX = 100  # person indexes below this are the demo trainees

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


# --- splitting a cohort --------------------------------------------------------------------------

def split_cohort(total: int) -> dict[str, int]:
    """Candidates per track in the first cohort's proportions; largest remainders, sums to `total`."""
    whole = sum(FIRST_COHORT.values())
    shares = {code: total * size / whole for code, size in FIRST_COHORT.items()}
    counts = {code: int(share) for code, share in shares.items()}
    by_remainder = sorted(FIRST_COHORT, key=lambda code: shares[code] - counts[code], reverse=True)
    for code in by_remainder[: total - sum(counts.values())]:
        counts[code] += 1
    return counts


# --- people ------------------------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾田董潘袁蔡蒋余叶程魏苏吕丁沈姚卢钟陆汪范金方邵钱俞施应楼"
GIVEN_MALE = ["伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "建华", "志强", "建军", "海波", "国庆", "晓东",
              "文博", "俊杰", "浩然", "立新", "永康", "明辉", "国栋", "宏伟", "鹏飞", "建平"]
GIVEN_FEMALE = ["芳", "娟", "敏", "静", "丽", "艳", "燕", "霞", "秀英", "丽华", "晓燕", "雪梅", "佳怡",
                "欣怡", "雅婷", "春燕", "美玲", "玉兰", "慧敏", "彩霞", "丽娜", "婷婷", "海燕", "金凤"]
AREAS = [  # Zhejiang resident-ID area codes and the address they stand for
    ("330102", "浙江省杭州市上城区"), ("330105", "浙江省杭州市拱墅区"), ("330106", "浙江省杭州市西湖区"),
    ("330108", "浙江省杭州市滨江区"), ("330109", "浙江省杭州市萧山区"), ("330110", "浙江省杭州市余杭区"),
    ("330203", "浙江省宁波市海曙区"), ("330205", "浙江省宁波市江北区"), ("330206", "浙江省宁波市北仑区"),
    ("330212", "浙江省宁波市鄞州区"), ("330302", "浙江省温州市鹿城区"), ("330303", "浙江省温州市龙湾区"),
    ("330304", "浙江省温州市瓯海区"),
]
STREETS = ["解放路", "中山路", "人民路", "建设路", "新华路", "文化路", "学院路", "工业路", "环城北路", "江南大道"]
EMPLOYERS = [
    "杭州江南织造服饰有限公司", "杭州钱塘时装有限公司", "萧山华艺制衣有限公司", "余杭临平针织服饰有限公司",
    "宁波甬江制衣有限公司", "宁波海曙西服有限公司", "宁波北仑衬衫有限公司", "温州鹿城时装有限公司",
    "温州瓯海鞋服有限公司", "湖州织里童装有限公司", "桐乡濮院毛衫有限公司", "绍兴柯桥面料服饰有限公司",
]
EDUCATION = ["primary"] * 1 + ["junior"] * 6 + ["senior"] * 8 + ["junior_college"] * 4 + ["bachelor"] * 1
ETHNICITIES = ["汉族"] * 36 + ["畲族", "回族", "土家族", "苗族"]
PHONE_PREFIXES = ["135", "136", "137", "138", "139", "150", "151", "158", "159", "187", "188", "177", "199"]


def person(index: int) -> dict:
    """The fields of demo person number `index`: the same every run.

    The ID number is unique by construction up to index len(AREAS) × 499: the index picks the area
    code and one of 499 sequence slots (shuffled by a multiplier prime to 499, so that they do not
    read 001, 002, ...); the slot's last digit is odd for men and even for women, as on real cards.
    """
    rng = random.Random(f"{SEED}:{index}")
    male = rng.random() < 0.45
    born = date(1970, 1, 1) + timedelta(days=rng.randrange((date(2002, 12, 31) - date(1970, 1, 1)).days))
    area, place = AREAS[index % len(AREAS)]
    sequence = 2 * ((index // len(AREAS) * 173 + 61) % 499) + (1 if male else 2)
    first17 = f"{area}{born:%Y%m%d}{sequence:03d}"
    age = timezone.localdate().year - born.year
    return {
        "name": rng.choice(SURNAMES) + rng.choice(GIVEN_MALE if male else GIVEN_FEMALE),
        "id_number": first17 + resident_id_check_character(first17),
        "gender": "M" if male else "F",
        "birth_date": born,
        "ethnicity": rng.choice(ETHNICITIES),
        "education": rng.choice(EDUCATION),
        "phone": rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}",
        "employer": rng.choice(EMPLOYERS),
        "years_in_trade": rng.randint(2, max(2, min(30, age - 18))),
        "address": f"{place}{rng.choice(STREETS)}{rng.randint(1, 399)}号",
    }


def placeholder_photo(name: str):
    """A generated 1-inch photo, or None while certification.photos does not exist."""
    surname = name[:1]  # the placeholder shows only the surname: one drawing per surname will do
    content = _placeholder_png(surname)
    return ContentFile(content, name="photo.png") if content else None


@lru_cache(maxsize=None)
def _placeholder_png(surname: str) -> bytes:
    try:
        from .photos import make_placeholder_photo
    except ImportError:
        return b""
    return make_placeholder_photo(surname).read()


# --- institutions and users --------------------------------------------------------------------------

def unified_social_credit_code(prefix8: str, organisation_body8: str) -> str:
    """An 18-character 统一社会信用代码 with both check characters (GB 11714 and GB 32100)."""
    total = sum(int(c, 36) * w for c, w in zip(organisation_body8, (3, 7, 9, 10, 5, 8, 4, 2)))
    check9 = {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))
    first17 = prefix8 + organisation_body8 + check9
    return first17 + vetting.uscc_check_character(first17)


def ensure_login(username: str, role: str, full_name: str) -> User:
    """The officer and the assessors, whom no service creates (someone must exist to act first)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, first_name=full_name)
        user.set_password(PASSWORD)
        user.save()
    return user


def ensure_institution(officer: User, key: int) -> Institution:
    """Registered and vetted by the office through certification.vetting, found again by org code."""
    _, name, prefix, body, status, contact, phone, address = INSTITUTIONS[key - 1]
    org_code = unified_social_credit_code(prefix, body)
    institution = Institution.objects.filter(org_code=org_code).first()
    if institution is None:
        institution = vetting.create_institution(
            officer=officer, name=name, org_code=org_code, contact_name=contact, contact_phone=phone, address=address
        )
        if status == InstitutionStatus.APPROVED:
            institution = vetting.approve_institution(officer=officer, institution_id=institution.pk,
                                                      note="材料齐全，场地与师资核查通过。")
    return institution


def ensure_staff(officer: User, institution: Institution, username: str, full_name: str) -> User:
    staff = User.objects.filter(username=username).first()
    if staff is None:
        staff = vetting.add_staff_account(officer=officer, institution_id=institution.pk, username=username,
                                          name=full_name, email="", password=PASSWORD)
    return staff


def ensure_quotas(officer: User, institution: Institution, *, at_least: int = YEARLY_QUOTA) -> None:
    """This year's quota per track; raised (never lowered) when a large cohort needs more places."""
    year = timezone.localdate().year
    current = dict(TrackQuota.objects.filter(institution=institution, year=year).values_list("track_id", "quota"))
    for track in Track.objects.all():
        if current.get(track.pk, -1) < at_least:
            vetting.set_quota(officer=officer, institution_id=institution.pk, track_id=track.pk, year=year,
                              quota=at_least)


@dataclass
class Cast:
    """Who does what in the demo, and what they keep looking up."""

    officer: User
    assessors: list[User]
    staff: dict[int, User]  # institution id -> staff member
    institutions: dict[int, Institution]  # demo key -> institution
    _modules: dict = field(default_factory=dict)

    def staff_of(self, enrolment: Enrolment) -> User:
        return self.staff[enrolment.batch.institution_id]

    def modules(self, track_id: int) -> list:
        if track_id not in self._modules:
            self._modules[track_id] = list(Track.objects.get(pk=track_id).modules.all())
        return self._modules[track_id]


def ensure_cast() -> Cast:
    officer = ensure_login("officer", Role.OFFICER, OFFICER_NAME)
    institutions = {key: ensure_institution(officer, key) for key, *_ in INSTITUTIONS}
    staff = {}
    for username, key, full_name in STAFF:
        staff[institutions[key].pk] = ensure_staff(officer, institutions[key], username, full_name)
        ensure_quotas(officer, institutions[key])
    return Cast(
        officer=officer,
        assessors=[ensure_login(username, Role.ASSESSOR, full_name) for username, full_name in ASSESSORS],
        staff=staff,
        institutions=institutions,
    )


def training_dates() -> tuple[date, date]:
    """A course that started this year and has finished by now (the quota counts by start year)."""
    today = timezone.localdate()
    start = max(date(today.year, 1, 1), today - timedelta(days=75))
    return start, start + timedelta(days=60)


def ensure_batch(staff: User, track: Track, name: str) -> TrainingBatch:
    batch = TrainingBatch.objects.filter(institution_id=staff.institution_id, track=track, name=name).first()
    if batch is None:
        start, end = training_dates()
        batch = registration.create_batch(
            staff=staff, track=track, level=4, name=name, start_date=start, end_date=end, capacity=BATCH_CAPACITY
        )
    return batch


def demo_batch_name(track: Track) -> str:
    return f"{timezone.localdate().year}年{track.name_zh}四级培训班"


def cohort_batch_name(track: Track, number: int) -> str:
    return f"{timezone.localdate().year}年{track.name_zh}四级认定班第{number}期"


# --- moving an enrolment forward ---------------------------------------------------------------------

def _submit(enrolment, cast):
    return services.submit_enrolment(actor=cast.staff_of(enrolment), enrolment_id=enrolment.pk)


def _approve(enrolment, cast):
    return services.approve_enrolments(officer=cast.officer, enrolment_ids=[enrolment.pk])[0]


def _record_modules(enrolment, cast, modules):
    rng = random.Random(f"{SEED}:modules:{enrolment.trainee.id_number}:{enrolment.track_id}")
    for module in modules:
        evidence = ContentFile(GARMENT_OBJ, name="garment-model.obj") if module.evidence_required else None
        registration.record_module_completion(
            staff=cast.staff_of(enrolment), enrolment_id=enrolment.pk, module_id=module.pk,
            hours=module.min_hours + rng.choice([0, 2, 4, 8]), score=Decimal(rng.randint(65, 95)), evidence=evidence,
        )


def _complete_training(enrolment, cast):
    _record_modules(enrolment, cast, cast.modules(enrolment.track_id))
    return services.complete_training(actor=cast.staff_of(enrolment), enrolment_id=enrolment.pk)


def _enter_scores(enrolment, cast, *, passing=True):
    rng = random.Random(f"{SEED}:scores:{enrolment.trainee.id_number}:{enrolment.track_id}")
    staff = cast.staff_of(enrolment)
    theory = rng.randint(62, 96) if passing else rng.randint(40, 58)
    attempt = registration.record_scores(
        staff=staff, enrolment_id=enrolment.pk, theory_score=Decimal(theory),
        practical_score=Decimal(rng.randint(64, 97)), exam_date=timezone.localdate(),
    )
    if enrolment.track.requires_3d_evidence and not attempt.evidence_files.exists():
        EvidenceFile.objects.create(
            attempt=attempt, kind=EvidenceKind.MODEL_3D, file=ContentFile(GARMENT_OBJ, name="garment-model.obj"),
            original_name="garment-model.obj", size=len(GARMENT_OBJ), uploaded_by=staff,
        )
    return attempt


def _submit_results(enrolment, cast):
    _enter_scores(enrolment, cast)
    return services.move(actor=cast.staff_of(enrolment), enrolment_id=enrolment.pk, transition="submit_results")


def _pass(enrolment, cast):
    assessor = cast.assessors[enrolment.pk % len(cast.assessors)]
    return services.move(actor=assessor, enrolment_id=enrolment.pk, transition="pass")


def _open_publicity(enrolment, cast):
    return services.move(actor=cast.officer, enrolment_id=enrolment.pk, transition="open_publicity")


def _close_publicity(enrolment, cast):
    return services.move(actor=cast.officer, enrolment_id=enrolment.pk, transition="close_publicity")


FORWARD = [S.DRAFT, S.SUBMITTED, S.ENROLLED, S.TRAINED, S.UNDER_REVIEW, S.PASSED, S.IN_PUBLICITY, S.READY_TO_ISSUE]
NEXT_STEP = {
    S.DRAFT: _submit, S.SUBMITTED: _approve, S.ENROLLED: _complete_training, S.TRAINED: _submit_results,
    S.UNDER_REVIEW: _pass, S.PASSED: _open_publicity, S.IN_PUBLICITY: _close_publicity,
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


def _keep_scores_unsubmitted(enrolment, cast):
    _enter_scores(enrolment, cast)
    return enrolment


def _fail(enrolment, cast):
    _enter_scores(enrolment, cast, passing=False)
    enrolment = services.move(actor=cast.staff_of(enrolment), enrolment_id=enrolment.pk, transition="submit_results")
    return services.move(actor=cast.assessors[0], enrolment_id=enrolment.pk, transition="fail", reason=FAIL_REASON)


# Stages off the happy path: (where the happy path stops, what happens then).
ENDINGS = {
    "rejected": (S.SUBMITTED, _reject),
    "enrolled_partly": (S.ENROLLED, _record_some_modules),
    "scored": (S.TRAINED, _keep_scores_unsubmitted),
    "failed": (S.TRAINED, _fail),
}


# --- the demo trainees ---------------------------------------------------------------------------------

def seed_demo_trainees(cast: Cast) -> int:
    """The hand-picked trainees, each at its stage; returns how many were created this time."""
    batches = {}
    created = 0
    for index, (key, stages) in enumerate(DEMO_TRAINEES):
        fields = person(index)
        if Trainee.objects.filter(id_number=fields["id_number"]).exists():
            continue
        staff = cast.staff[cast.institutions[key].pk]
        with transaction.atomic():
            trainee = registration.create_trainee(staff=staff, photo=placeholder_photo(fields["name"]), **fields)
            for track_code, stage in stages:
                track = Track.objects.get(code=track_code)
                if (key, track_code) not in batches:
                    batches[key, track_code] = ensure_batch(staff, track, demo_batch_name(track))
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
    """SPEC §8 lists a `trainee1` login; real trainees log in with their ID number (SPEC §6).

    The account exists because an enrolment was approved (accounts.ensure_trainee_account); the demo
    renames it and gives it the demo password, which only this one demo account gets.
    """
    user = User.objects.get(trainee=trainee)  # set by the approval, on another copy of the trainee
    user.username = TRAINEE_USERNAME
    user.set_password(PASSWORD)
    user.save()


# --- the cohort ----------------------------------------------------------------------------------------

def cohort_candidates(total: int) -> list[tuple[int, Track, int]]:
    """(position, track, institution key) of the first `total` candidates, in cohort order.

    Candidate k of a track always has the same position (and so is the same person), whatever
    `total` is: a second run with a larger N finds the first run's candidates and adds the rest.
    Within a track, candidates alternate between institution 1 and institution 2.
    """
    tracks = {track.code: track for track in Track.objects.filter(code__in=FIRST_COHORT)}
    order = list(FIRST_COHORT)
    return sorted(
        (k * len(order) + order.index(code), tracks[code], 1 + k % 2)
        for code, count in split_cohort(total).items()
        for k in range(count)
    )


class BatchesWithRoom:
    """Cohort batches of 60 per institution and track, opening the next one when one is full."""

    def __init__(self):
        self._open = {}  # (institution id, track id) -> (batch number, batch, places taken)

    def place_in(self, staff: User, track: Track) -> TrainingBatch:
        key = (staff.institution_id, track.pk)
        number, batch, taken = self._open.get(key, (0, None, BATCH_CAPACITY))
        while taken >= BATCH_CAPACITY:
            number += 1
            batch = ensure_batch(staff, track, cohort_batch_name(track, number))
            taken = selectors.batches_visible_to(staff).get(pk=batch.pk).enrolment_count  # as the batch page counts
        self._open[key] = (number, batch, taken + 1)
        return batch


def _quiet(stage: str, done: int, total: int) -> None:
    pass


DONE = {S.READY_TO_ISSUE, S.CERTIFIED, S.REVOKED}


def seed_cohort(total: int, cast: Cast, progress=None) -> dict[str, int]:
    """Bring the cohort up to `total` candidates ready to issue; returns counts of what happened."""
    progress = progress or _quiet
    candidates = cohort_candidates(total)
    needed = max(split_cohort(total).values(), default=0)  # as if one institution took a whole track
    for institution in cast.institutions.values():
        if institution.is_approved:
            ensure_quotas(cast.officer, institution, at_least=max(YEARLY_QUOTA, needed + len(DEMO_TRAINEES)))
    people = {position: person(COHORT_FIRST_INDEX + position) for position, *_ in candidates}
    trainees = {t.id_number: t for t in Trainee.objects.filter(id_number__in=[p["id_number"] for p in people.values()])}
    latest = {}  # (trainee id, track id) -> the newest enrolment
    for enrolment in Enrolment.objects.filter(trainee__in=trainees.values()).order_by("pk"):
        latest[enrolment.trainee_id, enrolment.track_id] = enrolment
    batches, moving, counts = BatchesWithRoom(), [], {"already_ready": 0, "registered": 0, "left_as_is": 0}

    for done, (position, track, key) in enumerate(candidates, start=1):
        fields, staff = people[position], cast.staff[cast.institutions[key].pk]
        trainee = trainees.get(fields["id_number"])
        enrolment = latest.get((trainee.pk, track.pk)) if trainee else None
        if enrolment is not None and enrolment.status in DONE:
            counts["already_ready"] += 1
        elif enrolment is not None and enrolment.status not in FORWARD + [S.REJECTED]:
            counts["left_as_is"] += 1  # withdrawn, failed or disqualified in the demo: not ours to redo
        else:
            with transaction.atomic():
                if trainee is None:
                    photo = placeholder_photo(fields["name"])
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

    # The office approves eligibility a whole batch at a time, as it does in the office.
    waiting = Enrolment.objects.filter(pk__in=moving, status=S.SUBMITTED).values_list("batch_id", "pk")
    by_batch = {}
    for batch_id, pk in waiting:
        by_batch.setdefault(batch_id, []).append(pk)
    for pks in by_batch.values():
        services.approve_enrolments(officer=cast.officer, enrolment_ids=pks)

    enrolments = Enrolment.objects.select_related("batch", "track", "trainee").filter(pk__in=moving).order_by("pk")
    for done, enrolment in enumerate(enrolments, start=1):
        with transaction.atomic():
            advance(enrolment, to=S.READY_TO_ISSUE, cast=cast)
        if done % 100 == 0 or done == len(moving):
            progress("ready to issue", done, len(moving))
    counts["made_ready"] = len(moving)
    return counts


def seed(*, cohort: int = 0, progress=None) -> dict[str, int]:
    """The whole demo: institutions, users, the demo trainees and, if asked, a cohort of `cohort`."""
    cast = ensure_cast()
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
