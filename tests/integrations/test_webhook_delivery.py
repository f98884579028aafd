"""Webhooks against a real HTTP receiver on a loopback port (docs/spec.md §11): the event is written
with the move and signed; a failure is retried with backoff; a rolled-back move sends nothing;
redirects are not followed; a slow endpoint times out; every attempt is kept."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from certification import services as lifecycle
from integrations import services
from integrations.models import DeliveryStatus, EventType, WebhookAttempt, WebhookDelivery
from integrations.webhooks import delivery, signing, tasks

from .. import factories


@pytest.fixture
def endpoint(inst1_staff, receiver):
    endpoint, secret = services.register_endpoint(
        staff=inst1_staff, url=receiver.url, events=[EventType.ENROLMENT_APPROVED, EventType.ENROLMENT_REJECTED]
    )
    endpoint.plain_secret = secret
    return endpoint


def approve(submitted_enrolment, officer):
    lifecycle.approve_enrolments(officer=officer, enrolment_ids=[submitted_enrolment.pk])


def test_an_approval_reaches_the_receiver_signed(endpoint, receiver, submitted_enrolment, officer):
    approve(submitted_enrolment, officer)

    totals = delivery.send_due()

    assert totals == {"delivered": 1, "failed": 0}
    (received,) = receiver.received
    body = json.loads(received.body)
    assert body["type"] == "enrolment.approved" and body["data"]["enrolment"] == submitted_enrolment.pk
    assert received.headers[signing.EVENT_HEADER] == "enrolment.approved"
    assert received.headers[signing.ID_HEADER] == body["id"]
    # What a receiver does, by hand: HMAC-SHA256 of "<timestamp>.<raw body>" with the secret.
    timestamp = received.headers[signing.TIMESTAMP_HEADER]
    expected = hmac.new(endpoint.plain_secret.encode(), f"{timestamp}.".encode() + received.body, hashlib.sha256)
    assert received.headers[signing.SIGNATURE_HEADER] == "sha256=" + expected.hexdigest()
    assert signing.verify(endpoint.plain_secret, timestamp, received.body, received.headers[signing.SIGNATURE_HEADER])
    assert not signing.verify("whsec_wrong", timestamp, received.body, received.headers[signing.SIGNATURE_HEADER])
    sent = WebhookDelivery.objects.get()
    assert sent.status == DeliveryStatus.DELIVERED and sent.attempts == 1
    attempt = WebhookAttempt.objects.get()
    assert attempt.succeeded and attempt.response_code == 200 and attempt.error == ""


def test_only_the_events_the_endpoint_chose_are_written(endpoint, inst1_staff, officer):
    enrolment = factories.advance(
        factories.draft_enrolment(inst1_staff, "PM"), staff=inst1_staff, officer=officer, to="trained"
    )
    lifecycle.withdraw(actor=inst1_staff, enrolment_id=enrolment.pk, reason="moved away")

    # Submitted, approved, trained, withdrawn: only the approval was chosen.
    assert list(WebhookDelivery.objects.values_list("event_type", flat=True)) == ["enrolment.approved"]


def test_another_institutions_moves_are_not_sent(endpoint, inst2_staff, officer):
    other = factories.advance(
        factories.draft_enrolment(inst2_staff, "PM"), staff=inst2_staff, officer=officer, to="submitted"
    )

    lifecycle.approve_enrolments(officer=officer, enrolment_ids=[other.pk])

    assert not WebhookDelivery.objects.exists()


def test_a_failure_is_retried_with_backoff_until_it_succeeds(endpoint, receiver, submitted_enrolment, officer):
    receiver.answers = [500, 200]
    approve(submitted_enrolment, officer)
    now = timezone.now()

    first = delivery.send_due(now=now)
    waiting = WebhookDelivery.objects.get()
    nothing_yet = delivery.send_due(now=now + timedelta(seconds=5))
    second = delivery.send_due(now=now + delivery.backoff(1) + timedelta(seconds=1))

    assert first == {"delivered": 0, "failed": 1}
    assert waiting.status == DeliveryStatus.PENDING and waiting.next_attempt_at > now
    assert nothing_yet == {"delivered": 0, "failed": 0}
    assert second == {"delivered": 1, "failed": 0}
    assert len(receiver.received) == 2
    assert receiver.received[0].headers[signing.ID_HEADER] == receiver.received[1].headers[signing.ID_HEADER]
    attempts = list(WebhookAttempt.objects.order_by("pk"))
    assert [(a.response_code, a.succeeded) for a in attempts] == [(500, False), (200, True)]
    assert attempts[0].error == "HTTP 500"
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


def test_the_backoff_doubles_and_is_capped():
    assert [delivery.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert delivery.backoff(40) == delivery.LONGEST_WAIT


def test_after_the_last_attempt_the_delivery_counts_as_failed(endpoint, receiver, submitted_enrolment, officer):
    receiver.answers = [503]
    approve(submitted_enrolment, officer)
    WebhookDelivery.objects.update(attempts=delivery.MAX_ATTEMPTS - 1)

    delivery.send_due(now=timezone.now())

    assert WebhookDelivery.objects.get().status == DeliveryStatus.FAILED


def test_a_rolled_back_move_sends_nothing(
    endpoint, receiver, submitted_enrolment, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        approve(submitted_enrolment, officer)
        assert WebhookDelivery.objects.count() == 1  # written with the move...
        raise RuntimeError("something later in the same transaction failed")

    assert not WebhookDelivery.objects.exists()  # ...and gone with it
    assert callbacks == []
    assert delivery.send_due() == {"delivered": 0, "failed": 0}
    assert receiver.received == []


def test_a_committed_move_queues_one_task_run_that_delivers(
    endpoint, receiver, officer, inst1_staff, django_capture_on_commit_callbacks
):
    submitted = [
        factories.advance(
            factories.draft_enrolment(inst1_staff, "PM"), staff=inst1_staff, officer=officer, to="submitted"
        )
        for _ in range(2)
    ]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        lifecycle.approve_enrolments(officer=officer, enrolment_ids=[e.pk for e in submitted])

    assert len(callbacks) == 1  # one run for the transaction, however many events
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.get(task_path=tasks.deliver_webhooks.module_path)
    assert queued.status == "READY"
    result = tasks.deliver_webhooks.call()
    assert result == {"delivered": 2, "failed": 0}
    assert len(receiver.received) == 2


def test_a_failed_run_queues_its_retry_for_when_it_is_due(endpoint, receiver, submitted_enrolment, officer):
    from django_tasks_db.models import DBTaskResult

    receiver.answers = [500]
    approve(submitted_enrolment, officer)

    tasks.deliver_webhooks.call()

    retry = DBTaskResult.objects.get(task_path=tasks.deliver_webhooks.module_path, status="READY")
    assert retry.run_after == WebhookDelivery.objects.get().next_attempt_at


def test_a_redirect_is_not_followed(endpoint, receiver, submitted_enrolment, officer):
    receiver.answers = [("redirect", "http://127.0.0.1:9/elsewhere")]
    approve(submitted_enrolment, officer)

    delivery.send_due(now=timezone.now())

    assert [r.path for r in receiver.received] == ["/hooks"]
    attempt = WebhookAttempt.objects.get()
    assert attempt.response_code == 302 and not attempt.succeeded
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING


def test_a_slow_endpoint_times_out(endpoint, receiver, submitted_enrolment, officer, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    receiver.answers = [("sleep", 3, 200)]
    approve(submitted_enrolment, officer)

    delivery.send_due(now=timezone.now())

    attempt = WebhookAttempt.objects.get()
    assert not attempt.succeeded and attempt.response_code is None
    assert "timed out" in attempt.error.lower() or "timeout" in attempt.error.lower()
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING


def test_an_endpoint_switched_off_gets_nothing_more(endpoint, receiver, submitted_enrolment, officer, inst1_staff):
    approve(submitted_enrolment, officer)
    services.set_endpoint_active(staff=inst1_staff, endpoint_id=endpoint.pk, active=False)

    delivery.send_due(now=timezone.now())

    assert receiver.received == []
    assert WebhookDelivery.objects.get().status == DeliveryStatus.FAILED


def test_issue_and_revoke_carry_the_certificate_number(inst1_staff, receiver, certificates):
    endpoint, _secret = services.register_endpoint(
        staff=inst1_staff, url=receiver.url, events=[EventType.CERTIFICATE_REVOKED]
    )
    from certificates import services as certificate_services

    certificate_services.revoke_certificate(
        officer=certificates.valid.issued_by, certificate_id=certificates.valid.pk, reason="证书信息有误"
    )

    sent = WebhookDelivery.objects.get(endpoint=endpoint)
    assert sent.event_type == "certificate.revoked"
    assert sent.payload["data"]["certificate"] == certificates.valid.number
    assert sent.payload["data"]["reason"] == "证书信息有误"


def test_an_issued_certificate_is_told_with_its_number(inst1_staff, officer, assessor, receiver, fast_rendering):
    from certificates import services as certificate_services

    from ..certificates.conftest import ready_enrolments

    endpoint, _secret = services.register_endpoint(
        staff=inst1_staff, url=receiver.url, events=[EventType.CERTIFICATE_ISSUED]
    )
    (ready,) = ready_enrolments(inst1_staff, officer, assessor, 1)

    certificate = certificate_services.issue_certificate(officer=officer, enrolment_id=ready.pk)
    delivery.send_due(now=timezone.now())

    sent = WebhookDelivery.objects.get(endpoint=endpoint)
    assert sent.event_type == "certificate.issued" and sent.payload["data"]["certificate"] == certificate.number
    assert json.loads(receiver.received[0].body)["data"]["certificate"] == certificate.number


def test_the_scheduler_queues_a_delivery_a_dead_worker_left(endpoint, submitted_enrolment, officer):
    from django_tasks_db.models import DBTaskResult

    from core import periodic

    approve(submitted_enrolment, officer)
    # Claimed by a worker that died: leased, never sent, no run queued for it.
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() + delivery.LEASE)
    assert not DBTaskResult.objects.filter(task_path=tasks.deliver_webhooks.module_path).exists()

    for job in periodic.jobs():  # what `manage.py run_scheduler` runs each round
        job()

    queued = DBTaskResult.objects.get(task_path=tasks.deliver_webhooks.module_path, status="READY")
    assert queued.run_after == WebhookDelivery.objects.get().next_attempt_at
