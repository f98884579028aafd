"""The load-size data set (`manage.py seed_load`, docs/spec.md §10): a consistent history, written in bulk.

demo.load_history tells each enrolment's story up to now; this module and demo.load_rows write
the stories as rows, a few thousand enrolments at a time, all in one transaction (a run that fails leaves nothing):
institutions with quotas, staff, assessors and an officer; trainees with valid unique resident IDs
and, once approved, their accounts; batches; enrolments in every state with a StateLog row for every
move; module completions; attempts with scores that agree with their outcome; one AssessmentFlow
process per submitted attempt with the tasks viewflow writes (open review tasks for the candidates
under review, so the queue lists them); public notices with entries and objections; certificates
with numbers from the issuer's counters, in weekly issuance runs.

What it bypasses, and how (nothing else may, see certification.models.enrolments):
- Enrolments are inserted as drafts (`Enrolment.objects.insert_drafts`, as imports do), then each
  status is written by the plain QuerySet.update that `save_moves` uses, grouped by status.
  Every move is in the StateLog, with the time it happened.
- `auto_now` / `auto_now_add` are switched off while inserting, so that rows keep their dates in
  the history (created_at, recorded_at, opened_at, ...) instead of today.
- Certificates carry no PDF (no rendering): `sha256` holds a stand-in hash so that they count as
  issued (verify pages answer "valid"), and `pdf` is empty. Serials come from the issuer's
  counters (certificates.numbering), so the next real issue continues the series.
"""

import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from math import ceil

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone, translation

from certificates import numbering
from certificates.models import (
    Certificate,
    IssuanceRun,
)
from certification import derived_figures
from certification.models import (
    Enrolment,
    EvidenceFile,
    Institution,
    InstitutionStatus,
    Level,
    ModuleCompletion,
    Role,
    Track,
    TrackQuota,
    Trainee,
    TrainingBatch,
    User,
)
from certification.models.enrolments import QUOTA_STATUSES
from demo import people
from demo.cohort import NUMERALS
from demo.load_history import BatchPlan, Story, Teller, TrackRules, plan_batches, tell_all
from demo.load_rows import ChunkWriter, full_name
from workflows import decided_reviews
from workflows.models import NonWorkingDay, Objection, PublicityNotice

CHUNK = 4000  # enrolments written together
ASSESSORS = 12
OFFICER_USERNAME = "load-officer"
# Organisation codes of load institutions: characters 9–10 are "LD", then the run and the number.
LOAD_CODE_REGEX = r"^.{8}LD"
CITIES = [
    ("330100", "杭州"),
    ("330200", "宁波"),
    ("330300", "温州"),
    ("330400", "嘉兴"),
    ("330500", "湖州"),
    ("330600", "绍兴"),
    ("330700", "金华"),
    ("330800", "衢州"),
    ("330900", "舟山"),
    ("331000", "台州"),
    ("331100", "丽水"),
]
KINDS = ["时尚职业技能培训学校", "服装产业技能培训中心", "服饰设计培训学院", "纺织服装职业培训学校", "时装技艺培训中心"]
ISSUE_INTERVAL = timedelta(milliseconds=70)  # one certificate after another in a run


class LoadRefused(Exception):
    """The database already has load data and no --append was asked for."""


def existing_load_enrolments() -> int:
    return Enrolment.objects.filter(batch__institution__org_code__regex=LOAD_CODE_REGEX).count()


