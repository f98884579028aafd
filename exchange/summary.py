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
# Rows listed on the preview (paged there): enough to check a file by eye, and the JSON stays small.
ROWS_LISTED = 5000


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
    # [row number, outcome, who (name and last four of the ID number), what (batch or module)] of
    # the rows to create, update or reject, in file order; unchanged rows are only counted.
    listed_rows: list[list] = field(default_factory=list)
    listed_count: int = 0

    def list_row(self, row: int, outcome: str, who: str, what: str) -> None:
        if outcome == UNCHANGED:
            return
        self.listed_count += 1
        if len(self.listed_rows) < ROWS_LISTED:
            self.listed_rows.append([row, outcome, who, what])

    def relist_as_rejected(self, row: int) -> None:
        """A row counted as valid turned out rejected (merged cells, known only at the end)."""
        for entry in self.listed_rows:
            if entry[0] == row:
                entry[1] = REJECTED
                return
        self.list_row(row, REJECTED, "", "")

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
