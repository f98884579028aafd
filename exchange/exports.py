"""Excel exports: rosters, results and statistics (docs/spec.md §7, §9). The certificate register is the
certificates app's own download (certificates:register_xlsx).

Rows come through the selectors (staff see their institution, officers everything), in chunks from
the database into a write-only workbook, with a fixed number of queries whatever the row count.
Every text cell goes through core.spreadsheets, so nothing in an export runs as a formula.
"""

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from certification import permissions, selectors
from certification.models import AssessmentAttempt, EnrolmentStatus, Level, ModuleCompletion, User
from certification.models.enrolments import QUOTA_STATUSES
from core.spreadsheets import SafeSheet, new_workbook

CHUNK = 1000
PASSED_OR_LATER = [
    EnrolmentStatus.PASSED,
    EnrolmentStatus.IN_PUBLICITY,
    EnrolmentStatus.READY_TO_ISSUE,
    EnrolmentStatus.CERTIFIED,
    EnrolmentStatus.REVOKED,
]


def can_export(user: User) -> bool:
    return permissions.is_officer(user) or permissions.is_institution_staff(user)


def _enrolments(user: User, filters: dict):
    enrolments = selectors.enrolments_visible_to(user)
    return selectors.search_enrolments(
        enrolments,
        text=filters.get("q", ""),
        status=filters.get("status", ""),
        track=filters.get("track", ""),
        batch=str(filters.get("batch") or ""),
    ).order_by("batch__institution__name", "batch__name", "trainee__name", "pk")


def write_roster(user: User, out, filters: dict | None = None) -> None:
    """Trainees and their enrolments: the fields provincial registers ask for."""
    workbook = new_workbook()
    headers = [
        _("No."),
        _("Name"),
        _("ID type"),
        _("ID number"),
        _("Gender"),
        _("Birth date"),
        _("Ethnicity"),
        _("Education"),
        _("Mobile phone"),
        _("Employer"),
        _("Years in the trade"),
        _("Address"),
        _("Institution"),
        _("Training batch"),
        _("Track"),
        _("Level"),
        _("Status"),
    ]
    sheet = SafeSheet(
        workbook,
        _("Roster"),
        headers,
        text_columns=(3, 8),
        widths=[6, 12, 16, 22, 6, 12, 8, 14, 15, 28, 8, 30, 28, 22, 14, 14, 14],
    )
    for number, enrolment in enumerate(_enrolments(user, filters or {}).iterator(chunk_size=CHUNK), start=1):
        trainee, batch = enrolment.trainee, enrolment.batch
        sheet.append(
            [
                number,
                trainee.name,
                trainee.get_id_type_display(),
                trainee.id_number,
                trainee.get_gender_display(),
                trainee.birth_date,
                trainee.ethnicity,
                trainee.get_education_display(),
                trainee.phone,
                trainee.employer,
                trainee.years_in_trade,
                trainee.address,
                batch.institution.name,
                batch.name,
                enrolment.track.name_zh,
                Level(batch.level).label,
                enrolment.get_status_display(),
            ]
        )
    workbook.save(out)


def write_results(user: User, out, filters: dict | None = None) -> None:
    """Module hours and exam scores of each enrolment, its latest attempt and outcome; a second
    sheet lists every change made to them (who, when, before → after)."""
    workbook = new_workbook()
    headers = [
        _("Name"),
        _("ID number"),
        _("Institution"),
        _("Training batch"),
        _("Track"),
        _("Status"),
        _("Module hours"),
        _("Attempt"),
        _("Exam date"),
        _("Theory score"),
        _("Practical score"),
        _("Outcome"),
    ]
    sheet = SafeSheet(
        workbook, _("Results"), headers, text_columns=(1,), widths=[12, 22, 28, 22, 14, 14, 48, 8, 12, 10, 10, 14]
    )
    enrolments = _enrolments(user, filters or {}).prefetch_related(
        Prefetch("completions", queryset=ModuleCompletion.objects.select_related("module")),
        Prefetch("attempts", queryset=AssessmentAttempt.objects.order_by("number")),
    )
    for enrolment in enrolments.iterator(chunk_size=CHUNK):
        attempts = list(enrolment.attempts.all())
        attempt = attempts[-1] if attempts else None
        hours = "; ".join(f"{c.module.name_zh} {c.hours}" for c in enrolment.completions.all())
        sheet.append(
            [
                enrolment.trainee.name,
                enrolment.trainee.id_number,
                enrolment.batch.institution.name,
                enrolment.batch.name,
                enrolment.track.name_zh,
                enrolment.get_status_display(),
                hours,
                attempt.number if attempt else None,
                attempt.exam_date if attempt else None,
                attempt.theory_score if attempt else None,
                attempt.practical_score if attempt else None,
                attempt.get_outcome_display() if attempt else "",
            ]
        )
    _write_score_history(workbook, user, filters or {})
    workbook.save(out)


