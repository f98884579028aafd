"""Fixtures of the Excel exchange tests: the database the corpus files refer to, and helpers."""

import io
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import Workbook

from certification.models import (
    AssessmentAttempt,
    Enrolment,
    ModuleCompletion,
    StateLog,
    Track,
    Trainee,
    TrainingBatch,
)
from exchange.columns import KINDS

from .. import factories
from ..data import make_corpus as corpus

CORPUS = Path(corpus.__file__).parent / "corpus"


def named_batch(inst, name, track_code, capacity=200):
    return TrainingBatch.objects.create(
        institution=inst,
        track=Track.objects.get(code=track_code),
        level=4,
        name=name,
        start_date=timezone.localdate(),
        end_date=timezone.localdate(),
        capacity=capacity,
    )


@pytest.fixture
def pm_batch(inst1):
    return named_batch(inst1, corpus.PM_BATCH, "PM")


@pytest.fixture
def cr_batch(inst1):
    return named_batch(inst1, corpus.CR_BATCH, "CR")


@pytest.fixture
def other_batch(inst2):
    return named_batch(inst2, corpus.OTHER_BATCH, "PM")


def make_world(inst1_staff, inst2_staff, officer, pm_batch, to: str):
    factories.trainee(inst2_staff.institution, name="陈静", id_number=corpus.INST2_ID)
    elsewhere = factories.trainee(inst1_staff.institution, name="周杰", id_number=corpus.ENROLLED_ELSEWHERE_ID)
    factories.draft_enrolment(inst1_staff, "PM", trainee_obj=elsewhere)
    enrolled = []
    for name, id_number in zip(corpus.ENROLLED_NAMES, corpus.ENROLLED_IDS):
        trainee = factories.trainee(inst1_staff.institution, name=name, id_number=id_number)
        enrolment = factories.draft_enrolment(inst1_staff, "PM", trainee_obj=trainee, batch_obj=pm_batch)
        enrolled.append(factories.advance(enrolment, staff=inst1_staff, officer=officer, to=to))
    return enrolled


@pytest.fixture
def world(inst1_staff, inst2_staff, officer, pm_batch, cr_batch, other_batch):
    """What the corpus files refer to: both institutions' batches, a trainee registered by
    institution 2, institution 1's trainee with a PM enrolment elsewhere, and three trainees
    enrolled (approved) in the PM batch."""
    return make_world(inst1_staff, inst2_staff, officer, pm_batch, "enrolled")


@pytest.fixture
def trained_world(inst1_staff, inst2_staff, officer, pm_batch, cr_batch, other_batch):
    """The same, with the three PM enrolments' training complete: ready for exam results."""
    return make_world(inst1_staff, inst2_staff, officer, pm_batch, "trained")


def corpus_file(name: str) -> io.BytesIO:
    content = io.BytesIO((CORPUS / name).read_bytes())
    content.name = name
    return content


def snapshot() -> dict:
    """Everything an import could write, to show that a refused upload left the database untouched."""
    return {
        model.__name__: sorted(model.objects.values_list(*fields))
        for model, fields in [
            (Trainee, ("pk", "name", "id_number", "phone", "birth_date", "photo")),
            (Enrolment, ("pk", "status", "batch_id")),
            (ModuleCompletion, ("pk", "hours", "score")),
            (AssessmentAttempt, ("pk", "theory_score", "practical_score", "exam_date")),
            (StateLog, ("pk",)),
        ]
    }


def workbook_bytes(kind: str, rows: list[list], *, headers=None, keys=True) -> io.BytesIO:
    """An upload: the kind's headers and key row, then `rows` (lists of cell values in template order)."""
    columns = KINDS[kind].columns
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers if headers is not None else [c.template_header for c in columns])
    if keys:
        sheet.append([c.key for c in columns])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    out.name = f"{kind}.xlsx"
    return out


def enrolment_row(id_number=None, name="张晓明", batch=corpus.PM_BATCH, **overrides) -> list:
    return corpus.person(id_number or factories.resident_id(), name=name, batch=batch, **overrides)
