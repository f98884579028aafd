"""The webhook events of the lifecycle's moves, registered in certification.effects (its table lists
them). Each runs inside the move's transaction: the event rows are written with the move, and a
move that is refused or rolled back sends nothing. Delivery is queued for when the move commits.
"""

import uuid

from django.utils import timezone

from certificates.models import Certificate, CertificateStatus
from certification import effects

from ..models import EventType, WebhookDelivery, WebhookEndpoint
from .tasks import enqueue_after_commit

EVENT_OF_MOVE = {
    "approve": EventType.ENROLMENT_APPROVED,
    "reject": EventType.ENROLMENT_REJECTED,
    "return_for_correction": EventType.ENROLMENT_RETURNED,
    "pass": EventType.ENROLMENT_PASSED,
    "fail": EventType.ENROLMENT_FAILED,
    "issue": EventType.CERTIFICATE_ISSUED,
    "revoke": EventType.CERTIFICATE_REVOKED,
}


def payload(event_id: uuid.UUID, event_type: str, move: effects.Move) -> dict:
    """What the institution's system receives: its own enrolment, as its staff see it."""
    enrolment = move.enrolment
    data = {
        "enrolment": enrolment.pk,
        "batch": enrolment.batch_id,
        "track": enrolment.track.code,
        "trainee": {"id": enrolment.trainee_id, "name": enrolment.trainee.name},
        "reason": move.reason,
    }
    if event_type in (EventType.CERTIFICATE_ISSUED, EventType.CERTIFICATE_REVOKED):
        data["certificate"] = _certificate_number(enrolment.pk, event_type)
    return {"id": str(event_id), "type": event_type, "created_at": timezone.now().isoformat(), "data": data}


def _certificate_number(enrolment_id: int, event_type: str) -> str | None:
    """The certificate the move is about: certificates' own effect of the move ran first."""
    wanted = CertificateStatus.REVOKED if event_type == EventType.CERTIFICATE_REVOKED else CertificateStatus.PENDING
    return (
        Certificate.objects.filter(enrolment_id=enrolment_id, status=wanted)
        .order_by("-pk")
        .values_list("number", flat=True)
        .first()
    )


@effects.of(*EVENT_OF_MOVE)
def record_webhook_events(move: effects.Move) -> None:
    """One delivery per active endpoint of the institution that chose this event."""
    event_type = EVENT_OF_MOVE[move.transition]
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(institution_id=move.enrolment.institution_id, is_active=True)
        if event_type in endpoint.events
    ]
    if not endpoints:
        return
    now = timezone.now()
    rows = []
    for endpoint in endpoints:
        event_id = uuid.uuid4()
        rows.append(
            WebhookDelivery(
                endpoint=endpoint,
                event_id=event_id,
                event_type=event_type,
                payload=payload(event_id, event_type, move),
                next_attempt_at=now,
            )
        )
    WebhookDelivery.objects.bulk_create(rows)
    enqueue_after_commit()
