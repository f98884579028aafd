"""Running `seed_demo` in tests, and the demo's cohort as the tests look at it."""

from collections.abc import Iterator
from io import StringIO

from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings

from certification.models import Enrolment, EnrolmentStatus

from ..factories import ensure_catalogue

DEMO_LOGINS = ["officer", "assessor1", "assessor2", "inst1", "inst2", "trainee1"]
HAPPY_PATH = ["submitted", "enrolled", "trained", "under_review", "passed", "in_publicity", "ready_to_issue"]


def seed(**options) -> str:
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def seeded_for_the_module(django_db_blocker, **options) -> Iterator[str]:
    """For a module fixture: the demo seeded once for the module's tests that only read it (each
    test's own changes are rolled back after it, as always), all of it rolled back at the end.
    Seeding is most of those tests' time: a cohort goes through the whole assessment flow."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_catalogue()  # before the tests' own fixtures, which put it back only for each test
        yield seed(**options)
        transaction.set_rollback(True)


def ready_cohort():
    return Enrolment.objects.filter(status=EnrolmentStatus.READY_TO_ISSUE, batch__name__contains="认定班")


def ready_by_track() -> dict[str, int]:
    """Everyone ready to issue, the demo trainees included: the first cohort as the office sees it."""
    ready = Enrolment.objects.filter(status=EnrolmentStatus.READY_TO_ISSUE)
    return dict(ready.order_by().values_list("track__code").annotate(n=Count("pk")))