@contextmanager
def historical_timestamps(*model_classes):
    """Inserted rows keep the dates of their story: auto_now(_add) is off meanwhile."""
    fields = [
        f
        for model in model_classes
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@dataclass
class Cast:
    officer: User
    assessors: list[User]
    institutions: list[Institution]
    staff: list[User]  # by institution position
    tracks: dict[str, Track]
    modules: dict[str, list]


def _quiet(stage: str, done: int, total: int) -> None:
    pass


def load(
    *,
    enrolments: int,
    institutions: int = 50,
    years: int = 3,
    append: bool = False,
    now: datetime | None = None,
    progress: Callable[[str, int, int], None] = _quiet,
) -> dict[str, int]:
    """Write the data set; returns the number of enrolments by status."""
    existing = existing_load_enrolments()
    if existing and not append:
        raise LoadRefused(existing)
    now = timezone.localtime(now or timezone.now())
    first_day = now.date() - timedelta(days=365 * years)
    generation = _next_generation()
    tracks = {track.code: track for track in Track.objects.filter(code__in=["PM", "CR", "NM"]).order_by("code")}
    teller = Teller(
        now=now,
        tracks={code: TrackRules.of(track) for code, track in tracks.items()},
        holidays=set(NonWorkingDay.objects.values_list("date", flat=True)),
        assessors=ASSESSORS,
        seed=f"fashion-engineer-load-{generation}",
    )
    batches = plan_batches(
        enrolments=enrolments,
        institutions=institutions,
        first_day=first_day,
        last_day=now.date() + timedelta(days=14),
        seed=teller.seed,
    )
    stories = tell_all(teller, batches, first_day=first_day, seed=teller.seed)
    progress("told", len(stories), enrolments)
    request_id = f"seed_load-{uuid.uuid4().hex[:12]}"
    with (
        transaction.atomic(),
        historical_timestamps(
            Institution,
            Trainee,
            TrainingBatch,
            Enrolment,
            ModuleCompletion,
            EvidenceFile,
            PublicityNotice,
            Objection,
            Certificate,
            IssuanceRun,
        ),
    ):
        cast = _cast(generation, institutions, tracks, first_day)
        batch_ids = _write_batches(cast, batches, stories)
        _write_quotas(cast, stories, now)
        notice_ids = _write_notices(cast, stories, now)
        numbers, run_ids = _number_certificates(cast, stories)
        writer = ChunkWriter(cast, batch_ids, notice_ids, numbers, run_ids, request_id, generation)
        for start in range(0, len(stories), CHUNK):
            writer.write(stories[start : start + CHUNK])
            progress("written", min(start + CHUNK, len(stories)), len(stories))
    # The statistics' derived rows (certification.derived_figures, workflows.decided_reviews), so
    # that the first look at the statistics page does not wait a minute for 100,000 enrolments' to
    # be derived.
    derived_figures.refresh()
    decided_reviews.refresh()
    progress("derived", len(stories), len(stories))
    return dict(Counter(story.status for story in stories))


def _next_generation() -> int:
    codes = Institution.objects.filter(org_code__regex=LOAD_CODE_REGEX).values_list("org_code", flat=True)
    return 1 + max((int(code[10:12]) for code in codes), default=0)


# --- the people and the catalogue ---------------------------------------------------------------


def _user(username: str, role: str, name: str, password: str, joined: datetime, institution=None) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, first_name=name, institution=institution, date_joined=joined)
        user.password = password  # the demo password, hashed once for everyone
        user.save()
    return user


