"""`manage.py seed_demo [--cohort N] [--force]` (docs/spec.md §8): the command, how it splits a cohort, and
runs that change or top up the demo. What a seeded demo holds is read in test_seed_demo_small.py and
test_seed_demo_cohort.py, which seed once a module."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import override_settings
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from certification import vetting
from certification.identity import validate_resident_id
from certification.models import (
    Enrolment,
    EnrolmentStatus,
    EvidenceFile,
    EvidenceKind,
    Institution,
    StateLog,
    Track,
    TrackQuota,
    Trainee,
    TrainingBatch,
    User,
)
from demo import cohort as demo
from demo import people as demo_people
from workflows.flows import AssessmentFlow
from workflows.models import AssessmentProcess, Objection, ObjectionStatus, PublicityEntry, PublicityNotice

from .demo_seeding import ready_by_track, ready_cohort, seed

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    models = [
        User,
        Institution,
        TrackQuota,
        Trainee,
        TrainingBatch,
        Enrolment,
        StateLog,
        EvidenceFile,
        AssessmentProcess,
        Task,
        PublicityNotice,
        PublicityEntry,
        Objection,
    ]
    return {model.__name__: model.objects.count() for model in models}


# The split of a cohort between tracks


def test_the_first_cohort_splits_as_the_spec_says():
    assert demo_people.split_cohort(885) == {"PM": 330, "CR": 299, "NM": 256}


def test_thirty_candidates_split_eleven_ten_nine():
    assert demo_people.split_cohort(30) == {"PM": 11, "CR": 10, "NM": 9}


@pytest.mark.parametrize("total", [0, 1, 2, 7, 100, 884, 886, 1771, 5000])
def test_any_cohort_splits_into_exactly_its_size(total):
    counts = demo_people.split_cohort(total)
    assert sum(counts.values()) == total
    for code, size in demo_people.FIRST_COHORT.items():
        assert abs(counts[code] - total * size / 885) < 1


# The people


def test_demo_people_have_valid_and_unique_resident_ids():
    people = [demo_people.person(index) for index in range(3000)]
    for fields in people:
        validate_resident_id(fields["id_number"])
        assert 1970 <= fields["birth_date"].year <= 2002
        assert fields["id_number"][:4] in ("3301", "3302", "3303")
        assert int(fields["id_number"][16]) % 2 == (1 if fields["gender"] == "M" else 0)
    assert len({fields["id_number"] for fields in people}) == len(people)


def test_the_same_person_comes_out_every_time():
    assert demo_people.person(7) == demo_people.person(7)
    assert demo_people.person(7) != demo_people.person(8)


def test_organisation_codes_pass_the_check_character():
    for key, *_rest in demo_people.INSTITUTIONS:
        code = demo_people.unified_social_credit_code(*demo_people.INSTITUTIONS[key - 1][2:4])
        Institution(name="x", org_code=code).full_clean(exclude=["name"])
    # The worked example of GB 32100-2015's check character.
    assert vetting.uscc_check_character("91350100M000100Y4") == "3"


# The command


@override_settings(DEBUG=False)
def test_it_refuses_to_run_with_debug_off():
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()


@override_settings(DEBUG=False)
def test_force_runs_it_with_debug_off():
    call_command("seed_demo", "--force", stdout=StringIO())
    assert User.objects.filter(username="officer").exists()


def test_a_negative_cohort_is_refused():
    with pytest.raises(CommandError):
        seed(cohort=-1)


def test_running_it_twice_creates_nothing_twice():
    seed()
    before = row_counts()
    seed()
    assert row_counts() == before


def test_a_cohort_of_thirty_is_ready_to_issue_split_eleven_ten_nine_trainee1_included():
    output = seed(cohort=30)
    assert ready_by_track() == {"PM": 11, "CR": 10, "NM": 9}
    counts = dict(ready_cohort().order_by().values_list("track__code").annotate(n=Count("pk")))
    assert counts == {"PM": 11, "CR": 9, "NM": 9}  # trainee1 is the tenth garment-craft one
    assert "ready to issue: 29/29" in output
    assert "First cohort of 30 (PM 11, CR 10, NM 9)" in output
    assert "1 demo trainee(s) already there count towards it, 29 cohort candidates make the rest" in output
    assert "29 registered, 29 moved to ready to issue, 0 already there, 0 left as they were" in output


def test_the_first_cohort_of_885_is_made_of_884_candidates_and_trainee1():
    assert demo_people.cohort_sizes(885, counted={"CR": 1}) == {"PM": 330, "CR": 298, "NM": 256}
    assert demo_people.cohort_sizes(9735, counted={"CR": 1}) == {"PM": 3630, "CR": 3288, "NM": 2816}


def test_a_track_whose_share_the_demo_trainees_already_fill_gets_no_candidate():
    assert demo_people.cohort_sizes(1, counted={"CR": 1}) == {"PM": 1, "CR": 0, "NM": 0}


def test_pattern_making_candidates_have_their_3d_model_evidence():
    seed(cohort=6)
    for enrolment in ready_cohort().filter(track__code="PM"):
        evidence = enrolment.current_attempt.evidence_files.get()
        assert evidence.kind == EvidenceKind.MODEL_3D
        assert evidence.file.read().startswith(b"# seed_demo")


def test_a_second_cohort_run_tops_up_without_duplicates():
    seed(cohort=6)
    seed(cohort=6)
    assert ready_by_track() == {"PM": 2, "CR": 2, "NM": 2}
    seed(cohort=15)
    assert ready_by_track() == demo_people.split_cohort(15) == {"PM": 6, "CR": 5, "NM": 4}
    assert ready_cohort().count() == 14
    assert PublicityNotice.objects.filter(title__contains="第二批").count() == 3  # the top-up's notices
    assert Trainee.objects.count() == len(demo.DEMO_TRAINEES) + 14


def test_a_demo_trainee_who_gets_there_later_makes_the_next_top_up_one_smaller():
    seed(cohort=6)  # PM 2, CR 2 (trainee1 and one candidate), NM 2
    passed = Enrolment.objects.get(status=EnrolmentStatus.PASSED, batch__name__contains="培训班")
    assert passed.track.code == "NM"
    demo.advance(passed, to=EnrolmentStatus.READY_TO_ISSUE, cast=demo_people.ensure_cast())
    output = seed(cohort=15)  # NM 4: the demo trainee and 3 candidates, one of them new
    assert ready_by_track() == {"PM": 6, "CR": 5, "NM": 4}
    assert "2 demo trainee(s) already there count towards it, 13 cohort candidates make the rest" in output
    assert "8 registered" in output and "5 already there" in output


def test_a_full_batch_opens_the_next_one(monkeypatch):
    seed()
    monkeypatch.setattr(demo_people, "BATCH_CAPACITY", 2)
    seed(cohort=24)  # PM 9, CR 7 (and trainee1), NM 7: per institution 5+4, 4+3, 4+3, so 3+2, 2+2, 2+2 batches
    assert ready_cohort().count() == 23
    batches = TrainingBatch.objects.filter(name__contains="认定班")
    assert batches.count() == 13
    assert all(batch.enrolments.count() <= 2 for batch in batches)


# Through the assessment flow and the public notice


def test_a_track_that_needs_two_sign_offs_gets_two_different_assessors():
    Track.objects.filter(code="PM").update(reviewers_required=2)
    seed(cohort=6)
    pm = ready_cohort().filter(track__code="PM")
    assert pm.count() == 2
    for enrolment in pm:
        process = AssessmentProcess.objects.get(enrolment=enrolment)
        first = Task.objects.get(process=process, flow_task=AssessmentFlow.review)
        second = Task.objects.get(process=process, flow_task=AssessmentFlow.second_review)
        assert {first.status, second.status} == {STATUS.DONE}
        assert first.owner_id != second.owner_id
        assert sorted(process.data["sign_offs"]) == sorted([first.owner_id, second.owner_id])


def test_a_second_cohort_run_starts_no_process_and_opens_no_notice():
    seed(cohort=12)
    before = row_counts()
    output = seed(cohort=12)
    assert row_counts() == before
    assert "0 registered" in output and "11 already there" in output


# Something waiting for each role in the small demo


def test_a_candidate_stays_in_an_open_notice_with_an_objection_even_after_a_cohort(client):
    seed(cohort=6)
    in_notice = Enrolment.objects.get(status=EnrolmentStatus.IN_PUBLICITY)
    entry = PublicityEntry.objects.select_related("notice").get(enrolment=in_notice)
    assert entry.notice.closed_at is None
    assert entry.objections.get().status == ObjectionStatus.OPEN
    response = client.get("/publicity/")
    assert entry.notice.title in response.content.decode()
