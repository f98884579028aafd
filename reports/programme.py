"""The programme report (docs/spec.md §10): the statistics page's figures for one selection, as a
PDF for the district. It opens with the headline in the district's own words ("累计为885名相关人员
提供职业技能培训，其中服装制版330人、…"), then every figure of the page (its chart drawn as SVG, its
table), then one table per institution and track.

"Trained" is the page's definition (certification.statistics): the `complete_training` moves made
in the period, once per enrolment; "certified", the `issue` moves. The headline is the page's own
(workflows.figures.headline: the totals of its "trained per month" and "certified per month"
tables for the same selection), so the page, its xlsx and the PDF say the same numbers; the table
per institution and track counts the same derived rows (EnrolmentFigures, by month: FiguresByMonth).
"""

from dataclasses import dataclass, field

from django.utils import timezone, translation

from certification import statistics
from certification.models import Institution, Track
from certification.statistics import Scope
from workflows import figures as page_figures

from . import svg


@dataclass(frozen=True)
class TrackColumn:
    code: str
    name: str  # the track's Chinese name: the report is the district's document


@dataclass
class InstitutionRow:
    name: str
    counts: dict[str, list[int]] = field(default_factory=dict)  # track code → [trained, certified]

    def cells(self, codes: list[str]) -> list[int]:
        values = [v for code in codes for v in self.counts.get(code, [0, 0])]
        return [*values, sum(values[0::2]), sum(values[1::2])]


@dataclass
class Report:
    scope: Scope
    selection: list[tuple[str, str]]  # (filter, value) lines under the title
    tracks: list[TrackColumn]  # the table per institution's columns, by code
    institutions: list[InstitutionRow]
    figures: list[tuple[page_figures.Figure, str]]  # (figure, its chart as SVG)
    headline: page_figures.Headline  # the page's, with the tracks' Chinese names
    generated_at: object = None

    @property
    def track_codes(self) -> list[str]:
        return [track.code for track in self.tracks]

    @property
    def institution_rows(self) -> list[tuple[str, list[int]]]:
        codes = self.track_codes
        return [(row.name, row.cells(codes)) for row in self.institutions]

    @property
    def totals_row(self) -> list[int]:
        total = InstitutionRow("")
        for row in self.institutions:
            for code, (trained, certified) in row.counts.items():
                pair = total.counts.setdefault(code, [0, 0])
                pair[0] += trained
                pair[1] += certified
        return total.cells(self.track_codes)


def by_institution_and_track(scope: Scope) -> dict[tuple[str, str], list[int]]:
    """(institution name, track code) → [trained, certified] in the period; one query (counted as
    the page's monthly figures count them: certification.statistics.moves_made), then the tracks'
    codes and the institutions' names."""
    counted = statistics.moves_made(scope, ["institution_id", "track_id"])
    codes = dict(Track.objects.values_list("pk", "code"))
    names = dict(Institution.objects.values_list("pk", "name"))
    found: dict[tuple[str, str], list[int]] = {}
    for (institution_id, track_id, move), n in counted.items():
        key = (names[institution_id], codes[track_id])
        found.setdefault(key, [0, 0])[0 if move == statistics.TRAINED else 1] += n
    return found


def build(scope: Scope, *, names_assessors: bool, selection: list[tuple[str, str]]) -> Report:
    """The report of one selection, in Chinese (the district's document, like the certificate)."""
    with translation.override("zh-hans"):
        shown = page_figures.build(scope, names_assessors=names_assessors)
        counts = by_institution_and_track(scope)
        institutions: dict[str, InstitutionRow] = {}
        for (name, code), pair in counts.items():
            institutions.setdefault(name, InstitutionRow(name)).counts[code] = pair
        return Report(
            scope=scope,
            selection=selection,
            tracks=[TrackColumn(track.code, track.name_zh) for track in statistics.tracks()],
            institutions=[institutions[name] for name in sorted(institutions)],
            figures=[(figure, svg.bar_chart(figure.chart)) for figure in shown],
            headline=page_figures.headline(shown),
            generated_at=timezone.localtime(),
        )
