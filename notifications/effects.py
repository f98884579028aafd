"""What the lifecycle's moves tell people, registered in certification.effects (its table lists them).

Each runs inside the move's transaction: a move that is refused or rolled back notifies nobody.
The event key is the move, the enrolment and the instant of the move, so one move is one event.
"""

from django.urls import reverse

from certification import effects
from certification.models import Enrolment

from . import recipients
from .services import notify

OUTCOME = {"pass": "passed", "fail": "failed"}


def _key(kind: str, move: effects.Move) -> str:
    return f"{kind}:{move.enrolment.pk}:{move.enrolment.status_changed_at.isoformat()}"


def _facts(enrolment: Enrolment, reason: str = "") -> dict:
    return {"name": enrolment.trainee.name, "track": enrolment.track.code, "reason": reason}


def _enrolment_url(enrolment: Enrolment) -> str:
    return reverse("enrolments:detail", args=[enrolment.pk])


def _tell_staff(kind: str, move: effects.Move, **extra) -> None:
    enrolment = move.enrolment
    notify(
        kind=kind,
        event_key=_key(kind, move),
        recipients=recipients.institution_staff(enrolment.batch.institution_id),
        params={**_facts(enrolment, move.reason), **extra},
        url=_enrolment_url(enrolment),
        exclude=move.actor,
    )


def _tell_trainee(kind: str, move: effects.Move, url: str = "") -> None:
    if move.enrolment.trainee.user_id is None:
        return
    notify(
        kind=kind,
        event_key=_key(kind, move),
        recipients=recipients.trainee_of(move.enrolment),
        params=_facts(move.enrolment, move.reason),
        url=url or reverse("dashboard"),
    )


@effects.of("reject")
def tell_staff_rejected(move: effects.Move) -> None:
    _tell_staff("rejected", move)


@effects.of("return_for_correction")
def tell_staff_returned(move: effects.Move) -> None:
    _tell_staff("returned", move)


@effects.of("pass", "fail")
def tell_staff_decided(move: effects.Move) -> None:
    _tell_staff("decided", move, outcome=OUTCOME[move.transition])


@effects.of("uphold_objection")
def tell_staff_objection_upheld(move: effects.Move) -> None:
    _tell_staff("objection_upheld", move)


@effects.of("submit_results")
def tell_assessors_review_waiting(move: effects.Move) -> None:
    enrolment = move.enrolment
    notify(
        kind="review_waiting",
        event_key=_key("review_waiting", move),
        recipients=recipients.assessors_free_for(enrolment),
        params=_facts(enrolment),
        url=reverse("assessment:queue"),
        exclude=move.actor,
    )


@effects.of("approve")
def tell_trainee_approved(move: effects.Move) -> None:
    _tell_trainee("approved", move)


@effects.of("pass")
def tell_trainee_passed(move: effects.Move) -> None:
    _tell_trainee("passed", move)


@effects.of("issue")
def tell_certificate_ready(move: effects.Move) -> None:
    """The trainee hears at once; the institution hears once per issuance run, at its end
    (notifications.events.issuance_run_finished), or at once for a certificate issued on its own."""
    _tell_trainee("certificate_ready", move, url=reverse("certificates:mine"))
    if getattr(move.context, "run", None) is None:
        _tell_staff("issued", move, count=1)


@effects.of("revoke")
def tell_trainee_revoked(move: effects.Move) -> None:
    _tell_trainee("certificate_revoked", move, url=reverse("certificates:mine"))
