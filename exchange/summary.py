"""What an import found: counts of rows to create, update, leave unchanged or reject, and why.

A summary is kept with the upload between preview and confirm (as JSON), so it holds only what the
pages show: the counts, the first problems, the rejected row numbers and the warnings.
"""

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

CREATE, UPDATE, UNCHANGED, REJECTED = "create", "update", "unchanged", "rejected"
OUTCOMES = (CREATE, UPDATE, UNCHANGED, REJECTED)
# Enough to fix a file by; the downloadable error report has every problem.
PROBLEMS_KEPT = 1000


@dataclass
class Problem:
    row: int
    column: int | None
    header: str
    value: str
    message: str

    @property
    def cell(self) -> str:
        return f"{get_column_letter(self.column)}{self.row}" if self.column else ""

    @property
    def location(self) -> str:
        if not self.column:
            return _("row %(row)s") % {"row": self.row}
        return f"{self.cell} {self.header}".strip()

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass
class Summary:
    kind: str
    counts: dict = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    rejected_rows: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    refusal: str = ""
    refusal_status: int = 0
    written: bool = False

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def rejected(self) -> int:
        return self.counts[REJECTED]

    @property
    def changes(self) -> int:
        return self.counts[CREATE] + self.counts[UPDATE]

    @property
    def is_clean(self) -> bool:
        """Every row can be imported as it is."""
        return not self.refusal and self.rejected == 0 and self.rows > 0

    def add_problem(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < PROBLEMS_KEPT:
            self.problems.append(problem)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Summary":
        data = dict(data)
        data["problems"] = [Problem(**p) for p in data.get("problems", [])]
        return cls(**data)
