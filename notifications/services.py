"""Writing notifications and what a reader does with them (docs/spec.md §13).

`notify` is the one way a notification is written: call it inside the event's transaction, so that
a rolled-back event notifies nobody. The database holds one row per event key and recipient, so an
event told twice (a retried task, a resumed run) still reaches each person once.
"""

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.core import signing
from django.db.models import QuerySet
from django.utils import timezone

from certification.models import User

from .kinds import KINDS
from .models import Delivery, Notification, Preference

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
# Digests leave at this local time, once a day.
DIGEST_AT = time(8, 0)


def notify(
    *,
    kind: str,
    event_key: str,
    recipients: QuerySet[User] | Iterable[User],
    params: dict | None = None,
    url: str = "",
    exclude: User | None = None,
) -> int:
    """One notification of `kind` for each active recipient (never `exclude`, the person who acted);
    returns how many were written (those told of this event before are skipped)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if isinstance(recipients, QuerySet):
        recipients = recipients.filter(is_active=True).select_related("notification_preference")
    now = timezone.now()
    rows = []
    for user in recipients:
        if not user.is_active or (exclude is not None and user.pk == exclude.pk):
            continue
        delivery, due = _delivery_for(user, kind, now)
        rows.append(
            Notification(
                event_key=event_key[:160],
                recipient=user,
                kind=kind,
                params=params or {},
                url=url,
                delivery=delivery,
                next_attempt_at=due,
            )
        )
    created = Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)


def preference_of(user: User) -> Preference | None:
    try:
        return user.notification_preference
    except Preference.DoesNotExist:
        return None


def _delivery_for(user: User, kind: str, now: datetime) -> tuple[str, datetime | None]:
    if not user.email:
        return Delivery.NONE, None
    preference = preference_of(user)
    if preference is not None:
        if preference.unsubscribed or kind in preference.muted_kinds:
            return Delivery.NONE, None
        if preference.digest:
            return Delivery.DIGEST, next_digest_time(now)
    return Delivery.PENDING, now


def next_digest_time(now: datetime) -> datetime:
    local = timezone.localtime(now)
    at = local.replace(hour=DIGEST_AT.hour, minute=DIGEST_AT.minute, second=0, microsecond=0)
    return at if at > local else at + timedelta(days=1)


# What a reader does -----------------------------------------------------------------------------


def mark_read(*, user: User, notification_id: int) -> bool:
    """Mark one of the user's notifications read; False when it is not theirs (or not there)."""
    found = Notification.objects.filter(pk=notification_id, recipient=user)
    if not found.exists():
        return False
    found.filter(read_at__isnull=True).update(read_at=timezone.now())
    return True


def mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def save_preferences(*, user: User, language: str, muted_kinds: Iterable[str], digest: bool) -> Preference:
    preference, _ = Preference.objects.get_or_create(user=user)
    preference.language = language
    preference.muted_kinds = sorted(set(muted_kinds) & set(KINDS))
    preference.digest = digest
    preference.unsubscribed = False
    preference.save()
    return preference


# Unsubscribing without logging in ----------------------------------------------------------------


def unsubscribe_token(user: User, kind: str = "") -> str:
    """A signed token that turns off e-mails of `kind` (all e-mails when empty) for this user."""
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[User, str] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    kind = data.get("k", "")
    if user is None or (kind and kind not in KINDS):
        return None
    return user, kind


def unsubscribe(*, user: User, kind: str = "") -> Preference:
    """No more e-mails of `kind` (or none at all); the in-app notices go on."""
    preference, _ = Preference.objects.get_or_create(user=user)
    if kind:
        preference.muted_kinds = sorted(set(preference.muted_kinds) | {kind})
    else:
        preference.unsubscribed = True
    preference.save()
    pending = Notification.objects.filter(recipient=user, delivery__in=[Delivery.PENDING, Delivery.DIGEST])
    if kind:
        pending = pending.filter(kind=kind)
    pending.update(delivery=Delivery.NONE, next_attempt_at=None)
    return preference
