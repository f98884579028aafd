"""Reminders before a certificate expires (docs/spec.md §12): 90 and 30 days before its last valid
day, the holder hears once for each (the event key), from the notifications' daily round."""

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from notifications import recipients
from notifications.periodic import also_daily
from notifications.services import notify

from .models import Certificate, CertificateStatus

# Days before the last valid day; a certificate inside the nearer window hears only that one.
REMIND_DAYS = (90, 30)


@also_daily("certificates_expiring")
def expiry_reminders(now: datetime) -> int:
    today = timezone.localdate(now)
    told = 0
    for index, days in enumerate(REMIND_DAYS):
        nearer = REMIND_DAYS[index + 1] if index + 1 < len(REMIND_DAYS) else -1
        expiring = (
            Certificate.objects.filter(
                status=CertificateStatus.VALID,
                valid_until__gt=today + timedelta(days=nearer),
                valid_until__lte=today + timedelta(days=days),
            )
            .select_related("enrolment__trainee")
            .order_by("valid_until", "pk")
        )
        for certificate in expiring.iterator(chunk_size=500):
            told += notify(
                kind="certificate_expiring",
                event_key=f"certificate_expiring:{certificate.pk}:{days}",
                recipients=recipients.trainee_of(certificate.enrolment),
                params={
                    "number": certificate.number,
                    "track": certificate.direction,
                    "date": certificate.valid_until.isoformat(),
                },
                url=reverse("certificates:mine"),
            )
    return told
