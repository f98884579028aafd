"""Sending the outbox (docs/spec.md §13): a task takes the due notifications, sends them through the
channel and records the outcome. Nothing is lost when the server is down: a failed message waits
with exponential backoff and goes when the server answers again.

A notification is claimed (its next attempt pushed a lease ahead, rows locked with SKIP LOCKED on
PostgreSQL) before it is sent, so two workers never send the same one; a worker that dies after
claiming leaves it to be sent when the lease has passed.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .channels import Message, channel
from .kinds import body_of, title_of
from .models import Delivery, Notification
from .services import preference_of, unsubscribe_token

LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
# About a day and a half of trying before a message counts as failed (shown in the admin).
MAX_ATTEMPTS = 14
BATCH = 200


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 1, 2, 4, 8... minutes, at most six hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def _claim(now: datetime) -> list[Notification]:
    with transaction.atomic():
        due = Notification.objects.filter(
            delivery__in=[Delivery.PENDING, Delivery.DIGEST], next_attempt_at__lte=now
        ).order_by("next_attempt_at", "pk")
        ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:BATCH])
        Notification.objects.filter(pk__in=ids).update(next_attempt_at=now + LEASE)
    return list(
        Notification.objects.filter(pk__in=ids)
        .select_related("recipient__notification_preference")
        .order_by("created_at", "pk")
    )


def send_due(*, now: datetime | None = None) -> dict[str, int]:
    """Send what is due, in batches, until nothing is; returns counts of sent and failed messages."""
    totals = {"sent": 0, "failed": 0}
    while True:
        now_ = now or timezone.now()
        claimed = _claim(now_)
        if not claimed:
            return totals
        groups = _messages(claimed)
        results = channel().send([message for message, _group in groups])
        for (_message, notifications), error in zip(groups, results):
            _record(notifications, error, now_)
            totals["failed" if error else "sent"] += 1
        if now is not None and len(claimed) < BATCH:
            return totals


def _messages(claimed: list[Notification]) -> list[tuple[Message, list[Notification]]]:
    """One message per single notification; one per recipient for those kept for the digest."""
    groups: list[tuple[Message, list[Notification]]] = []
    digests: dict[int, list[Notification]] = defaultdict(list)
    for notification in claimed:
        if notification.delivery == Delivery.DIGEST:
            digests[notification.recipient_id].append(notification)
        else:
            groups.append((render_message([notification]), [notification]))
    groups.extend((render_message(notifications), notifications) for notifications in digests.values())
    return groups


def _absolute(url: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{url}" if url.startswith("/") else url


def render_message(notifications: list[Notification]) -> Message:
    """The e-mail for one notification, or the digest of several, in the recipient's language."""
    recipient = notifications[0].recipient
    preference = preference_of(recipient)
    language = preference.language if preference is not None else "zh-hans"
    single = notifications[0] if len(notifications) == 1 and notifications[0].delivery != Delivery.DIGEST else None
    kind = single.kind if single else ""
    unsubscribe_url = _absolute(reverse("notifications:unsubscribe", args=[unsubscribe_token(recipient, kind)]))
    with translation.override(language):
        items = [
            {
                "title": title_of(n.kind, n.params),
                "body": body_of(n.kind, n.params),
                "url": _absolute(n.url) if n.url else "",
            }
            for n in notifications
        ]
        subject = items[0]["title"] if single else _("Your digest: %(count)s notifications") % {"count": len(items)}
        context = {
            "recipient": recipient,
            "items": items,
            "digest": single is None,
            "unsubscribe_url": unsubscribe_url,
            "unsubscribe_all_url": _absolute(reverse("notifications:unsubscribe", args=[unsubscribe_token(recipient)])),
            "preferences_url": _absolute(reverse("notifications:preferences")),
            "site_url": settings.PUBLIC_BASE_URL,
        }
        text = render_to_string("notifications/email/message.txt", context)
        html = render_to_string("notifications/email/message.html", context)
        subject = f"[{_('Fashion Engineer Certification')}] {subject}"
    return Message(
        to=recipient.email,
        subject=subject.replace("\n", " "),
        text=text,
        html=html,
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>"},
    )


def _record(notifications: list[Notification], error: Exception | None, now: datetime) -> None:
    ids = [n.pk for n in notifications]
    if error is None:
        Notification.objects.filter(pk__in=ids).update(
            delivery=Delivery.SENT, sent_at=now, next_attempt_at=None, last_error=""
        )
        for n in notifications:
            n.delivery, n.sent_at = Delivery.SENT, now
        return
    message = f"{type(error).__name__}: {error}"[:255]
    for n in notifications:
        n.attempts += 1
        n.last_error = message
        if n.attempts >= MAX_ATTEMPTS:
            n.delivery, n.next_attempt_at = Delivery.FAILED, None
        else:
            n.next_attempt_at = now + backoff(n.attempts)
    Notification.objects.bulk_update(notifications, ["attempts", "last_error", "delivery", "next_attempt_at"])
