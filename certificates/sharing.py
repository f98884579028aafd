"""The holder's share links: create one with an end they choose, revoke it (docs/spec.md §12).

Services in the house style: keyword-only, the holder checked, one transaction. A link shows no
more than the public verify page of the number (the masked facts), so its token is a bearer of
nothing private; it ends at the close of the chosen day (the office's time zone) or when revoked.
"""

import datetime
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification import permissions
from certification.models import User
from core.errors import InvalidInput, MoveForbidden

from .models import Certificate, ShareLink

DAYS_CHOICES = (7, 30, 90)
LONGEST_DAYS = 366  # a date chosen by hand: at most a year ahead


def _own_certificate(holder: User, certificate_id: int, *, lock: bool = False) -> Certificate:
    if not permissions.is_trainee(holder):
        raise MoveForbidden(_("Only the certificate's holder shares it."))
    certificates = Certificate.objects.filter(enrolment__trainee__user=holder)
    if lock:
        certificates = certificates.select_for_update()
    certificate = certificates.filter(pk=certificate_id).first()
    if certificate is None:
        raise MoveForbidden(_("Only the certificate's holder shares it."))
    return certificate


def _end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after the day, in the office's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def create_share_link(
    *, holder: User, certificate_id: int, days: int | None = None, until: datetime.date | None = None
) -> ShareLink:
    """A new link to the holder's own issued certificate that works for `days` days (7, 30 or 90)
    or until the end of the date `until` (tomorrow at the earliest, a year ahead at the latest)."""
    today = timezone.localdate()
    if (days is None) == (until is None):
        raise InvalidInput(_("Choose how long the link works: 7, 30 or 90 days, or a date."))
    if days is not None and days not in DAYS_CHOICES:
        raise InvalidInput(_("A link works for 7, 30 or 90 days, or until a date you choose."))
    last_day = until if until is not None else today + datetime.timedelta(days=days or 0)
    if last_day <= today or last_day > today + datetime.timedelta(days=LONGEST_DAYS):
        raise InvalidInput(_("Choose a date after today and within a year."))
    with transaction.atomic():
        certificate = _own_certificate(holder, certificate_id)
        if not certificate.is_public:
            raise InvalidInput(_("This certificate is not issued yet: it can be shared once it is."))
        return ShareLink.objects.create(
            certificate=certificate, token=secrets.token_urlsafe(16), created_by=holder, expires_at=_end_of(last_day)
        )


def revoke_share_link(*, holder: User, certificate_id: int, link_id: int) -> ShareLink:
    """The link stops working at once; revoking it again changes nothing."""
    with transaction.atomic():
        certificate = _own_certificate(holder, certificate_id)
        link = ShareLink.objects.select_for_update().filter(certificate=certificate, pk=link_id).first()
        if link is None:
            raise MoveForbidden(_("Only the certificate's holder shares it."))
        if link.revoked_at is None:
            link.revoked_at = timezone.now()
            link.save(update_fields=["revoked_at"])
        return link
