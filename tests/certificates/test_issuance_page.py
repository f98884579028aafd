"""The officer's issuance page: batches ready to issue, one click per batch or for everything ready."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certificates.models import Certificate, IssuanceRun

from .. import factories
from .conftest import ready_enrolments

URL = reverse("certificates:issuance")


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_it_lists_the_batches_ready_to_issue(client, officer, ready_enrolment):
    client.force_login(officer)

    body = client.get(URL).content.decode()

    assert ready_enrolment.batch.name in body
    assert 'name="batch" value="all"' in body


def test_issuing_a_batch_starts_a_run_and_shows_its_progress(
    client, officer, ready_enrolment, fast_rendering, immediate_tasks, django_capture_on_commit_callbacks
):
    client.force_login(officer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"batch": ready_enrolment.batch_id})

    run = IssuanceRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("certificates:run", args=[run.pk])
    assert Certificate.objects.get().enrolment == ready_enrolment


def test_issuing_everything_ready_covers_every_batch(client, officer, inst1_staff, inst2_staff, assessor, assessor2):
    ready_enrolments(inst1_staff, officer, assessor, 1, track_code="PM")
    ready_enrolments(inst2_staff, officer, assessor2, 1, track_code="CR")
    client.force_login(officer)

    client.post(URL, {"batch": "all"})

    assert IssuanceRun.objects.get().total == 2


def test_nothing_ready_gives_the_reason(client, officer, enrolled_enrolment):
    client.force_login(officer)

    response = client.post(URL, {"batch": "all"})

    assert response.status_code == 400
    assert "Nothing is ready" in response.content.decode()


def test_a_bad_choice_is_refused(client, officer, ready_enrolment):
    client.force_login(officer)

    assert client.post(URL, {"batch": "drop table"}).status_code == 400
    assert client.post(URL, {"batch": "999999"}).status_code == 400


def test_anonymous_is_sent_to_log_in(client, db):
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("who", ["inst1_staff", "assessor"])
def test_other_roles_are_refused(client, request, ready_enrolment, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"batch": "all"}).status_code == 403
    assert not IssuanceRun.objects.exists()


def test_the_query_count_does_not_grow_with_batches(client, officer, inst1_staff, assessor):
    client.force_login(officer)
    ready_enrolments(inst1_staff, officer, assessor, 1)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    for _ in range(3):
        ready_enrolments(inst1_staff, officer, assessor, 1, batch=factories.batch(inst1_staff.institution, "NM"))
    with CaptureQueriesContext(connection) as many:
        client.get(URL)

    assert len(many) == len(one)
