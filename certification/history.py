"""The history the services write next to their changes: which values of an exam attempt or a module
completion changed (old → new, who, when, which request), and each vetting decision.

One rule decides what counts as a change (`changed_values`), for the services and for the Excel
import's preview alike. Rows are written in the caller's transaction, so a change that is rolled
back leaves no history behind.
"""

from datetime import date
from decimal import Decimal

from django.db.models.fields.files import FieldFile

from core.middleware import current_request_id

from .models import AssessmentAttempt, Enrolment, Institution, Module, ScoreChange, User, VettingDecision

ATTEMPT_FIELDS = ("exam_date", "theory_score", "practical_score")
COMPLETION_FIELDS = ("hours", "score", "evidence")


def values_of(instance, fields) -> dict:
    """The instance's current values of `fields` (None for an instance that does not exist yet)."""
    if instance is None or instance._state.adding:
        return dict.fromkeys(fields)
    return {name: getattr(instance, name) for name in fields}


def changed_values(before: dict, after: dict) -> list[tuple[str, str, str]]:
    """(field, old, new) as text for each value of `after` that differs from `before`; [] when none does.

    Numbers compare by value (80 and 80.0 are the same score) and an empty file is no file.
    """
    changes = []
    for name, new in after.items():
        old_text, new_text = as_text(before.get(name)), as_text(new)
        if old_text != new_text:
            changes.append((name, old_text, new_text))
    return changes


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"  # 80, 80.0 and 80.00 are one score
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def record_score_changes(
    *,
    enrolment: Enrolment,
    actor: User | None,
    before: dict,
    after: dict,
    attempt: AssessmentAttempt | None = None,
    module: Module | None = None,
    reason: str = "",
) -> list[ScoreChange]:
    """Append a row for each value that changed between `before` and `after` (one INSERT); none if
    nothing changed."""
    request_id = current_request_id.get()
    rows = [
        ScoreChange(
            enrolment=enrolment,
            attempt=attempt,
            module=module,
            field=name,
            old_value=old,
            new_value=new,
            actor=actor,
            reason=reason,
            request_id=request_id,
        )
        for name, old, new in changed_values(before, after)
    ]
    if rows:
        ScoreChange.objects.bulk_create(rows)
    return rows


def record_vetting_decision(
    *, institution: Institution, officer: User, from_status: str, note: str = ""
) -> VettingDecision:
    """Append the decision that moved `institution` from `from_status` to the status it now has."""
    return VettingDecision.objects.create(
        institution=institution,
        from_status=from_status,
        to_status=institution.status,
        officer=officer,
        note=note,
        request_id=current_request_id.get(),
    )
