"""`manage.py seed_load --enrolments N` (docs/spec.md §10): a consistent history, written in bulk.

One data set of 2,000 enrolments is loaded for the whole module (in a transaction rolled back at
the end); each test reads it, and what a test writes is rolled back after it.
"""

import time
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from certificates import numbering, rendering, services, signing
from certificates.models import Certificate, CertificateSerial, CertificateStatus
from certification import derived_figures
from certification.identity import validate_resident_id
from certification.models import (
    AssessmentAttempt,
    AttemptOutcome,
    DerivedFiguresUpTo,
    Enrolment,
    EnrolmentFigures,
    EnrolmentStatus,
    FiguresByMonth,
    Institution,
    StageDurationsByMonth,
    StateLog,
    TrackQuota,
    Trainee,
    User,
)
from certification.models.enrolments import QUOTA_STATUSES
from demo import load
from workflows import decided_reviews
from workflows.assessment.selectors import review_queue_for
from workflows.models import (
    AssessmentProcess,
    DecidedReview,
    DecidedReviewsUpTo,
    Objection,
    ObjectionStatus,
    PublicityEntry,
)

SIZE = 2000


@pytest.fixture(scope="module")
def load_data(django_db_setup, django_db_blocker):
    """The data set, loaded once; the output of the command."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        started = time.monotonic()
        with override_settings(DEBUG=True):
            call_command("seed_load", "--enrolments", str(SIZE), stdout=out)
        print(f"\nseed_load --enrolments {SIZE}: {time.monotonic() - started:.1f} s")
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def data(load_data, db):
    return load_data


def load_enrolments():
    return Enrolment.objects.filter(batch__institution__org_code__regex=load.LOAD_CODE_REGEX)


def test_it_writes_the_number_of_enrolments_asked_for(data):
    assert load_enrolments().count() == SIZE
    assert f"{SIZE} enrolments" in data


def test_every_state_has_enrolments(data):
    counts = Counter(load_enrolments().values_list("status", flat=True))
    assert {status: counts[status] for status in EnrolmentStatus if counts[status] == 0} == {}


def test_tracks_keep_the_first_cohorts_shares(data):
    counts = Counter(load_enrolments().values_list("track__code", flat=True))
    for code, share in {"PM": 330 / 885, "CR": 299 / 885, "NM": 256 / 885}.items():
        assert abs(counts[code] / SIZE - share) < 0.06, counts


def test_every_state_log_starts_at_draft_and_ends_at_the_status(data):
    chains = defaultdict(list)
    rows = StateLog.objects.filter(enrolment__in=load_enrolments()).order_by("enrolment_id", "created_at", "pk")
    for enrolment_id, from_status, to_status, at in rows.values_list(
        "enrolment_id", "from_status", "to_status", "created_at"
    ):
        chains[enrolment_id].append((from_status, to_status, at))
    now = timezone.now()
    for enrolment_id, status, changed_at in load_enrolments().values_list("pk", "status", "status_changed_at"):
        chain = chains.get(enrolment_id, [])
        if status == EnrolmentStatus.DRAFT:
            assert chain == []
            continue
        assert chain[0][0] == EnrolmentStatus.DRAFT
        assert chain[-1][1] == status
        assert chain[-1][2] == changed_at
        for (_, to_status, at), (from_status, _, next_at) in zip(chain, chain[1:]):
            assert to_status == from_status
            assert at < next_at
        assert chain[-1][2] <= now


def test_trainees_have_valid_unique_resident_ids(data):
    numbers = list(Trainee.objects.filter(enrolments__in=load_enrolments()).values_list("id_number", flat=True))
    for number in numbers:
        validate_resident_id(number)
    assert len(set(numbers)) == len(numbers) == SIZE


def test_approved_trainees_have_their_accounts(data):
    approved = load_enrolments().filter(approved_at__isnull=False)
    assert approved.exists()
    assert not approved.filter(trainee__user__isnull=True).exists()
    assert User.objects.filter(trainee__enrolments__in=approved, groups__name="trainees").count() == approved.count()


def test_dates_spread_over_the_years_with_months_of_different_volume(data):
    per_month = Counter((d.year, d.month) for d in load_enrolments().values_list("created_at", flat=True))
    assert len(per_month) >= 34
    assert max(per_month.values()) > 2 * min(per_month.values())


def test_scores_agree_with_the_outcome_and_resits_keep_the_passed_part(data):
    attempts = AssessmentAttempt.objects.filter(enrolment__in=load_enrolments()).select_related("enrolment__track")
    by_enrolment = defaultdict(dict)
    for attempt in attempts:
        by_enrolment[attempt.enrolment_id][attempt.number] = attempt
    outcomes = Counter()
    for attempt in attempts:
        track = attempt.enrolment.track
        passed_parts = [
            attempt.theory_score is not None and attempt.theory_score >= track.pass_mark_theory,
            attempt.practical_score is not None and attempt.practical_score >= track.pass_mark_practical,
        ]
        outcomes[attempt.outcome] += 1
        if attempt.outcome == AttemptOutcome.PASSED:
            assert all(passed_parts)
        if attempt.outcome == AttemptOutcome.FAILED:
            assert not all(passed_parts)
        if attempt.number > 1:
            previous = by_enrolment[attempt.enrolment_id][attempt.number - 1]
            assert previous.outcome == AttemptOutcome.FAILED
            assert attempt.theory_carried_over == (previous.theory_score >= track.pass_mark_theory)
            if attempt.theory_carried_over:
                assert attempt.theory_score == previous.theory_score
            if attempt.practical_carried_over:
                assert attempt.practical_score == previous.practical_score
    assert outcomes[AttemptOutcome.PASSED] and outcomes[AttemptOutcome.FAILED] and outcomes[AttemptOutcome.PENDING]
    assert any(len(numbers) > 1 for numbers in by_enrolment.values())


def test_every_submitted_attempt_has_its_assessment_process(data):
    submitted = AssessmentAttempt.objects.filter(enrolment__in=load_enrolments(), submitted_at__isnull=False)
    assert AssessmentProcess.objects.filter(attempt__in=submitted).count() == submitted.count()
    open_tasks = Task.objects.filter(
        process__assessmentprocess__enrolment__in=load_enrolments(), status__in=[STATUS.NEW, STATUS.ASSIGNED]
    )
    statuses = Counter(open_tasks.values_list("flow_task", "process__assessmentprocess__enrolment__status"))
    assert {(task.name, status) for task, status in statuses} <= {
        ("review", EnrolmentStatus.UNDER_REVIEW),
        ("second_review", EnrolmentStatus.UNDER_REVIEW),
        ("correction", EnrolmentStatus.TRAINED),
    }


def test_the_review_queue_lists_every_candidate_under_review(data, client):
    officer = User.objects.get(username=load.OFFICER_USERNAME)
    under_review = set(load_enrolments().filter(status=EnrolmentStatus.UNDER_REVIEW).values_list("pk", flat=True))
    queued = set(review_queue_for(officer).values_list("process__assessmentprocess__enrolment_id", flat=True))
    assert queued == under_review

    assessor = User.objects.get(username="load-assessor01")
    first = review_queue_for(assessor).first()
    client.force_login(assessor)
    page = client.get(reverse("assessment:queue")).content.decode()
    assert first.process.assessmentprocess.enrolment.trainee.name in page


def test_certificates_exist_only_for_certified_and_revoked_enrolments(data):
    certificates = Certificate.objects.filter(enrolment__in=load_enrolments())
    statuses = Counter(certificates.values_list("enrolment__status", "status"))
    assert set(statuses) == {
        (EnrolmentStatus.CERTIFIED, CertificateStatus.VALID),
        (EnrolmentStatus.REVOKED, CertificateStatus.REVOKED),
    }
    assert certificates.count() == load_enrolments().filter(status__in=["certified", "revoked"]).count()


def test_certificate_numbers_are_well_formed_and_gap_free_per_issuer_and_year(data):
    serials = defaultdict(list)
    for certificate in Certificate.objects.select_related("enrolment__batch"):
        parsed = numbering.parse_number(certificate.number)
        assert parsed is not None and len(certificate.number) == 22
        assert (parsed.issuer_code, parsed.year, parsed.level, parsed.serial) == (
            certificate.issuer_code,
            certificate.year,
            certificate.enrolment.batch.level,
            certificate.serial,
        )
        assert certificate.issue_date.year == certificate.year
        serials[certificate.issuer_code, certificate.year].append(certificate.serial)
    assert len(serials) >= 3
    for (issuer, year), numbers in serials.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
        assert CertificateSerial.objects.get(issuer_code=issuer, year=year).last_serial == len(numbers)


def test_serials_follow_the_issue_dates(data):
    for year in Certificate.objects.values_list("year", flat=True).distinct():
        dates = list(Certificate.objects.filter(year=year).order_by("serial").values_list("issue_date", flat=True))
        assert dates == sorted(dates)


def test_the_next_real_certificate_continues_the_series(data, monkeypatch):
    monkeypatch.setattr(rendering, "render_certificate", lambda certificate: f"%PDF-1.7 {certificate.number}".encode())
    monkeypatch.setattr(signing, "sign_pdf", lambda pdf, *, number: pdf + b"\n%signed")
    officer = User.objects.get(username=load.OFFICER_USERNAME)
    ready = load_enrolments().filter(status=EnrolmentStatus.READY_TO_ISSUE).first()
    year = timezone.localdate().year
    last = Certificate.objects.filter(year=year).order_by("-serial").values_list("serial", flat=True).first() or 0

    certificate = services.issue_certificate(officer=officer, enrolment_id=ready.pk)

    assert certificate.serial == last + 1
    assert certificate.number.endswith(f"{last + 1:06d}")


def test_public_notices_hold_the_candidates_and_their_objections(data):
    reached = load_enrolments().filter(state_logs__transition="open_publicity").distinct()
    assert PublicityEntry.objects.filter(enrolment__in=load_enrolments()).count() == reached.count()
    in_publicity = load_enrolments().filter(status=EnrolmentStatus.IN_PUBLICITY)
    assert not in_publicity.filter(publicity_entries__notice__closed_at__isnull=False).exists()
    upheld = Objection.objects.filter(status=ObjectionStatus.UPHELD).values_list("entry__enrolment__status", flat=True)
    assert set(upheld) == {EnrolmentStatus.DISQUALIFIED}
    assert load_enrolments().filter(status=EnrolmentStatus.DISQUALIFIED).count() == len(upheld)


def test_quotas_cover_every_approved_enrolment(data):
    used = Counter(
        load_enrolments()
        .filter(status__in=QUOTA_STATUSES)
        .values_list("batch__institution_id", "track_id", "batch__start_date__year")
    )
    quotas = {
        (q.institution_id, q.track_id, q.year): q.quota
        for q in TrackQuota.objects.filter(institution__org_code__regex=load.LOAD_CODE_REGEX)
    }
    for key, count in used.items():
        assert quotas[key] >= count
    assert not Institution.objects.filter(org_code__regex=load.LOAD_CODE_REGEX).exclude(status="approved").exists()


def _counts_by_month() -> tuple[list, list]:
    figures = FiguresByMonth.objects.values_list(
        "moment", "month", "batch_id", "track_id", "level", "furthest_stage", "exit_status", "passed_first", "n"
    )
    durations = StageDurationsByMonth.objects.values_list("stage", "month", "batch_id", "level", "n")
    return sorted(figures, key=repr), sorted(durations)


def test_the_statistics_derived_rows_are_there_and_equal_a_derivation_afresh(data):
    kept = sorted(EnrolmentFigures.objects.values_list(*derived_figures.COLUMNS))
    kept_counts = _counts_by_month()
    kept_reviews = sorted(DecidedReview.objects.values_list(*decided_reviews.COLUMNS))
    DerivedFiguresUpTo.objects.update(last_state_log_id=0, last_enrolment_id=0)
    DecidedReviewsUpTo.objects.update(last_task_id=0)
    assert derived_figures.refresh() is True  # everything derived again, from the rows
    assert decided_reviews.refresh() is True

    assert len(kept) == Enrolment.objects.count() >= load_enrolments().count() > 0
    assert sorted(EnrolmentFigures.objects.values_list(*derived_figures.COLUMNS)) == kept
    assert _counts_by_month() == kept_counts and kept_counts[0] and kept_counts[1]
    assert sorted(DecidedReview.objects.values_list(*decided_reviews.COLUMNS)) == kept_reviews
    assert (
        len(kept_reviews) == Task.objects.filter(flow_task__in=decided_reviews.REVIEWS, status=STATUS.DONE).count() > 0
    )


def test_a_second_run_is_refused_and_nothing_is_added(data):
    with pytest.raises(CommandError, match="already has load data"), override_settings(DEBUG=True):
        call_command("seed_load", "--enrolments", "10", stdout=StringIO())
    assert load_enrolments().count() == SIZE


def test_append_adds_another_data_set_next_to_the_first(data):
    with override_settings(DEBUG=True):
        call_command("seed_load", "--enrolments", "300", "--institutions", "5", "--append", stdout=StringIO())
    assert load_enrolments().count() == SIZE + 300
    serials = defaultdict(list)
    for issuer, year, serial in Certificate.objects.values_list("issuer_code", "year", "serial"):
        serials[issuer, year].append(serial)
    for numbers in serials.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))


@override_settings(DEBUG=False)
def test_it_refuses_to_run_with_debug_off(db):
    before = Enrolment.objects.count()
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_load", "--enrolments", "10", stdout=StringIO())
    assert Enrolment.objects.count() == before
