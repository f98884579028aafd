"""Business rules read from the track's configuration (pass marks, attempts, hours, resit window).

Nothing here is a constant: every threshold is data on Track or Module, edited by officers.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import AssessmentAttempt, Enrolment, EvidenceKind, Module, ModuleCompletion, Track


def _modules_and_completions(enrolment: Enrolment):
    """The track's modules and the enrolment's completions by module, read once per check."""
    return list(enrolment.track.modules.all()), {c.module_id: c for c in enrolment.completions.all()}


def modules_short_of_hours(enrolment: Enrolment) -> list[Module]:
    """Required modules of the track whose recorded hours are below the minimum (or missing)."""
    modules, done = _modules_and_completions(enrolment)
    return _short_of_hours(modules, done)


def _short_of_hours(modules, done) -> list[Module]:
    return [m for m in modules if m.is_required and (m.pk not in done or done[m.pk].hours < m.min_hours)]


@dataclass(frozen=True)
class ModuleProgress:
    module: Module
    completion: ModuleCompletion | None
    short_of_hours: bool


def module_progress(enrolment: Enrolment) -> list[ModuleProgress]:
    """Each module of the track with what was recorded, and whether it still keeps training from
    being complete (the same rule as `complete_training`'s guard)."""
    modules, done = _modules_and_completions(enrolment)
    short = set(_short_of_hours(modules, done))
    return [ModuleProgress(m, done.get(m.pk), m in short) for m in modules]


def modules_missing_evidence(enrolment: Enrolment) -> list[Module]:
    modules, done = _modules_and_completions(enrolment)
    return _missing_evidence(modules, done)


def _missing_evidence(modules, done) -> list[Module]:
    return [m for m in modules if m.evidence_required and not (m.pk in done and done[m.pk].evidence)]


def training_incomplete_reason(enrolment: Enrolment) -> str:
    modules, done = _modules_and_completions(enrolment)
    short = _short_of_hours(modules, done)
    if short:
        return _("These required modules are below their minimum hours: %(modules)s.") % {
            "modules": "、".join(f"{m.display_name} ({m.min_hours}h)" for m in short)
        }
    missing = _missing_evidence(modules, done)
    if missing:
        return _("These modules need an evidence file: %(modules)s.") % {
            "modules": "、".join(m.display_name for m in missing)
        }
    return ""


def results_incomplete_reason(enrolment: Enrolment, attempt: AssessmentAttempt | None) -> str:
    if attempt is None or attempt.theory_score is None or attempt.practical_score is None:
        return _("Both the theory and the practical score are needed before results can be submitted.")
    model_3d_files = sum(e.kind == EvidenceKind.MODEL_3D for e in attempt.evidence_files.all())
    if missing_3d_evidence(enrolment.track, model_3d_files=model_3d_files):
        return _("Pattern-making results need the 3D garment model evidence file.")
    return ""


def missing_3d_evidence(track: Track, *, model_3d_files: int) -> bool:
    """The track asks for the 3D garment model (pattern-making) and the attempt has none."""
    return track.requires_3d_evidence and model_3d_files == 0


@dataclass(frozen=True)
class PartResults:
    theory_passed: bool
    practical_passed: bool

    @property
    def passed(self) -> bool:
        return self.theory_passed and self.practical_passed


def part_results(enrolment: Enrolment, attempt: AssessmentAttempt) -> PartResults:
    track = enrolment.track
    return PartResults(
        theory_passed=attempt.theory_score is not None and attempt.theory_score >= track.pass_mark_theory,
        practical_passed=attempt.practical_score is not None and attempt.practical_score >= track.pass_mark_practical,
    )


def fail_reason_of_scores(enrolment: Enrolment, attempt: AssessmentAttempt | None) -> str:
    """Why the scores do not allow a pass; empty when they do."""
    if attempt is None or attempt.theory_score is None or attempt.practical_score is None:
        return _("There are no complete scores to pass.")
    parts = part_results(enrolment, attempt)
    track = enrolment.track
    if not parts.theory_passed:
        return _("The theory score %(score)s is below the pass mark %(mark)s.") % {
            "score": attempt.theory_score,
            "mark": track.pass_mark_theory,
        }
    if not parts.practical_passed:
        return _("The practical score %(score)s is below the pass mark %(mark)s.") % {
            "score": attempt.practical_score,
            "mark": track.pass_mark_practical,
        }
    return ""


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def resit_closed_reason(enrolment: Enrolment) -> str:
    """Why no resit can be scheduled; empty when one can."""
    attempts = list(enrolment.attempts.all())
    track = enrolment.track
    if len(attempts) >= track.max_attempts:
        return _("All %(max)s attempts have been used: the case is closed as failed.") % {"max": track.max_attempts}
    first = min(attempts, key=lambda a: a.number) if attempts else None
    if first is not None:
        started = first.exam_date or (first.submitted_at and timezone.localdate(first.submitted_at))
        if started and timezone.localdate() > add_months(started, track.resit_window_months):
            return _("The resit window of %(months)s months after the first exam (%(date)s) has passed.") % {
                "months": track.resit_window_months,
                "date": started.isoformat(),
            }
    return ""