def _write_score_history(workbook, user: User, filters: dict) -> None:
    """A second sheet listing every change to the exported enrolments' hours and scores."""
    headers = [
        _("Name"),
        _("ID number"),
        _("Institution"),
        _("Training batch"),
        _("Track"),
        _("Time"),
        _("Of"),
        _("What"),
        _("Before"),
        _("After"),
        _("Changed by"),
        _("Reason"),
        _("Request id"),
    ]
    sheet = SafeSheet(
        workbook,
        _("Change history"),
        headers,
        text_columns=(1, 8, 9),
        widths=[12, 22, 28, 22, 14, 17, 20, 14, 10, 10, 14, 30, 34],
    )
    changes = selectors.score_history_of_many(_enrolments(user, filters)).order_by(
        "enrolment__batch__institution__name",
        "enrolment__batch__name",
        "enrolment__trainee__name",
        "enrolment_id",
        "created_at",
        "pk",
    )
    for change in changes.iterator(chunk_size=CHUNK):
        enrolment, actor = change.enrolment, change.actor
        sheet.append(
            [
                enrolment.trainee.name,
                enrolment.trainee.id_number,
                enrolment.batch.institution.name,
                enrolment.batch.name,
                enrolment.track.name_zh,
                date_format(timezone.localtime(change.created_at), "Y-m-d H:i"),
                change.subject,
                change.get_field_display(),
                change.old_shown,
                change.new_shown,
                (actor.get_full_name() or actor.username) if actor else _("system"),
                change.reason,
                change.request_id,
            ]
        )


STATISTICS = {
    "enrolments": ~Q(status=EnrolmentStatus.WITHDRAWN),
    "approved": Q(status__in=QUOTA_STATUSES),
    "under_review": Q(status=EnrolmentStatus.UNDER_REVIEW),
    "passed": Q(status__in=PASSED_OR_LATER),
    "failed": Q(status=EnrolmentStatus.FAILED),
    "certified": Q(status=EnrolmentStatus.CERTIFIED),
}


def write_statistics(user: User, out) -> None:
    """Counts by institution and track, and by track, with the pass rate of those assessed."""
    workbook = new_workbook()
    counts = [
        _("Enrolments"),
        _("Approved"),
        _("Under review"),
        _("Passed"),
        _("Failed"),
        _("Certified"),
        _("Pass rate (%)"),
    ]
    enrolments = selectors.enrolments_visible_to(user).order_by()
    annotations = {name: Count("pk", filter=condition) for name, condition in STATISTICS.items()}
    by_institution = SafeSheet(
        workbook,
        _("By institution and track"),
        [_("Institution"), _("Track"), *counts],
        widths=[30, 14] + [12] * len(counts),
    )
    rows = (
        enrolments.values("batch__institution__name", "track__code", "track__name_zh")
        .annotate(**annotations)
        .order_by("batch__institution__name", "track__code")
    )
    for row in rows:
        by_institution.append([row["batch__institution__name"], row["track__name_zh"], *_figures(row)])
    by_track = SafeSheet(workbook, _("By track"), [_("Track"), *counts], widths=[14] + [12] * len(counts))
    for row in enrolments.values("track__code", "track__name_zh").annotate(**annotations).order_by("track__code"):
        by_track.append([row["track__name_zh"], *_figures(row)])
    workbook.save(out)


def _figures(row: dict) -> list:
    assessed = row["passed"] + row["failed"]
    rate = round(100 * row["passed"] / assessed, 1) if assessed else None
    return [row[name] for name in STATISTICS] + [rate]
