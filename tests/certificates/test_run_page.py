"""A run's page: the progress bar (and its JSON for the page's script), what was not issued, and a
resume button when the run stopped making progress."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates import issuance, services
from certificates.models import IssuanceRun
from certification import services as lifecycle

from .conftest import ready_enrolments


@pytest.fixture
def run(inst1_staff, officer, assessor):
    ready_enrolments(inst1_staff, officer, assessor, 3)
    return services.start_issuance(officer=officer, enqueue=False)


def process(run, count=None):
    item_ids = list(run.items.order_by("pk").values_list("pk", flat=True))[:count]
    issuance.process_items(run_id=run.pk, item_ids=item_ids)


def test_it_shows_the_progress(client, officer, run, fast_rendering):
    process(run, 2)
    client.force_login(officer)

    body = client.get(reverse("certificates:run", args=[run.pk])).content.decode()

    assert '<progress max="3" value="2"' in body
    assert reverse("certificates:run_progress", args=[run.pk]) in body
    assert "run-progress.js" in body


def test_the_progress_json_feeds_the_bar(client, officer, run, fast_rendering):
    process(run, 2)
    client.force_login(officer)

    data = client.get(reverse("certificates:run_progress", args=[run.pk])).json()

    assert (data["total"], data["issued"], data["pending"], data["finished"]) == (3, 2, 1, False)
    assert data["summary"]


def test_a_stalled_run_offers_a_resume_that_queues_its_work(client, officer, run):
    IssuanceRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(hours=1))
    client.force_login(officer)

    body = client.get(reverse("certificates:run", args=[run.pk])).content.decode()
    response = client.post(reverse("certificates:run_resume", args=[run.pk]))

    from django_tasks_db.models import DBTaskResult

    assert reverse("certificates:run_resume", args=[run.pk]) in body
    assert response.status_code == 302
    assert DBTaskResult.objects.count() == 1
    run.refresh_from_db()
    assert run.resumed_count == 1


def test_a_finished_run_cannot_be_resumed(client, officer, run, fast_rendering):
    process(run)
    client.force_login(officer)

    assert client.post(reverse("certificates:run_resume", args=[run.pk])).status_code == 409


def test_what_was_not_issued_is_listed_with_the_reason(client, officer, inst1_staff, run, fast_rendering):

    skipped = run.items.order_by("pk").first().enrolment
    lifecycle.withdraw(actor=inst1_staff, enrolment_id=skipped.pk, reason="moved away")
    process(run)
    client.force_login(officer)

    body = client.get(reverse("certificates:run", args=[run.pk])).content.decode()

    assert skipped.trainee.name in body


def test_other_roles_are_refused_and_anonymous_sent_to_log_in(client, run, inst1_staff):
    url = reverse("certificates:run", args=[run.pk])
    assert client.get(url).status_code == 302
    client.force_login(inst1_staff)
    assert client.get(url).status_code == 403
    assert client.get(reverse("certificates:run_progress", args=[run.pk])).status_code == 403


def test_an_unknown_run_is_not_found(client, officer, db):
    client.force_login(officer)

    assert client.get(reverse("certificates:run", args=[999])).status_code == 404


def test_the_query_count_does_not_grow_with_certificates(client, officer, inst1_staff, assessor, fast_rendering):
    ready_enrolments(inst1_staff, officer, assessor, 1)
    small = services.start_issuance(officer=officer, enqueue=False)
    process(small)
    ready_enrolments(inst1_staff, officer, assessor, 5)
    large = services.start_issuance(officer=officer, enqueue=False)
    process(large)
    client.force_login(officer)

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("certificates:run", args=[small.pk]))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("certificates:run", args=[large.pk]))

    assert len(many) == len(one)


def test_the_issuance_page_says_what_the_run_page_says(client, officer, run, fast_rendering):
    """One sentence for a run's state, from the same counts, on both pages and in the JSON."""
    process(run, 2)
    client.force_login(officer)
    for expected in ("In progress: 2 of 3 done.", "Stopped at 2 of 3"):
        if expected.startswith("Stopped"):
            IssuanceRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(hours=1))
            run.items.update(finished_at=timezone.now() - timedelta(hours=1))
        issuance_page = client.get(reverse("certificates:issuance"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        run_page = client.get(reverse("certificates:run", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        data = client.get(reverse("certificates:run_progress", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="en").json()
        assert expected in issuance_page and expected in run_page and data["state"].startswith(expected)
    process(run)
    issuance_page = client.get(reverse("certificates:issuance"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Finished: 3 issued." in issuance_page and 'data-run-state="finished"' in issuance_page