def _cast(generation: int, count: int, tracks: dict[str, Track], first_day: date) -> Cast:
    rng = random.Random(f"load-cast:{generation}")
    password = make_password(people.PASSWORD)
    joined = timezone.make_aware(datetime.combine(first_day - timedelta(days=90), time(9)))
    officer = _user(OFFICER_USERNAME, Role.OFFICER, "许文静", password, joined)
    assessors = [
        _user(f"load-assessor{k:02d}", Role.ASSESSOR, full_name(rng, rng.random() < 0.5), password, joined)
        for k in range(1, ASSESSORS + 1)
    ]
    created = []
    for position in range(count):
        region, city = CITIES[position % len(CITIES)]
        body = f"LD{generation:02d}{position + 1:04d}"
        kind = KINDS[(position // len(CITIES)) % len(KINDS)]
        number = position // (len(CITIES) * len(KINDS))
        name = f"{city}{'第' + str(number + 1) if number else ''}{kind}" + (
            f"（{generation}）" if generation > 1 else ""
        )
        created.append(
            Institution(
                name=name,
                org_code=people.unified_social_credit_code(f"52{region}", body),
                status=InstitutionStatus.APPROVED,
                contact_name=full_name(rng, rng.random() < 0.5),
                contact_phone=f"0571-8{rng.randrange(10**7):07d}",
                address=f"浙江省{city}市{rng.choice(people.STREETS)}{rng.randint(1, 999)}号",
                vetted_at=joined,
                vetting_note="材料齐全，场地与师资核查通过。",
                created_at=joined - timedelta(days=30),
            )
        )
    institutions = Institution.objects.bulk_create(created)
    staff = [
        _user(
            f"load{generation}-inst{k + 1:03d}", Role.INSTITUTION, full_name(rng, False), password, joined, institution
        )
        for k, institution in enumerate(institutions)
    ]
    return Cast(
        officer=officer,
        assessors=assessors,
        institutions=institutions,
        staff=staff,
        tracks=tracks,
        modules={code: list(track.modules.filter(is_required=True)) for code, track in tracks.items()},
    )


def _write_batches(cast: Cast, batches: list[BatchPlan], stories: list[Story]) -> dict[int, int]:
    """TrainingBatch rows, named and numbered per institution, track and year; batch index -> id."""
    first_created = {}
    for story in stories:
        first = first_created.get(story.batch.index, story.created_at)
        first_created[story.batch.index] = min(first, story.created_at)
    numbers = Counter()
    rows, indexes = [], []
    for batch in sorted((b for b in batches if b.index in first_created), key=lambda b: (b.start, b.index)):
        track = cast.tracks[batch.track]
        numbers[batch.institution, batch.track, batch.start.year, batch.level] += 1
        number = numbers[batch.institution, batch.track, batch.start.year, batch.level]
        with translation.override("zh-hans"):
            level = str(Level(batch.level).label).split("/")[1]
        batch.name = f"{batch.start.year}年{track.name_zh}{level}认定班第{number}期"
        rows.append(
            TrainingBatch(
                institution=cast.institutions[batch.institution],
                track=track,
                level=batch.level,
                name=batch.name,
                start_date=batch.start,
                end_date=batch.end,
                capacity=1,  # set below, once the batch's enrolments are counted
                created_at=first_created[batch.index] - timedelta(days=3),
            )
        )
        indexes.append(batch.index)
    sizes = Counter(story.batch.index for story in stories)
    for row, index in zip(rows, indexes):
        row.capacity = max(20, ceil(sizes[index] / 10) * 10)
    created = TrainingBatch.objects.bulk_create(rows, batch_size=1000)
    return {index: row.pk for index, row in zip(indexes, created)}


def _write_quotas(cast: Cast, stories: list[Story], now: datetime) -> None:
    """Yearly quotas per institution and track, a fifth above what was approved (at least 50)."""
    used = Counter(
        (story.batch.institution, story.batch.track, story.batch.start.year)
        for story in stories
        if story.status in QUOTA_STATUSES
    )
    years = {story.batch.start.year for story in stories} | {now.year}
    TrackQuota.objects.bulk_create(
        [
            TrackQuota(
                institution=institution,
                track=track,
                year=year,
                quota=max(50, ceil(used[position, code, year] * 1.2 / 10) * 10),
            )
            for position, institution in enumerate(cast.institutions)
            for code, track in cast.tracks.items()
            for year in sorted(years)
        ],
        batch_size=1000,
    )


def _write_notices(cast: Cast, stories: list[Story], now: datetime) -> dict[tuple[str, date], int]:
    """One public notice per track and Tuesday; (track, day) -> id."""
    by_notice = defaultdict(list)
    for story in stories:
        if story.notice_day is not None:
            by_notice[story.batch.track, story.notice_day].append(story)
    ordinals = Counter()
    rows, keys = [], []
    for track_code, day in sorted(by_notice, key=lambda key: (key[1], key[0])):
        entries = by_notice[track_code, day]
        track = cast.tracks[track_code]
        ordinals[day.year, track_code] += 1
        number = ordinals[day.year, track_code]
        ordinal = NUMERALS[number - 1] if number <= len(NUMERALS) else str(number)
        left = [story.left_publicity_at for story in entries]
        opened = next(move.at for move in entries[0].moves if move.transition == "open_publicity")
        rows.append(
            PublicityNotice(
                title=f"{day.year}年第{ordinal}批时尚工程师认定公示（{track.name_zh}）",
                opened_by=cast.officer,
                opened_at=opened,
                starts_on=day,
                ends_on=max(story.publicity_ends_on for story in entries),
                closed_at=max(left) if all(left) else None,
            )
        )
        keys.append((track_code, day))
    created = PublicityNotice.objects.bulk_create(rows, batch_size=1000)
    return {key: row.pk for key, row in zip(keys, created)}


def _number_certificates(cast: Cast, stories: list[Story]) -> tuple[dict[int, tuple], dict[date, int]]:
    """Serials in issue order from the issuer's counters, one issuance run per Thursday; also sets
    the exact time of each issue move. Returns story index -> (number, year, serial, run day) and
    run day -> run id."""
    issued = sorted(
        (s for s in stories if s.issue_day is not None), key=lambda s: (s.issue_day, s.batch.index, s.index)
    )
    issuer = numbering.configured_issuer()
    per_year = Counter(story.issue_day.year for story in issued)
    serials = {}
    for year in sorted(per_year):  # the counter first, as every issuing transaction does
        counter = numbering.lock_counter(issuer_code=issuer.code, year=year)
        serials[year] = iter(numbering.take_serials(counter, per_year[year]))
    numbers, runs = {}, defaultdict(list)
    for story in issued:
        serial = next(serials[story.issue_day.year])
        number = numbering.format_number(
            issuer_code=issuer.code, year=story.issue_day.year, level=story.batch.level, serial=serial
        )
        run = runs[story.issue_day]
        at = datetime.combine(story.issue_day, time(14), tzinfo=story.moves[0].at.tzinfo) + ISSUE_INTERVAL * len(run)
        run.append(at)
        next(move for move in story.moves if move.transition == "issue").at = at
        numbers[story.index] = (number, story.issue_day.year, serial, story.issue_day)
    created = IssuanceRun.objects.bulk_create(
        [
            IssuanceRun(
                officer=cast.officer,
                total=len(times),
                created_at=times[0] - timedelta(seconds=5),
                finished_at=times[-1] + ISSUE_INTERVAL,
            )
            for day, times in sorted(runs.items())
        ],
        batch_size=1000,
    )
    return numbers, {day: run.pk for day, run in zip(sorted(runs), created)}
