"""Who is who in the demo (demo.cohort tells what happens to them): the office, the
assessors and which review task each takes, the institutions and their staff, their batches, the
trainees' personal details and who is in a cohort of N.

Everything is the same every run: users are found again by username, institutions by organisation
code, batches by name, and each trainee is drawn from a random generator seeded with their index,
so that a second run of seed_demo finds, by ID number, the trainees the first run made.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from django.core.files.base import ContentFile
from django.utils import timezone

from certification import registration, selectors, vetting
from certification.identity import resident_id_check_character
from certification.models import Enrolment, Institution, InstitutionStatus, Role, Track, TrackQuota, TrainingBatch, User
from workflows.assessment import services as assessment

SEED = "fashion-engineer-demo"
PASSWORD = "demo-pass-2024"
YEARLY_QUOTA = 1000
FIRST_COHORT = {"PM": 330, "CR": 299, "NM": 256}  # docs/spec.md §1: the first cohort, 885 people
BATCH_CAPACITY = 60

# key, name, credit-code prefix (民办非企业单位 registered in the city), organisation-code body, status
INSTITUTIONS = [
    (
        1,
        "杭州时尚职业技能培训学校",
        "52330100",
        "MJ893452",
        InstitutionStatus.APPROVED,
        "王丽",
        "0571-85231746",
        "浙江省杭州市拱墅区莫干山路 1108 号",
    ),
    (
        2,
        "宁波服装产业技能培训中心",
        "52330200",
        "MJ762183",
        InstitutionStatus.APPROVED,
        "徐海波",
        "0574-87352610",
        "浙江省宁波市海曙区中山西路 266 号",
    ),
    (
        3,
        "温州瓯江服饰技能培训学校",
        "52330300",
        "MJ558072",
        InstitutionStatus.PENDING,
        "潘志远",
        "0577-88219034",
        "浙江省温州市鹿城区车站大道 517 号",
    ),
]
OFFICER_NAME = "周敏"
# Independent assessors: affiliated with no institution, so never conflicted with a demo candidate.
ASSESSORS = [("assessor1", "沈建华"), ("assessor2", "林雪梅")]
# An employer that checks certificates in bulk (docs/spec.md §11).
DEMO_EMPLOYER = ("employer1", "杭州示范服装有限公司")
STAFF = [("inst1", 1, "王丽"), ("inst2", 2, "徐海波")]  # username, institution key, full name

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾田董潘袁蔡蒋余叶程魏苏吕丁沈姚卢钟陆汪范金方邵钱俞施应楼"
GIVEN_MALE = [
    "伟",
    "强",
    "磊",
    "军",
    "勇",
    "杰",
    "涛",
    "斌",
    "建华",
    "志强",
    "建军",
    "海波",
    "国庆",
    "晓东",
    "文博",
    "俊杰",
    "浩然",
    "立新",
    "永康",
    "明辉",
    "国栋",
    "宏伟",
    "鹏飞",
    "建平",
]
GIVEN_FEMALE = [
    "芳",
    "娟",
    "敏",
    "静",
    "丽",
    "艳",
    "燕",
    "霞",
    "秀英",
    "丽华",
    "晓燕",
    "雪梅",
    "佳怡",
    "欣怡",
    "雅婷",
    "春燕",
    "美玲",
    "玉兰",
    "慧敏",
    "彩霞",
    "丽娜",
    "婷婷",
    "海燕",
    "金凤",
]
AREAS = [  # Zhejiang resident-ID area codes and the address they stand for
    ("330102", "浙江省杭州市上城区"),
    ("330105", "浙江省杭州市拱墅区"),
    ("330106", "浙江省杭州市西湖区"),
    ("330108", "浙江省杭州市滨江区"),
    ("330109", "浙江省杭州市萧山区"),
    ("330110", "浙江省杭州市余杭区"),
    ("330203", "浙江省宁波市海曙区"),
    ("330205", "浙江省宁波市江北区"),
    ("330206", "浙江省宁波市北仑区"),
    ("330212", "浙江省宁波市鄞州区"),
    ("330302", "浙江省温州市鹿城区"),
    ("330303", "浙江省温州市龙湾区"),
    ("330304", "浙江省温州市瓯海区"),
]
STREETS = ["解放路", "中山路", "人民路", "建设路", "新华路", "文化路", "学院路", "工业路", "环城北路", "江南大道"]
EMPLOYERS = [
    "杭州江南织造服饰有限公司",
    "杭州钱塘时装有限公司",
    "萧山华艺制衣有限公司",
    "余杭临平针织服饰有限公司",
    "宁波甬江制衣有限公司",
    "宁波海曙西服有限公司",
    "宁波北仑衬衫有限公司",
    "温州鹿城时装有限公司",
    "温州瓯海鞋服有限公司",
    "湖州织里童装有限公司",
    "桐乡濮院毛衫有限公司",
    "绍兴柯桥面料服饰有限公司",
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


@cache
def _placeholder_png(surname: str) -> bytes:
    try:
        from certification.photos import make_placeholder_photo
    except ImportError:
        return b""
    return make_placeholder_photo(surname).read()


# --- institutions and users ---------------------------------------------------------------------


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
            institution = vetting.approve_institution(
                officer=officer, institution_id=institution.pk, note="材料齐全，场地与师资核查通过。"
            )
    return institution


def ensure_staff(officer: User, institution: Institution, username: str, full_name: str) -> User:
    staff = User.objects.filter(username=username).first()
    if staff is None:
        staff = vetting.add_staff_account(
            officer=officer,
            institution_id=institution.pk,
            username=username,
            name=full_name,
            email="",
            password=PASSWORD,
        )
    return staff


def ensure_quotas(officer: User, institution: Institution, *, at_least: int = YEARLY_QUOTA) -> None:
    """This year's quota per track; raised (never lowered) when a large cohort needs more places."""
    year = timezone.localdate().year
    current = dict(TrackQuota.objects.filter(institution=institution, year=year).values_list("track_id", "quota"))
    for track in Track.objects.all():
        if current.get(track.pk, -1) < at_least:
            vetting.set_quota(
                officer=officer, institution_id=institution.pk, track_id=track.pk, year=year, quota=at_least
            )


