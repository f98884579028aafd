"""One run per enrolment, held by the database: two officers pressing "issue everything ready" at
the same moment get one run between them, and the other a clear message (docs/spec.md §6)."""

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.db.models.signals import pre_save

from certificates import services
from certificates.models import IssuanceItem, IssuanceRun
from core.errors import StaleState

from .conftest import ready_enrolments


@pytest.fixture
def cohort(inst1_staff, officer, assessor):
    return ready_enrolments(inst1_staff, officer, assessor, 5)


def test_the_database_refuses_a_second_waiting_item_for_the_same_enrolment(cohort, officer):
    first = IssuanceRun.objects.create(officer=officer, total=1)
    second = IssuanceRun.objects.create(officer=officer, total=1)
    IssuanceItem.objects.create(run=first, enrolment=cohort[0])

    with pytest.raises(IntegrityError), transaction.atomic():
        IssuanceItem.objects.create(run=second, enrolment=cohort[0])


def test_an_issued_item_does_not_hold_its_enrolment(cohort, officer):
    first = IssuanceRun.objects.create(officer=officer, total=1)
    IssuanceItem.objects.create(run=first, enrolment=cohort[0], status="issued")
    second = IssuanceRun.objects.create(officer=officer, total=1)

    IssuanceItem.objects.create(run=second, enrolment=cohort[0])

    assert IssuanceItem.objects.filter(enrolment=cohort[0]).count() == 2


def test_a_run_started_while_another_took_the_same_enrolments_is_refused_with_a_clear_message(cohort, officer):
    """The second request read its candidates before the first committed (simulated: the first
    run's items appear just before the second run is saved, in the same transaction here)."""
    other = IssuanceRun.objects.create(officer=officer, total=len(cohort))

    def first_request_commits_meanwhile(sender, instance, **kwargs):
        if instance.pk is None:
            IssuanceItem.objects.bulk_create([IssuanceItem(run=other, enrolment=e) for e in cohort])

    pre_save.connect(first_request_commits_meanwhile, sender=IssuanceRun)
    try:
        with pytest.raises(StaleState) as refused:
            services.start_issuance(officer=officer, enqueue=False)
    finally:
        pre_save.disconnect(first_request_commits_meanwhile, sender=IssuanceRun)

    assert "at the same time" in refused.value.message
    assert list(IssuanceRun.objects.all()) == [other]  # the second request made no run


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two transactions at once need PostgreSQL")
def test_two_simultaneous_issue_all_requests_make_one_run(cohort, officer):
    # Both requests have read their candidates before either saves its run: the race of two clicks.
    both_have_read = threading.Barrier(2, timeout=30)

    def wait_for_the_other(sender, instance, **kwargs):
        if instance.pk is None:
            both_have_read.wait()

    started, refused, errors = [], [], []

    def request():
        try:
            started.append(services.start_issuance(officer=officer, enqueue=False))
        except StaleState as error:
            refused.append(error)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    pre_save.connect(wait_for_the_other, sender=IssuanceRun)
    try:
        threads = [threading.Thread(target=request) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        pre_save.disconnect(wait_for_the_other, sender=IssuanceRun)

    assert errors == []
    assert len(started) == 1 and len(refused) == 1
    assert IssuanceRun.objects.count() == 1
    run = IssuanceRun.objects.get()
    assert run.total == len(cohort) == run.items.count()
    assert IssuanceItem.objects.count() == len(cohort)
