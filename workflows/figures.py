"""The statistics page's figures (docs/spec.md §10): each one a table, and the chart drawn from that
same table. The page, its JSON for ECharts and the xlsx download all read one `Figure`, so the
numbers shown, charted and downloaded are the same numbers. Definitions: certification.statistics
and workflows.statistics.

Counting 100,000 enrolments' history afresh takes the database 50–100 ms from the derived rows
(certification.derived_figures: the enrolments' figures counted by month, days per stage walked
to its ranks along the ~330,000 durations kept in order; workflows.decided_reviews), so the
figures of one selection are kept in the cache for STATISTICS_CACHE_SECONDS under a key that
includes the newest enrolment, move, objection and task: a new registration, move, objection or
task shows at once. Only what changes a row in place
without a move (an assessor claiming a task, an objection dismissed, a track renamed) waits for the
cache to expire.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task

from certification import statistics
from certification.models import Enrolment, StateLog, Track
from certification.models import EnrolmentStatus as S
from certification.statistics import Scope

from . import statistics as workflow_statistics
from .models import Objection

STAGE_LABELS = {
    S.DRAFT: gettext_lazy("Registered"),
    S.SUBMITTED: gettext_lazy("Submitted"),
    S.ENROLLED: gettext_lazy("Enrolled"),
    S.TRAINED: gettext_lazy("Training done"),
    S.UNDER_REVIEW: gettext_lazy("Under review"),
    S.PASSED: gettext_lazy("Passed"),
    S.IN_PUBLICITY: gettext_lazy("Public notice"),
    S.CERTIFIED: gettext_lazy("Certified"),
}
STAGE_DAYS_LABELS = {
    "approval": gettext_lazy("Approval (submitted → approved)"),
    "review": gettext_lazy("Review (results submitted → decision)"),
    "publicity": gettext_lazy("Public notice (opened → closed)"),
    "issuance": gettext_lazy("Issuance (ready → certified)"),
}


@dataclass
class Figure:
    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    chart: dict = field(default_factory=dict)  # what static/js/statistics.js draws


def _bar_chart(categories, series, *, horizontal=False, unit="") -> dict:
    return {"categories": [str(c) for c in categories], "series": series, "horizontal": horizontal, "unit": unit}


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def funnel(scope: Scope, context: dict) -> list[Figure]:
    exits = statistics.EXITS
    figure = Figure(
        "funnel",
        _("Lifecycle funnel"),
        [_("Stage"), _("Reached"), *[str(S(status).label) for status in exits]],
    )
    for stage in statistics.funnel(scope):
        figure.rows.append([str(STAGE_LABELS[stage.status]), stage.reached, *[stage.left[s] for s in exits]])
    figure.chart = _bar_chart(
        [row[0] for row in figure.rows],
        [{"name": _("Reached"), "data": [row[1] for row in figure.rows]}]
        + [
            {"name": figure.headers[2 + i], "data": [row[2 + i] for row in figure.rows], "stack": "left"}
            for i in range(len(exits))
        ],
    )
    return [figure]


def _months_between(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def monthly(scope: Scope, context: dict) -> list[Figure]:
    tracks: list[Track] = context["tracks"]
    counts = statistics.monthly_moves(scope)
    names = [track.display_name for track in tracks]
    months = _months_between(min(k[0] for k in counts), max(k[0] for k in counts)) if counts else []
    figures = []
    for key, move, title in (
        ("trained_monthly", statistics.TRAINED, _("Trained per month, by track")),
        ("certified_monthly", statistics.CERTIFIED, _("Certified per month, by track")),
    ):
        figure = Figure(key, title, [_("Month"), *names, _("Total")])
        for month in months:
            values = [counts.get((month, track.pk, move), 0) for track in tracks]
            figure.rows.append([month.strftime("%Y-%m"), *values, sum(values)])
        figure.chart = _bar_chart(
            [row[0] for row in figure.rows],
            [
                {"name": name, "data": [row[1 + i] for row in figure.rows], "stack": "tracks"}
                for i, name in enumerate(names)
            ],
        )
        figures.append(figure)
    by_year: dict[tuple[int, int, str], int] = {}
    for (month, track_id, move), n in counts.items():
        by_year[(month.year, track_id, move)] = by_year.get((month.year, track_id, move), 0) + n
    yearly = Figure(
        "year_over_year",
        _("Trained and certified, year over year"),
        [
            _("Year"),
            *[_("Trained: %(track)s") % {"track": name} for name in names],
            _("Trained"),
            *[_("Certified: %(track)s") % {"track": name} for name in names],
            _("Certified"),
        ],
    )
    for year in sorted({month.year for month in months}):
        trained = [by_year.get((year, track.pk, statistics.TRAINED), 0) for track in tracks]
        certified = [by_year.get((year, track.pk, statistics.CERTIFIED), 0) for track in tracks]
        yearly.rows.append([str(year), *trained, sum(trained), *certified, sum(certified)])
    width = len(tracks)
    yearly.chart = _bar_chart(
        [row[0] for row in yearly.rows],
        [
            {"name": yearly.headers[1 + i], "data": [row[1 + i] for row in yearly.rows], "stack": "trained"}
            for i in range(width)
        ]
        + [
            {
                "name": yearly.headers[2 + width + i],
                "data": [row[2 + width + i] for row in yearly.rows],
                "stack": "cert",
            }
            for i in range(width)
        ],
    )
    return [*figures, yearly]


@dataclass(frozen=True)
class Headline:
    """The figures in the district's sentence form ("累计为885名相关人员提供职业技能培训，其中服装制版330人、
    …"): people trained and certified in the selection, each by track, largest first.

    Read off the "trained per month" and "certified per month" tables (each track's column, summed),
    so the sentence on the page and in the programme report can never say other numbers than the
    tables and their xlsx. Tracks with none are left out of a sentence.
    """

    trained: int
    certified: int
    trained_parts: list[tuple[str, int]]  # (track's name as the table heads it, people), largest first
    certified_parts: list[tuple[str, int]]

    def trained_sentence(self) -> str:
        return self._sentence(
            ngettext("%(total)s person trained", "%(total)s people trained", self.trained),
            self.trained,
            self.trained_parts,
        )

    def certified_sentence(self) -> str:
        return self._sentence(
            ngettext("%(total)s person certified", "%(total)s people certified", self.certified),
            self.certified,
            self.certified_parts,
        )

    @staticmethod
    def _sentence(opening: str, total: int, parts: list[tuple[str, int]]) -> str:
        if not parts:
            return _("%(opening)s.") % {"opening": opening % {"total": total}}
        listed = pgettext("between the parts of a list", ", ").join(
            _("%(track)s %(count)s") % {"track": name, "count": count} for name, count in parts
        )
        return _("%(opening)s: %(parts)s.") % {"opening": opening % {"total": total}, "parts": listed}


def headline(shown: list[Figure]) -> Headline:
    """The headline of a selection whose figures are `shown` (both monthly tables among them)."""
    monthly = {figure.key: figure for figure in shown}
    trained, certified = monthly["trained_monthly"], monthly["certified_monthly"]
    names = trained.headers[1:-1]  # the tracks' columns, between the month and the total

    def column_totals(figure: Figure) -> list[int]:
        return [sum(row[1 + i] for row in figure.rows) for i in range(len(names))]

    by_track = list(zip(names, column_totals(trained), column_totals(certified), strict=True))
    # The order of the district's sentence, most trained first; both sentences list the tracks alike.
    by_track.sort(key=lambda track: (-track[1], -track[2]))
    return Headline(
        trained=sum(track[1] for track in by_track),
        certified=sum(track[2] for track in by_track),
        trained_parts=[(name, n) for name, n, _certified in by_track if n],
        certified_parts=[(name, n) for name, _trained, n in by_track if n],
    )


def pass_rates(scope: Scope, context: dict) -> list[Figure]:
    counts = statistics.pass_counts(scope)
    names = {track.pk: track.display_name for track in context["tracks"]}
    figures = []
    for key, title, label, of in (
        ("pass_by_track", _("Pass rate by track"), _("Track"), lambda row: names.get(row.track_id, "")),
        (
            "pass_by_institution",
            _("Pass rate by institution"),
            _("Institution"),
            lambda row: row.institution_name,
        ),
    ):
        totals: dict[str, list[int]] = {}
        for row in counts:
            total = totals.setdefault(of(row), [0, 0, 0])
            total[0] += row.assessed
            total[1] += row.passed_first
            total[2] += row.passed_eventually
        figure = Figure(
            key,
            title,
            [
                label,
                _("First attempts decided"),
                _("Passed at the first attempt"),
                _("Pass rate at the first attempt (%)"),
                _("Passed, with resits"),
                _("Pass rate with resits (%)"),
            ],
        )
        for name in sorted(totals):
            assessed, first, eventually = totals[name]
            figure.rows.append([name, assessed, first, _rate(first, assessed), eventually, _rate(eventually, assessed)])
        figure.chart = _bar_chart(
            [row[0] for row in figure.rows],
            [
                {"name": figure.headers[3], "data": [row[3] for row in figure.rows]},
                {"name": figure.headers[5], "data": [row[5] for row in figure.rows]},
            ],
            horizontal=key == "pass_by_institution",
            unit="%",
        )
        figures.append(figure)
    return figures


def stage_days(scope: Scope, context: dict) -> list[Figure]:
    figure = Figure(
        "stage_days",
        _("Days per stage"),
        [_("Stage"), _("Stages ended"), _("Median (days)"), _("90th percentile (days)")],
    )
    for row in statistics.days_per_stage(scope):
        figure.rows.append([str(STAGE_DAYS_LABELS[row.stage]), row.count, _days(row.median), _days(row.p90)])
    figure.chart = _bar_chart(
        [row[0] for row in figure.rows],
        [{"name": figure.headers[i], "data": [row[i] for row in figure.rows]} for i in (2, 3)],
        horizontal=True,
        unit=_("days"),
    )
    return [figure]


def workload(scope: Scope, context: dict) -> list[Figure]:
    rows = workflow_statistics.assessor_workload(scope)
    if not context["names_assessors"]:
        # An institution sees how long its candidates wait, never which assessor had them.
        rows = _all_assessors(rows)
    figure = Figure(
        "workload",
        _("Assessors' workload"),
        [_("Assessor"), _("Open tasks"), _("Decided"), _("Average days to decide")],
    )
    for row in rows:
        figure.rows.append(
            [row.assessor_name or _("(not yet claimed)"), row.open, row.decided, _days(row.average_days)]
        )
    figure.chart = _bar_chart(
        [row[0] for row in figure.rows],
        [{"name": figure.headers[i], "data": [row[i] for row in figure.rows], "stack": str(i)} for i in (1, 2)],
        horizontal=True,
    )
    return [figure]


def _all_assessors(rows: list[workflow_statistics.Workload]) -> list[workflow_statistics.Workload]:
    decided = sum(row.decided for row in rows)
    weighted = sum((row.average_days or 0) * row.decided for row in rows if row.average_days is not None)
    timed = sum(row.decided for row in rows if row.average_days is not None)
    return [
        workflow_statistics.Workload(
            None,
            _("All assessors"),
            sum(row.open for row in rows),
            decided,
            weighted / timed if timed else None,
        )
    ]


def objections(scope: Scope, context: dict) -> list[Figure]:
    names = {track.pk: track.display_name for track in context["tracks"]}
    figure = Figure(
        "objections",
        _("Objections"),
        [_("Track"), _("Lodged"), _("Upheld"), _("Dismissed"), _("Still open")],
    )
    for row in sorted(workflow_statistics.objections(scope), key=lambda row: names.get(row.track_id, "")):
        figure.rows.append([names.get(row.track_id, ""), row.lodged, row.upheld, row.dismissed, row.open])
    figure.chart = _bar_chart(
        [row[0] for row in figure.rows],
        [{"name": figure.headers[i], "data": [row[i] for row in figure.rows]} for i in (1, 2)],
    )
    return [figure]


BUILDERS: dict[str, Callable[[Scope, dict], list[Figure]]] = {
    "funnel": funnel,
    "trained_monthly": monthly,
    "certified_monthly": monthly,
    "year_over_year": monthly,
    "pass_by_track": pass_rates,
    "pass_by_institution": pass_rates,
    "stage_days": stage_days,
    "workload": workload,
    "objections": objections,
}


def build(scope: Scope, *, names_assessors: bool, only: str | None = None) -> list[Figure]:
    """Every figure in the page's order, or the one named `only` (KeyError for an unknown one)."""
    seconds = settings.STATISTICS_CACHE_SECONDS
    if not seconds:
        figures = _count(scope, names_assessors=names_assessors, only=only)
    else:
        key = _cache_key(scope, names_assessors)
        figures = cache.get(key)
        if figures is None:
            figures = _count(scope, names_assessors=names_assessors)
            cache.set(key, figures, seconds)
    return [figure for figure in figures if only is None or figure.key == only]


def _count(scope: Scope, *, names_assessors: bool, only: str | None = None) -> list[Figure]:
    context = {"tracks": statistics.tracks(), "names_assessors": names_assessors}
    builders = [BUILDERS[only]] if only else list(dict.fromkeys(BUILDERS.values()))
    return [figure for builder in builders for figure in builder(scope, context)]


def _cache_key(scope: Scope, names_assessors: bool) -> str:
    newest = ", ".join(
        f"(SELECT MAX(id) FROM {connection.ops.quote_name(model._meta.db_table)})"
        for model in (Enrolment, StateLog, Objection, Task)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {newest}")
        version = cursor.fetchone()
    identity = repr((scope, names_assessors, get_language(), tuple(version)))
    return "statistics:" + hashlib.sha256(identity.encode()).hexdigest()
