"""The load-size data set (`manage.py seed_load`, SPEC §10): a consistent history, written in bulk.

demo.load_history tells each enrolment's story up to now; this module writes the stories as rows,
a few thousand enrolments at a time, all in one transaction (a run that fails leaves nothing):
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

import hashlib
import random
import secrets
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from math import ceil

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils import timezone, translation
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from certificates import numbering, qr, rendering
from certificates.issuance import ID_TYPE_ON_CERTIFICATE
from certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateStatus,
    EventKind,
    IssuanceItem,
    IssuanceRun,
    ItemStatus,
)
from certification.identity import mask_id_number, resident_id_check_character
from certification.models import (
    AssessmentAttempt,
    Enrolment,
    EvidenceFile,
    EvidenceKind,
    Institution,
    InstitutionStatus,
    Level,
    ModuleCompletion,
    Role,
    StateLog,
    Track,
    TrackQuota,
    Trainee,
    TrainingBatch,
    User,
)
from certification.models import EnrolmentStatus as S
from certification.models.enrolments import QUOTA_STATUSES
from certification.models.people import ROLE_GROUPS
from core.bulk_insert import insert_many
from demo import people
from demo.cohort import GARMENT_OBJ, NUMERALS
from demo.load_history import BatchPlan, Story, Teller, TrackRules, plan_batches, tell_all
from workflows.flows import AssessmentFlow
from workflows.models import AssessmentProcess, NonWorkingDay, Objection, PublicityEntry, PublicityNotice

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
EXTRA_AREAS = [
    "330381",
    "330382",
    "330402",
    "330411",
    "330481",
    "330483",
    "330502",
    "330503",
    "330602",
    "330603",
    "330681",
    "330702",
    "330782",
    "331002",
    "331082",
]
TASK_TYPES = {
    "start": "START",
    "review": "HUMAN",
    "second_review": "HUMAN",
    "correction": "HUMAN",
    "after_review": "SWITCH",
    "end": "END",
}
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
        writer = _ChunkWriter(cast, batch_ids, notice_ids, numbers, run_ids, request_id, generation)
        for start in range(0, len(stories), CHUNK):
            writer.write(stories[start : start + CHUNK])
            progress("written", min(start + CHUNK, len(stories)), len(stories))
    return dict(Counter(story.status for story in stories))


def _next_generation() -> int:
    codes = Institution.objects.filter(org_code__regex=LOAD_CODE_REGEX).values_list("org_code", flat=True)
    return 1 + max((int(code[10:12]) for code in codes), default=0)


def reserve_ids(model, count: int) -> list[int]:
    """Primary keys for `count` new rows, taken from the table's sequence (PostgreSQL) or above
    every id it ever gave out (SQLite, whose write lock this transaction holds already)."""
    if not count:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        last = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
        last = max(last, cursor.fetchone()[0])
    return list(range(last + 1, last + 1 + count))


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
        _user(f"load-assessor{k:02d}", Role.ASSESSOR, _name(rng, rng.random() < 0.5), password, joined)
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
                contact_name=_name(rng, rng.random() < 0.5),
                contact_phone=f"0571-8{rng.randrange(10**7):07d}",
                address=f"浙江省{city}市{rng.choice(people.STREETS)}{rng.randint(1, 999)}号",
                vetted_at=joined,
                vetting_note="材料齐全，场地与师资核查通过。",
                created_at=joined - timedelta(days=30),
            )
        )
    institutions = Institution.objects.bulk_create(created)
    staff = [
        _user(f"load{generation}-inst{k + 1:03d}", Role.INSTITUTION, _name(rng, False), password, joined, institution)
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


def _name(rng: random.Random, male: bool) -> str:
    return rng.choice(people.SURNAMES) + rng.choice(people.GIVEN_MALE if male else people.GIVEN_FEMALE)


def _write_batches(cast: Cast, batches: list[BatchPlan], stories: list[Story]) -> dict[int, int]:
    """TrainingBatch rows, named and numbered per institution, track and year; batch index -> id."""
    first_created = {}
    for story in stories:
        first_created.setdefault(story.batch.index, story.created_at)
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


# --- the enrolments, a chunk at a time --------------------------------------------------------------


class _ChunkWriter:
    def __init__(self, cast, batch_ids, notice_ids, numbers, run_ids, request_id, generation):
        self.cast, self.batch_ids, self.notice_ids = cast, batch_ids, notice_ids
        self.numbers, self.run_ids, self.request_id = numbers, run_ids, request_id
        self.rng = random.Random(f"load-people:{generation}")
        self.id_numbers = set(Trainee.objects.values_list("id_number", flat=True))
        self.id_numbers |= set(User.objects.filter(role=Role.TRAINEE).values_list("username", flat=True))
        self.areas = [area for area, _ in people.AREAS] + EXTRA_AREAS
        self.trainee_group = Group.objects.filter(name=ROLE_GROUPS[Role.TRAINEE]).first()
        self.issuer = numbering.configured_issuer()
        # One real file stands for every evidence upload of the data set.
        self.module_evidence = default_storage.save("evidence/modules/load/garment-model.obj", ContentFile(GARMENT_OBJ))
        self.attempt_evidence = default_storage.save(
            "evidence/attempts/load/garment-model.obj", ContentFile(GARMENT_OBJ)
        )
        with translation.override("zh-hans"):
            self.level_labels = {level: str(Level(level).label) for level in Level.values}

    def actor_id(self, story: Story, actor) -> int | None:
        if actor is None:
            return None
        if actor == "staff":
            return self.cast.staff[story.batch.institution].pk
        if actor == "officer":
            return self.cast.officer.pk
        return self.cast.assessors[actor].pk

    def write(self, stories: list[Story]) -> None:
        persons = [self.person() for _ in stories]
        user_ids = self.write_accounts(stories, persons)
        trainee_ids = self.write_trainees(stories, persons, user_ids)
        enrolment_ids = self.write_enrolments(stories, trainee_ids)
        self.write_state_logs(stories, enrolment_ids)
        self.write_completions(stories, enrolment_ids)
        attempt_ids = self.write_attempts(stories, enrolment_ids)
        self.write_processes(stories, enrolment_ids, attempt_ids)
        self.write_publicity(stories, enrolment_ids)
        self.write_certificates(stories, enrolment_ids, persons)

    def person(self) -> dict:
        rng = self.rng
        male = rng.random() < 0.45
        while True:
            born = date(1968, 1, 1) + timedelta(days=rng.randrange(36 * 365))
            sequence = rng.randrange(499) * 2 + (1 if male else 2)  # 001..998, odd for men
            first17 = f"{rng.choice(self.areas)}{born:%Y%m%d}{sequence:03d}"
            id_number = first17 + resident_id_check_character(first17)
            if id_number not in self.id_numbers:
                self.id_numbers.add(id_number)
                break
        area_name = next((name for code, name in people.AREAS if code == id_number[:6]), "浙江省杭州市上城区")
        return {
            "name": _name(rng, male),
            "id_number": id_number,
            "gender": "M" if male else "F",
            "birth_date": born,
            "ethnicity": rng.choice(people.ETHNICITIES),
            "education": rng.choice(people.EDUCATION),
            "phone": rng.choice(people.PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}",
            "employer": rng.choice(people.EMPLOYERS),
            "years_in_trade": rng.randint(2, max(2, min(30, timezone.localdate().year - born.year - 18))),
            "address": f"{area_name}{rng.choice(people.STREETS)}{rng.randint(1, 399)}号",
        }

    def write_accounts(self, stories, persons) -> dict[str, int]:
        """The account an approval creates (login = ID number, no usable password yet)."""
        users = [
            User(
                username=person["id_number"],
                role=Role.TRAINEE,
                first_name=person["name"],
                password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),  # as make_password(None)
                date_joined=story.approved_at,
                is_staff=False,
            )
            for story, person in zip(stories, persons)
            if story.approved_at is not None
        ]
        insert_many(User, users)
        ids = dict(
            User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk").iterator()
        )
        if self.trainee_group is not None:
            through = User.groups.through
            insert_many(through, [through(user_id=pk, group_id=self.trainee_group.pk) for pk in ids.values()])
        return ids

    def write_trainees(self, stories, persons, user_ids) -> list[int]:
        trainees = [
            Trainee(
                institution_id=self.cast.institutions[story.batch.institution].pk,
                user_id=user_ids.get(person["id_number"]),
                created_at=story.created_at - timedelta(hours=1),
                updated_at=story.approved_at or story.created_at,
                **person,
            )
            for story, person in zip(stories, persons)
        ]
        insert_many(Trainee, trainees)
        ids = dict(
            Trainee.objects.filter(id_number__in=[p["id_number"] for p in persons]).values_list("id_number", "pk")
        )
        return [ids[person["id_number"]] for person in persons]

    def write_enrolments(self, stories, trainee_ids) -> list[int]:
        """Drafts first (insert_drafts), then each status with save_moves' plain UPDATE, by status."""
        drafts = [
            Enrolment(
                trainee_id=trainee_id,
                batch_id=self.batch_ids[story.batch.index],
                track_id=self.cast.tracks[story.batch.track].pk,
                status_changed_at=story.moves[-1].at if story.moves else story.created_at,
                approved_at=story.approved_at,
                publicity_ends_on=story.publicity_ends_on,
                created_by_id=self.cast.staff[story.batch.institution].pk,
                created_at=story.created_at,
            )
            for story, trainee_id in zip(stories, trainee_ids)
        ]
        Enrolment.objects.insert_drafts(drafts)
        ids = dict(Enrolment.objects.filter(trainee_id__in=trainee_ids).values_list("trainee_id", "pk"))
        enrolment_ids = [ids[trainee_id] for trainee_id in trainee_ids]
        by_status = defaultdict(list)
        for story, pk in zip(stories, enrolment_ids):
            if story.status != S.DRAFT:
                by_status[story.status].append(pk)
        for status, pks in by_status.items():
            # The plain QuerySet.update, as Enrolment.objects.save_moves writes a move.
            models.QuerySet.update(Enrolment.objects.filter(pk__in=pks), status=status)
        return enrolment_ids

    def write_state_logs(self, stories, enrolment_ids) -> None:
        logs = []
        for story, pk in zip(stories, enrolment_ids):
            for move in story.moves:
                request_id = self.request_id
                if move.transition == "issue":
                    request_id = f"issuance-run-{self.run_ids[story.issue_day]}"
                logs.append(
                    StateLog(
                        enrolment_id=pk,
                        transition=move.transition,
                        from_status=move.from_status,
                        to_status=move.to_status,
                        actor_id=self.actor_id(story, move.actor),
                        reason=move.reason,
                        request_id=request_id,
                        created_at=move.at,
                    )
                )
        insert_many(StateLog, logs)

    def write_completions(self, stories, enrolment_ids) -> None:
        rows = []
        for story, pk in zip(stories, enrolment_ids):
            modules = self.cast.modules[story.batch.track]
            for position, hours, score, recorded in story.completions:
                module = modules[position]
                rows.append(
                    ModuleCompletion(
                        enrolment_id=pk,
                        module_id=module.pk,
                        hours=hours,
                        score=score,
                        evidence=self.module_evidence if module.evidence_required else "",
                        recorded_by_id=self.cast.staff[story.batch.institution].pk,
                        recorded_at=recorded,
                    )
                )
        insert_many(ModuleCompletion, rows)

    def write_attempts(self, stories, enrolment_ids) -> dict[tuple[int, int], int]:
        rows, evidence = [], []
        for story, pk in zip(stories, enrolment_ids):
            staff_id = self.cast.staff[story.batch.institution].pk
            for attempt in story.attempts:
                rows.append(
                    AssessmentAttempt(
                        enrolment_id=pk,
                        number=attempt.number,
                        exam_date=attempt.exam_date,
                        theory_score=attempt.theory,
                        practical_score=attempt.practical,
                        theory_carried_over=attempt.theory_carried,
                        practical_carried_over=attempt.practical_carried,
                        submitted_by_id=staff_id if attempt.submitted_at else None,
                        submitted_at=attempt.submitted_at,
                        reviewed_by_id=self.actor_id(story, attempt.reviewed_by),
                        reviewed_at=attempt.reviewed_at,
                        outcome=attempt.outcome,
                        reason=attempt.reason,
                    )
                )
        insert_many(AssessmentAttempt, rows)
        ids = {
            (enrolment_id, number): pk
            for enrolment_id, number, pk in AssessmentAttempt.objects.filter(
                enrolment_id__in=enrolment_ids
            ).values_list("enrolment_id", "number", "pk")
        }
        for story, pk in zip(stories, enrolment_ids):
            if not self.cast.tracks[story.batch.track].requires_3d_evidence:
                continue
            for attempt in story.attempts:
                if attempt.entered_at is not None:
                    evidence.append(
                        EvidenceFile(
                            attempt_id=ids[pk, attempt.number],
                            kind=EvidenceKind.MODEL_3D,
                            file=self.attempt_evidence,
                            original_name="garment-model.obj",
                            size=len(GARMENT_OBJ),
                            uploaded_by_id=self.cast.staff[story.batch.institution].pk,
                            uploaded_at=attempt.entered_at,
                        )
                    )
        insert_many(EvidenceFile, evidence)
        return ids

    def write_processes(self, stories, enrolment_ids, attempt_ids) -> None:
        """One AssessmentFlow process per submitted attempt, with the tasks viewflow writes."""
        flows = []  # (enrolment id, attempt id, process, tasks)
        for story, pk in zip(stories, enrolment_ids):
            for attempt in story.attempts:
                if attempt.submitted_at is None:
                    continue
                done = attempt.tasks[-1].node == "end"
                process = Process(
                    flow_class=AssessmentFlow,
                    status=PROCESS.DONE if done else PROCESS.NEW,
                    created=attempt.tasks[0].created,
                    finished=attempt.tasks[-1].finished if done else None,
                    data=attempt.process_data,
                )
                tasks = [
                    Task(
                        flow_task=getattr(AssessmentFlow, step.node),
                        flow_task_type=TASK_TYPES[step.node],
                        status=self._task_status(step),
                        created=step.created,
                        started=self._task_started(step),
                        finished=step.finished,
                        owner_id=self.actor_id(story, step.owner),
                    )
                    for step in attempt.tasks
                ]
                flows.append((pk, attempt_ids[pk, attempt.number], process, tasks))
        for process, pk in zip((process for *_, process, _ in flows), reserve_ids(Process, len(flows))):
            process.pk = pk
        insert_many(Process, [process for *_, process, _ in flows], with_primary_key=True)
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(AssessmentProcess._meta.db_table)
            cursor.executemany(
                f"INSERT INTO {table} (process_ptr_id, attempt_id, enrolment_id) VALUES (%s, %s, %s)",
                [(process.pk, attempt_id, enrolment_id) for enrolment_id, attempt_id, process, _ in flows],
            )
        for *_, process, tasks in flows:
            for task in tasks:
                task.process_id = process.pk
        tasks = [task for *_, tasks in flows for task in tasks]
        for task, pk in zip(tasks, reserve_ids(Task, len(tasks))):
            task.pk = pk
        insert_many(Task, tasks, with_primary_key=True)
        previous = Task.previous.through
        insert_many(
            previous,
            [
                previous(from_task_id=task.pk, to_task_id=before.pk)
                for *_, tasks in flows
                for before, task in zip(tasks, tasks[1:])
            ],
        )

    @staticmethod
    def _task_status(step) -> str:
        if step.finished is not None:
            return STATUS.DONE
        return STATUS.ASSIGNED if step.owner is not None else STATUS.NEW

    @staticmethod
    def _task_started(step):
        if step.finished is None or step.node == "after_review":
            return None  # viewflow starts a human task when it is worked, and never a switch
        return step.created if step.node in ("start", "end") else step.finished

    def write_publicity(self, stories, enrolment_ids) -> None:
        entries = [
            PublicityEntry(notice_id=self.notice_ids[story.batch.track, story.notice_day], enrolment_id=pk)
            for story, pk in zip(stories, enrolment_ids)
            if story.notice_day is not None
        ]
        insert_many(PublicityEntry, entries)
        objected = {pk: story.objection for story, pk in zip(stories, enrolment_ids) if story.objection}
        if not objected:
            return
        entry_ids = dict(PublicityEntry.objects.filter(enrolment_id__in=objected).values_list("enrolment_id", "pk"))
        insert_many(
            Objection,
            [
                Objection(
                    entry_id=entry_ids[pk],
                    name=objection.name,
                    contact=objection.contact,
                    text=objection.text,
                    lodged_at=objection.lodged_at,
                    status=objection.status,
                    decided_by_id=self.cast.officer.pk if objection.decided_at else None,
                    decided_at=objection.decided_at,
                    decision_reason=objection.reason,
                )
                for pk, objection in objected.items()
            ],
        )

    def write_certificates(self, stories, enrolment_ids, persons) -> None:
        certificates, revoked = [], {}
        for story, pk, person in zip(stories, enrolment_ids, persons):
            if story.index not in self.numbers:
                continue
            number, year, serial, day = self.numbers[story.index]
            track = self.cast.tracks[story.batch.track]
            issued_at = next(move.at for move in story.moves if move.transition == "issue")
            revoke = next((move for move in story.moves if move.transition == "revoke"), None)
            modules = self.cast.modules[story.batch.track]
            certificates.append(
                Certificate(
                    number=number,
                    issuer_code=self.issuer.code,
                    year=year,
                    level=story.batch.level,
                    serial=serial,
                    status=CertificateStatus.REVOKED if revoke else CertificateStatus.VALID,
                    enrolment_id=pk,
                    run_id=self.run_ids[day],
                    track_code=track.code,
                    holder_name=person["name"],
                    holder_id_type=ID_TYPE_ON_CERTIFICATE["resident_id"],
                    holder_id_number_masked=mask_id_number(person["id_number"]),
                    occupation=track.occupation,
                    direction=track.name_zh,
                    title=track.certificate_title,
                    level_label=self.level_labels[story.batch.level],
                    modules=[
                        {"code": modules[p].code, "name": modules[p].name_zh, "hours": f"{hours.normalize():f}"}
                        for p, hours, _score, _at in story.completions
                    ],
                    institution_name=self.cast.institutions[story.batch.institution].name,
                    issuer_name=self.issuer.name,
                    issue_date=day,
                    template_version=rendering.CURRENT_TEMPLATE_VERSION,
                    verify_url=qr.scan_url(number),
                    sha256=hashlib.sha256(f"seed_load:{number}".encode()).hexdigest(),
                    issued_by=self.cast.officer,
                    created_at=issued_at,
                    issued_at=issued_at,
                    revoked_at=revoke.at if revoke else None,
                    revoked_reason=revoke.reason if revoke else "",
                )
            )
            if revoke:
                revoked[number] = revoke
        insert_many(Certificate, certificates)
        ids = dict(Certificate.objects.filter(number__in=[c.number for c in certificates]).values_list("number", "pk"))
        officer = self.cast.officer.pk
        events = [
            CertificateEvent(
                certificate_id=ids[c.number],
                kind=EventKind.ISSUED,
                actor_id=officer,
                request_id=f"issuance-run-{c.run_id}",
                created_at=c.issued_at,
            )
            for c in certificates
        ]
        events += [
            CertificateEvent(
                certificate_id=ids[number],
                kind=EventKind.REVOKED,
                actor_id=officer,
                reason=move.reason,
                request_id=self.request_id,
                created_at=move.at,
            )
            for number, move in revoked.items()
        ]
        insert_many(CertificateEvent, events)
        insert_many(
            IssuanceItem,
            [
                IssuanceItem(
                    run_id=c.run_id,
                    enrolment_id=c.enrolment_id,
                    status=ItemStatus.ISSUED,
                    certificate_id=ids[c.number],
                    finished_at=c.issued_at,
                )
                for c in certificates
            ],
        )