@dataclass(frozen=True)
class OpenReview:
    """An open review task of the assessment flow, and who may no longer take it."""

    task_id: int
    enrolment_id: int
    owner_id: int | None
    signed_off: tuple[int, ...]


def open_reviews(enrolment_ids) -> list[OpenReview]:
    """The open review (or second review) tasks of these enrolments, in candidate order."""
    rows = (
        assessment.open_review_tasks()
        .filter(process__assessmentprocess__enrolment_id__in=enrolment_ids)
        .order_by("process__assessmentprocess__enrolment_id")
        .values_list("pk", "process__assessmentprocess__enrolment_id", "owner_id", "process__data")
    )
    return [
        OpenReview(pk, enrolment_id, owner_id, tuple((data or {}).get("sign_offs", [])))
        for pk, enrolment_id, owner_id, data in rows
    ]


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

    def reviewer(self, review: OpenReview) -> User:
        """Who takes a review task: the assessor who claimed it, else the assessors in turn by
        candidate, never one who signed the attempt off already (a second review is someone else's)."""
        by_pk = {assessor.pk: assessor for assessor in self.assessors}
        if review.owner_id in by_pk:
            return by_pk[review.owner_id]
        turn = review.enrolment_id % len(self.assessors)
        in_turn = self.assessors[turn:] + self.assessors[:turn]
        return next(assessor for assessor in in_turn if assessor.pk not in review.signed_off)


def ensure_cast() -> Cast:
    officer = ensure_login("officer", Role.OFFICER, OFFICER_NAME)
    institutions = {key: ensure_institution(officer, key) for key, *_ in INSTITUTIONS}
    staff = {}
    for username, key, full_name in STAFF:
        staff[institutions[key].pk] = ensure_staff(officer, institutions[key], username, full_name)
        ensure_quotas(officer, institutions[key])
    ensure_login(DEMO_EMPLOYER[0], Role.EMPLOYER, DEMO_EMPLOYER[1])
    return Cast(
        officer=officer,
        assessors=[ensure_login(username, Role.ASSESSOR, full_name) for username, full_name in ASSESSORS],
        staff=staff,
        institutions=institutions,
    )


# --- batches and who is in a cohort ------------------------------------------------------------


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


def split_cohort(total: int) -> dict[str, int]:
    """Candidates per track in the first cohort's proportions; largest remainders, sums to `total`."""
    whole = sum(FIRST_COHORT.values())
    shares = {code: total * size / whole for code, size in FIRST_COHORT.items()}
    counts = {code: int(share) for code, share in shares.items()}
    by_remainder = sorted(FIRST_COHORT, key=lambda code: shares[code] - counts[code], reverse=True)
    for code in by_remainder[: total - sum(counts.values())]:
        counts[code] += 1
    return counts


def cohort_sizes(total: int, *, counted: dict[str, int]) -> dict[str, int]:
    """Candidates to make per track so that, with the `counted` ones already there (the demo
    trainees ready to issue or certified), each track has exactly its share of `total`."""
    return {code: max(0, share - counted.get(code, 0)) for code, share in split_cohort(total).items()}


def cohort_candidates(sizes: dict[str, int]) -> list[tuple[int, Track, int]]:
    """(position, track, institution key) of the first `sizes[code]` candidates of each track, in
    cohort order.

    Candidate k of a track always has the same position (and so is the same person), whatever the
    sizes are: a second run with a larger N finds the first run's candidates and adds the rest.
    Within a track, candidates alternate between institution 1 and institution 2.
    """
    tracks = {track.code: track for track in Track.objects.filter(code__in=FIRST_COHORT)}
    order = list(FIRST_COHORT)
    return sorted(
        (k * len(order) + order.index(code), tracks[code], 1 + k % 2)
        for code, count in sizes.items()
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
