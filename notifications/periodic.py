"""The daily round (docs/spec.md §13): quotas nearly used, activation slips about to expire, the
office's digest, and what other apps register (certificates expiring, certificates.reminders). Run by a task that the scheduler queues every hour; the event keys make a second
run the same day change nothing."""

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from certification.models import ActivationCode, Enrolment, EnrolmentStatus, TrackQuota
from certification.models.enrolments import QUOTA_STATUSES

from . import recipients
from .services import DIGEST_AT, notify

QUOTA_WARNING = 0.9
SLIPS_WARNING = timedelta(days=7)


# Rounds of the apps above this one (e.g. certificates' expiry reminders), registered by them at
# start-up: notifications imports no app that depends on it.
_APP_ROUNDS: dict[str, Callable[[datetime], int]] = {}


def also_daily(name: str) -> Callable:
    """Register `function(now) -> how many were told` to run in every daily round."""

    def register(function: Callable[[datetime], int]) -> Callable[[datetime], int]:
        _APP_ROUNDS[name] = function
        return function

    return register


def daily_round(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "quotas": quotas_nearly_used(now),
        "slips": slips_expiring(now),
        "digest": office_digest(now),
        **{name: function(now) for name, function in _APP_ROUNDS.items()},
    }


def quotas_nearly_used(now: datetime) -> int:
    year = timezone.localdate(now).year
    told = 0
    for quota in TrackQuota.objects.filter(year=year, quota__gt=0).select_related("track"):
        used = Enrolment.objects.filter(
            batch__institution_id=quota.institution_id,
            track_id=quota.track_id,
            batch__start_date__year=year,
            status__in=QUOTA_STATUSES,
        ).count()
        if used >= QUOTA_WARNING * quota.quota:
            told += notify(
                kind="quota_nearly_used",
                event_key=f"quota_nearly_used:{quota.pk}:{quota.quota}",
                recipients=recipients.institution_staff(quota.institution_id),
                params={"year": year, "track": quota.track.code, "used": used, "quota": quota.quota},
                url=reverse("dashboard"),
            )
    return told


def slips_expiring(now: datetime) -> int:
    """One notice per institution and day of expiry, for the slips not used yet."""
    codes = ActivationCode.objects.filter(
        used_at__isnull=True, expires_at__gt=now, expires_at__lte=now + SLIPS_WARNING, user__trainee__isnull=False
    ).values_list("user__trainee__institution_id", "expires_at")
    counts = Counter((institution_id, timezone.localdate(expires_at)) for institution_id, expires_at in codes)
    told = 0
    for (institution_id, day), count in sorted(counts.items()):
        told += notify(
            kind="slips_expiring",
            event_key=f"slips_expiring:{institution_id}:{day.isoformat()}",
            recipients=recipients.institution_staff(institution_id),
            params={"count": count, "date": day.isoformat()},
            url=reverse("institution:slips"),
        )
    return told


def office_digest(now: datetime) -> int:
    """Once a day, from DIGEST_AT on: what waits for the office."""
    local = timezone.localtime(now)
    if local.time() < DIGEST_AT:
        return 0
    S = EnrolmentStatus
    counts = Enrolment.objects.aggregate(
        approvals=Count("pk", filter=Q(status=S.SUBMITTED)),
        reviews=Count("pk", filter=Q(status=S.UNDER_REVIEW)),
        objections=Count(
            "pk", filter=Q(status=S.IN_PUBLICITY, publicity_entries__objections__status="open"), distinct=True
        ),
        ready=Count("pk", filter=Q(status=S.READY_TO_ISSUE)),
    )
    return notify(
        kind="office_digest",
        event_key=f"office_digest:{local.date().isoformat()}",
        recipients=recipients.office(),
        params=counts,
        url=reverse("dashboard"),
    )
