"""Events that are not lifecycle moves, told by the services where they happen (assignment, an
objection, an issuance run's end) and by the daily round (notifications.periodic). Call each inside
the event's transaction."""

from collections.abc import Iterable

from django.urls import reverse

from certification.models import Enrolment, User

from . import recipients
from .services import notify


def _facts(enrolment: Enrolment) -> dict:
    return {"name": enrolment.trainee.name, "track": enrolment.track.code}


def task_assigned(*, task_id: int, assessor: User, enrolment: Enrolment, officer: User) -> None:
    notify(
        kind="task_assigned",
        event_key=f"task_assigned:{task_id}",
        recipients=[assessor],
        params=_facts(enrolment),
        url=reverse("assessment:inbox"),
        exclude=officer,
    )


def second_review_needed(*, process_id: int, enrolment: Enrolment, first_assessor: User) -> None:
    notify(
        kind="second_review",
        event_key=f"second_review:{process_id}",
        recipients=recipients.assessors_free_for(enrolment),
        params=_facts(enrolment),
        url=reverse("assessment:queue"),
        exclude=first_assessor,
    )


def objection_lodged(*, objection_id: int, enrolment: Enrolment) -> None:
    notify(
        kind="objection_lodged",
        event_key=f"objection_lodged:{objection_id}",
        recipients=recipients.office(),
        params=_facts(enrolment),
        url=reverse("officer_publicity:objections"),
    )


def publicity_closing(*, notice_id: int, title: str, ends_on: str) -> None:
    notify(
        kind="publicity_closing",
        event_key=f"publicity_closing:{notice_id}:{ends_on}",
        recipients=recipients.office(),
        params={"title": title, "date": ends_on},
        url=reverse("officer_publicity:notice", args=[notice_id]),
    )


def issuance_run_finished(
    *, run_id: int, issued: int, skipped: int, issued_by_institution: Iterable[tuple[int, int]]
) -> None:
    """The office hears that the run is over; each institution's staff get one summary of theirs."""
    run_url = reverse("certificates:run", args=[run_id])
    notify(
        kind="run_finished",
        event_key=f"run_finished:{run_id}",
        recipients=recipients.office(),
        params={"run": run_id, "issued": issued, "skipped": skipped},
        url=run_url,
    )
    for institution_id, count in issued_by_institution:
        if count:
            notify(
                kind="issued",
                event_key=f"issued:run:{run_id}:{institution_id}",
                recipients=recipients.institution_staff(institution_id),
                params={"count": count, "run": run_id},
                url=reverse("certificates:list"),
            )


def issuance_run_failed(*, run_id: int, error: str) -> None:
    notify(
        kind="run_failed",
        event_key=f"run_failed:{run_id}",
        recipients=recipients.office(),
        params={"run": run_id, "error": error[:200]},
        url=reverse("certificates:run", args=[run_id]),
    )
