"""Reminders 90 and 30 days before a certificate's last valid day, from the daily round, once each."""

import datetime

import pytest
from django.utils import timezone

from certificates import services
from certification.models import Track
from notifications.models import Notification
from notifications.periodic import daily_round


@pytest.fixture
def expiring(ready_enrolment, officer, fast_rendering):
    Track.objects.filter(code="PM").update(validity_months=12)
    certificate = services.issue_certificate(officer=officer, enrolment_id=ready_enrolment.pk)
    user = certificate.enrolment.trainee.user
    user.email = "holder@example.com"
    user.save(update_fields=["email"])
    return certificate


def _on(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _reminders(certificate):
    return list(
        Notification.objects.filter(kind="certificate_expiring", recipient=certificate.enrolment.trainee.user)
        .order_by("pk")
        .values_list("event_key", flat=True)
    )


def test_nothing_is_said_long_before_expiry(expiring):
    daily_round(now=_on(expiring.valid_until - datetime.timedelta(days=91)))

    assert _reminders(expiring) == []


def test_the_holder_hears_90_days_before_and_30_days_before_once_each(expiring):
    for days_left in (90, 89, 60, 30, 29, 1):
        daily_round(now=_on(expiring.valid_until - datetime.timedelta(days=days_left)))

    assert _reminders(expiring) == [
        f"certificate_expiring:{expiring.pk}:90",
        f"certificate_expiring:{expiring.pk}:30",
    ]


def test_a_certificate_found_inside_30_days_hears_only_the_30_day_reminder(expiring):
    daily_round(now=_on(expiring.valid_until - datetime.timedelta(days=10)))

    assert _reminders(expiring) == [f"certificate_expiring:{expiring.pk}:30"]


def test_a_revoked_or_expired_certificate_hears_nothing(expiring, officer):
    daily_round(now=_on(expiring.valid_until + datetime.timedelta(days=1)))
    services.revoke_certificate(officer=officer, certificate_id=expiring.pk, reason="fraud")
    daily_round(now=_on(expiring.valid_until - datetime.timedelta(days=30)))

    assert _reminders(expiring) == []


def test_a_certificate_without_validity_never_hears(issued):
    daily_round(now=timezone.now() + datetime.timedelta(days=3650))

    assert not Notification.objects.filter(kind="certificate_expiring").exists()
