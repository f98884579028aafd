"""Batch issuance (docs/spec.md §6): a run per batch or for everything ready, tasks in chunks, and a run
that stopped half-way resumes with no gap and no duplicate in the numbers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from certificates import issuance, numbering, selectors, services
from certificates.models import Certificate, CertificateStatus, IssuanceItem, IssuanceRun, ItemStatus
from certification import services as lifecycle
from certification.models import EnrolmentStatus
from core.errors import InvalidInput, MoveForbidden, StaleState

from .conftest import ready_enrolments


@pytest.fixture
def immediate_tasks(settings):
    """Tasks run as soon as they are queued (the worker's job, done in the test's process)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def cohort(inst1_staff, officer, assessor):
    return ready_enrolments(inst1_staff, officer, assessor, 12)


def serials() -> list[int]:
    return sorted(Certificate.objects.values_list("serial", flat=True))


def process_all(run) -> None:
    item_ids = list(run.items.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(item_ids), services.CHUNK_SIZE):
        issuance.process_items(run_id=run.pk, item_ids=item_ids[start : start + services.CHUNK_SIZE])


def test_a_run_issues_every_ready_enrolment_of_the_batch(
    cohort, officer, fast_rendering, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_issuance(officer=officer, batch_id=cohort[0].batch_id)

    run.refresh_from_db()
    assert run.total == 12 and run.is_finished
    assert serials() == list(range(1, 13))
    assert set(Certificate.objects.values_list("status", flat=True)) == {CertificateStatus.VALID}
    assert all(e.status == EnrolmentStatus.CERTIFIED for e in [type(cohort[0]).objects.get(pk=c.pk) for c in cohort])
    assert not run.items.exclude(status=ItemStatus.ISSUED).exists()


def test_the_run_is_queued_in_chunks_once_committed(cohort, officer, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        services.start_issuance(officer=officer, batch_id=cohort[0].batch_id)

    assert DBTaskResult.objects.count() == 2  # 12 items, 10 a chunk


def test_a_run_over_everything_ready_spans_batches(
    inst1_staff, inst2_staff, officer, assessor, assessor2, fast_rendering
):
    ready_enrolments(inst1_staff, officer, assessor, 2, track_code="PM")
    ready_enrolments(inst2_staff, officer, assessor2, 2, track_code="CR")

    run = services.start_issuance(officer=officer, enqueue=False)
    process_all(run)

    assert run.total == 4
    assert serials() == [1, 2, 3, 4]


def test_nothing_ready_is_refused(officer, enrolled_enrolment):
    with pytest.raises(InvalidInput):
        services.start_issuance(officer=officer, enqueue=False)


def test_only_an_officer_starts_a_run(cohort, inst1_staff):
    with pytest.raises(MoveForbidden):
        services.start_issuance(officer=inst1_staff, enqueue=False)


def test_an_enrolment_waiting_in_an_unfinished_run_is_not_queued_twice(cohort, officer):
    services.start_issuance(officer=officer, enqueue=False)

    with pytest.raises(InvalidInput):
        services.start_issuance(officer=officer, enqueue=False)


def test_a_worker_killed_between_numbering_and_storing_resumes_without_gap_or_duplicate(
    cohort, officer, fast_rendering, monkeypatch
):
    run = services.start_issuance(officer=officer, enqueue=False)
    item_ids = list(run.items.order_by("pk").values_list("pk", flat=True))
    issuance.process_items(run_id=run.pk, item_ids=item_ids[:5])

    def killed(certificate_ids):
        raise KeyboardInterrupt("worker killed while rendering")

    with monkeypatch.context() as patch:
        patch.setattr(issuance, "freeze", killed)
        with pytest.raises(KeyboardInterrupt):
            issuance.process_items(run_id=run.pk, item_ids=item_ids[5:10])
    assert Certificate.objects.filter(status=CertificateStatus.PENDING).count() == 5

    services.resume_issuance(officer=officer, run_id=run.pk, enqueue=False)
    process_all(run)

    run.refresh_from_db()
    assert run.is_finished
    assert serials() == list(range(1, 13))
    assert Certificate.objects.filter(status=CertificateStatus.VALID).count() == 12
    assert Certificate.objects.values("enrolment").distinct().count() == 12


def test_a_worker_killed_while_numbering_leaves_nothing_of_its_chunk(cohort, officer, fast_rendering, monkeypatch):
    run = services.start_issuance(officer=officer, enqueue=False)
    item_ids = list(run.items.order_by("pk").values_list("pk", flat=True))
    calls = []
    original = issuance.new_certificate

    def dies_on_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt("worker killed while numbering")
        return original(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(issuance, "new_certificate", dies_on_the_third)
        with pytest.raises(KeyboardInterrupt):
            issuance.process_items(run_id=run.pk, item_ids=item_ids[:10])

    assert not Certificate.objects.exists()
    process_all(run)
    assert serials() == list(range(1, 13))


def test_an_item_withdrawn_meanwhile_is_skipped_with_the_reason(cohort, officer, inst1_staff, fast_rendering):
    run = services.start_issuance(officer=officer, enqueue=False)
    lifecycle.withdraw(actor=inst1_staff, enrolment_id=cohort[3].pk, reason="moved away")

    process_all(run)

    item = run.items.get(enrolment=cohort[3])
    assert item.status == ItemStatus.SKIPPED and item.message
    assert serials() == list(range(1, 12))
    assert selectors.run_progress(run)["skipped"] == 1


def test_an_item_issued_meanwhile_counts_as_issued_once(cohort, officer, fast_rendering):
    run = services.start_issuance(officer=officer, enqueue=False)
    single = services.issue_certificate(officer=officer, enrolment_id=cohort[0].pk)

    process_all(run)

    item = run.items.get(enrolment=cohort[0])
    assert (item.status, item.certificate) == (ItemStatus.ISSUED, single)
    assert Certificate.objects.filter(enrolment=cohort[0]).count() == 1
    assert serials() == list(range(1, 13))


def test_a_failed_render_keeps_its_number_and_waits_for_a_resume(cohort, officer, fast_rendering, monkeypatch):
    run = services.start_issuance(officer=officer, enqueue=False)
    stub = issuance.rendering.render_certificate

    def broken_for_the_second(certificate):
        if certificate.serial == 2:
            raise OSError("photo unreadable")
        return stub(certificate)

    with monkeypatch.context() as patch:
        patch.setattr(issuance.rendering, "render_certificate", broken_for_the_second)
        process_all(run)

    item = run.items.get(certificate__serial=2)
    assert item.status == ItemStatus.PENDING and "photo unreadable" in item.message
    assert not IssuanceRun.objects.get(pk=run.pk).is_finished
    assert [item] == list(selectors.problem_items(run))

    services.resume_issuance(officer=officer, run_id=run.pk, enqueue=False)
    process_all(run)
    assert IssuanceRun.objects.get(pk=run.pk).is_finished
    assert serials() == list(range(1, 13))


def test_resuming_a_finished_run_is_refused(cohort, officer, fast_rendering):
    run = services.start_issuance(officer=officer, enqueue=False)
    process_all(run)

    with pytest.raises(StaleState):
        services.resume_issuance(officer=officer, run_id=run.pk, enqueue=False)


def test_progress_counts_and_stall(cohort, officer, fast_rendering, settings):
    run = services.start_issuance(officer=officer, enqueue=False)
    issuance.process_items(run_id=run.pk, item_ids=list(run.items.order_by("pk").values_list("pk", flat=True)[:10]))

    progress = selectors.run_progress(run)
    assert (progress["done"], progress["pending"], progress["percent"], progress["finished"]) == (10, 2, 83, False)
    assert not progress["stalled"]

    IssuanceItem.objects.filter(run=run).update(finished_at=timezone.now() - timedelta(minutes=10))
    IssuanceRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    run.refresh_from_db()
    assert selectors.run_progress(run)["stalled"]


def test_numbers_continue_from_the_last_one_of_the_year(cohort, officer, fast_rendering):
    services.issue_certificate(officer=officer, enrolment_id=cohort[0].pk)
    run = services.start_issuance(officer=officer, enqueue=False)
    process_all(run)

    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    assert [numbering.parse_number(n).serial for n in numbers] == list(range(1, 13))


def test_a_refusal_in_a_chunk_rolls_back_the_chunk_attempt_and_the_others_keep_their_numbers_and_photos(
    cohort, officer, inst1_staff, fast_rendering
):
    from certification.photos import make_placeholder_photo

    for enrolment in cohort[:4]:
        enrolment.trainee.photo.save("photo.png", make_placeholder_photo(enrolment.trainee.name), save=True)
    run = services.start_issuance(officer=officer, enqueue=False)
    lifecycle.withdraw(actor=inst1_staff, enrolment_id=cohort[2].pk, reason="moved away")

    process_all(run)

    issued = {c.enrolment_id: c for c in Certificate.objects.filter(enrolment__in=cohort[:4])}
    assert sorted(issued) == sorted([cohort[0].pk, cohort[1].pk, cohort[3].pk])
    assert [issued[e.pk].serial for e in (cohort[0], cohort[1], cohort[3])] == [1, 2, 3]
    for enrolment in (cohort[0], cohort[1], cohort[3]):
        enrolment.trainee.refresh_from_db()
        with issued[enrolment.pk].photo.open("rb") as copy, enrolment.trainee.photo.open("rb") as original:
            assert copy.read() == original.read()
    assert run.items.get(enrolment=cohort[2]).status == ItemStatus.SKIPPED


def test_a_task_worker_loads_the_renderer_and_freezes_its_long_lived_objects_before_and_after_its_first_task(
    cohort, officer, fast_rendering, immediate_tasks, django_capture_on_commit_callbacks
):
    import gc

    from certificates import rendering, tasks

    tasks.settle_worker.cache_clear()
    tasks.settle_after_first_certificates.cache_clear()
    gc.unfreeze()

    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_issuance(officer=officer, batch_id=cohort[0].batch_id)  # two tasks, run at once

    frozen = gc.get_freeze_count()
    assert frozen > 0 and rendering.CURRENT_TEMPLATE_VERSION in rendering._renderers
    # Once before the first task and once after it; the second task froze nothing more.
    assert tasks.settle_worker.cache_info().misses == 1
    assert tasks.settle_after_first_certificates.cache_info().misses == 1
    run.refresh_from_db()
    assert run.is_finished
    gc.unfreeze()
