"""Rows of the load data set, a chunk of stories at a time (demo.load runs it; see its docstring
for what is bypassed and how): trainees and their accounts, enrolments and their StateLog,
completions, attempts and evidence, assessment processes and tasks, public notice entries and
objections, certificates with their events and issuance items."""

import hashlib
import random
import secrets
from collections import defaultdict
from datetime import date, timedelta

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models
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
    ItemStatus,
)
from certification.identity import mask_id_number, resident_id_check_character
from certification.models import (
    AssessmentAttempt,
    Enrolment,
    EvidenceFile,
    EvidenceKind,
    Level,
    ModuleCompletion,
    Role,
    StateLog,
    Trainee,
    User,
)
from certification.models import EnrolmentStatus as S
from certification.models.people import ROLE_GROUPS
from core.bulk_insert import insert_many
from demo import people
from demo.cohort import GARMENT_OBJ
from demo.load_history import Story
from workflows.flows import AssessmentFlow
from workflows.models import AssessmentProcess, Objection, PublicityEntry

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


def full_name(rng: random.Random, male: bool) -> str:
    """A name as the demo people have them (demo.people)."""
    return rng.choice(people.SURNAMES) + rng.choice(people.GIVEN_MALE if male else people.GIVEN_FEMALE)


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


class ChunkWriter:
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
            "name": full_name(rng, male),
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
                updated_at=story.moves[-1].at if story.moves else story.created_at,  # written last by its last move
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
                    # Unique like the service's receipts (workflows.publicity.services), from the enrolment.
                    receipt_number=f"{objection.lodged_at:%Y%m%d}-{pk:06d}"[:20],
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
