"""What a lifecycle move also does in the other apps: the one registry, next to lifecycle.py.

What a move does inside the domain (stamps, attempts, outcomes) is written in its transition body in
lifecycle.py. What it does in another app is registered here: the domain imports no other app (an
import-linter contract), so the app that owns an effect registers it when Django starts, in its
AppConfig.ready(), with `@effects.of("issue")`. These are all of them, in the order they run
(tests/certification/test_effects.py holds the registry to this table):

    move                   app           effect
    submit_results         workflows     start the attempt's assessment process, or resume it after
                                         a return for correction
    pass, fail, withdraw   workflows     cancel the candidate's open assessment tasks
    open_publicity         workflows     set the end of the candidate's 公示 period (working days)
    issue                  certificates  number the certificate (unless the caller already did) and
                                         queue its rendering
    revoke                 certificates  mark the current certificate revoked
    reject                 notifications tell the institution's staff, with the reason
    return_for_correction  notifications tell the institution's staff, with the reason
    pass, fail             notifications tell the institution's staff the decision
    uphold_objection       notifications tell the institution's staff
    submit_results         notifications tell the assessors free to review the candidate
    approve, pass          notifications tell the trainee (when an e-mail is on file)
    issue, revoke          notifications tell the trainee; an issue outside a run, the staff too
    approve, reject        integrations  write the institution's webhook events, for its endpoints
    return_for_correction  integrations  that chose them (the same effect for each of these moves;
    pass, fail             integrations  a task sends them once the move commits)
    issue, revoke          integrations  (the certificate's number in the event)

Every effect runs inside the move's transaction, after the guards passed and the transition body ran,
before the enrolment and its StateLog row are saved; an effect that raises a LifecycleError refuses
the move and rolls everything back. No effect makes a lifecycle move.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import Enrolment, User


@dataclass
class Move:
    """One move being made: what an effect is given."""

    transition: str
    enrolment: Enrolment
    actor: User | None
    reason: str
    # What the caller of the service passed for the effects of this move (e.g. the issuance run's
    # numbering plan); None when the move came from a page.
    context: Any = None


Effect = Callable[[Move], None]

_REGISTRY: dict[str, list[Effect]] = {}


def of(*transitions: str) -> Callable[[Effect], Effect]:
    """Register the decorated function as an effect of these moves (from an AppConfig.ready)."""

    def register(effect: Effect) -> Effect:
        for transition in transitions:
            effects = _REGISTRY.setdefault(transition, [])
            if effect not in effects:
                effects.append(effect)
        return effect

    return register


def run(move: Move) -> None:
    for effect in _REGISTRY.get(move.transition, ()):
        effect(move)


def registered() -> dict[str, list[str]]:
    """The registry by move, each effect by its dotted name: for the test that holds it to the table."""
    return {
        transition: [f"{effect.__module__}.{effect.__qualname__}" for effect in effects]
        for transition, effects in sorted(_REGISTRY.items())
    }
