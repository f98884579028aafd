"""Sending the webhook outbox (docs/spec.md §11), as notifications.delivery sends e-mail.

Due deliveries are claimed (next attempt pushed a lease ahead, rows locked with SKIP LOCKED on
PostgreSQL) so two workers never send the same one; each attempt is recorded with its answer; a
failure waits with exponential backoff (30 s, 1, 2, 4 ... minutes, at most six hours) and after
MAX_ATTEMPTS the delivery counts as failed. The request itself happens outside any transaction.
"""

import json
import time
from datetime import datetime, timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from ..models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from . import signing, transport

LEASE = timedelta(minutes=2)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=6)
# About two days of trying.
MAX_ATTEMPTS = 15
BATCH = 50


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()


def _claim(now: datetime) -> list[WebhookDelivery]:
    with transaction.atomic():
        due = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now).order_by(
            "next_attempt_at", "pk"
        )
        ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:BATCH])
        WebhookDelivery.objects.filter(pk__in=ids).update(next_attempt_at=now + LEASE)
    return list(WebhookDelivery.objects.filter(pk__in=ids).select_related("endpoint").order_by("pk"))


def send_due(*, now: datetime | None = None) -> dict[str, int]:
    """Send what is due until nothing is; counts of delivered and failed attempts."""
    totals = {"delivered": 0, "failed": 0}
    while True:
        claimed = _claim(now or timezone.now())
        if not claimed:
            return totals
        for delivery in claimed:
            succeeded = attempt(delivery)
            totals["delivered" if succeeded else "failed"] += 1
        if now is not None and len(claimed) < BATCH:
            return totals


def attempt(delivery: WebhookDelivery) -> bool:
    """One try: sign, POST, record the attempt and what happens next. True when it was delivered."""
    endpoint = delivery.endpoint
    started_at = timezone.now()
    if not endpoint.is_active:
        answer = transport.Answer(None, 0, "the endpoint was switched off")
    else:
        body = body_of(delivery)
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "fashion-certification-webhooks/1",
            signing.ID_HEADER: str(delivery.event_id),
            signing.EVENT_HEADER: delivery.event_type,
            signing.TIMESTAMP_HEADER: str(timestamp),
            signing.SIGNATURE_HEADER: signing.signature(endpoint.secret, timestamp, body),
        }
        answer = transport.post(endpoint.url, body, headers)
    error = answer.error
    if not error and not answer.succeeded:
        error = f"HTTP {answer.status}"
    WebhookAttempt.objects.create(
        delivery=delivery,
        started_at=started_at,
        duration_ms=answer.duration_ms,
        response_code=answer.status,
        succeeded=answer.succeeded,
        error=error[:255] if not answer.succeeded else "",
    )
    delivery.attempts += 1
    if answer.succeeded:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            DeliveryStatus.DELIVERED,
            timezone.now(),
            None,
        )
    elif delivery.attempts >= MAX_ATTEMPTS or not endpoint.is_active:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
    else:
        delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
    delivery.save(update_fields=["attempts", "status", "delivered_at", "next_attempt_at"])
    return answer.succeeded


def next_due() -> datetime | None:
    """When the earliest waiting delivery is due (a retry, or one whose lease ran out)."""
    return (
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
