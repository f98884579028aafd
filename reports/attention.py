"""The office dashboard's "needs you now" panel (certification.attention): open objections,
reviews waiting longer than OFFICE_REVIEW_WAIT_WORKING_DAYS working days, 公示 closing within
OFFICE_PUBLICITY_CLOSING_DAYS days, issuance runs in progress and runs that skipped candidates.
Each a count and a link; one query each (two for the working days' holidays)."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.models import IssuanceRun, ItemStatus
from certification import attention
from certification.models import Enrolment, User
from certification.models import EnrolmentStatus as S
from workflows.models import Objection, ObjectionStatus, PublicityNotice
from workflows.publicity.working_days import is_working_day, non_working_days_between

# A run that skipped candidates stays on the dashboard this long after it finished.
FAILED_RUN_DAYS = 7


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def waiting_since_before(today: date, working_days: int) -> datetime:
    """Moves made before this moment have waited more than `working_days` working days by `today`:
    the working days after the move's day, up to and including today, number more than that."""
    holidays = non_working_days_between(today - timedelta(days=working_days * 3 + 62), today)
    day, counted = today, 0
    while counted < working_days + 1:
        if is_working_day(day, holidays):
            counted += 1
        day -= timedelta(days=1)
    return _start_of(day + timedelta(days=1))


@attention.for_office
def office_attention(user: User) -> list[attention.Attention]:
    today = timezone.localdate()
    wait = settings.OFFICE_REVIEW_WAIT_WORKING_DAYS
    closing = settings.OFFICE_PUBLICITY_CLOSING_DAYS
    objections = Objection.objects.filter(status=ObjectionStatus.OPEN).count()
    waiting = Enrolment.objects.filter(
        status=S.UNDER_REVIEW, status_changed_at__lt=waiting_since_before(today, wait)
    ).count()
    notices = PublicityNotice.objects.filter(
        closed_at__isnull=True, ends_on__gte=today, ends_on__lte=today + timedelta(days=closing)
    ).count()
    runs = IssuanceRun.objects.filter(finished_at__isnull=True).count()
    failed = (
        IssuanceRun.objects.filter(
            finished_at__gte=timezone.now() - timedelta(days=FAILED_RUN_DAYS), items__status=ItemStatus.SKIPPED
        )
        .distinct()
        .count()
    )
    objections_url = reverse("officer_publicity:objections") + "?status=" + ObjectionStatus.OPEN
    return [
        attention.Attention("objections", _("Objections open"), objections, objections_url, _("Decide")),
        attention.Attention(
            "reviews",
            _("Reviews waiting more than %(days)s working days") % {"days": wait},
            waiting,
            reverse("enrolments:list") + "?status=" + S.UNDER_REVIEW,
            _("Open the list"),
        ),
        attention.Attention(
            "publicity",
            _("Public notices closing within %(days)s days") % {"days": closing},
            notices,
            reverse("officer_publicity:notices"),
            _("Open the notices"),
        ),
        attention.Attention(
            "runs", _("Issuance runs in progress"), runs, reverse("certificates:issuance"), _("Follow them")
        ),
        attention.Attention(
            "failed_runs",
            _("Issuance runs that skipped candidates (last %(days)s days)") % {"days": FAILED_RUN_DAYS},
            failed,
            reverse("certificates:issuance"),
            _("See why"),
        ),
    ]
