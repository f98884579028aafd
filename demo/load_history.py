"""The stories of the load data set (`manage.py seed_load`; demo.load writes them to the database).

Each enrolment lives through the lifecycle of docs/spec.md §4 from its batch's dates onwards: registered a
few weeks before the course, submitted, approved (or rejected, resubmitted), trained, examined,
reviewed (returned for correction, failed and resat), put in a Tuesday 公示, closed by the hourly task
the day after its period, issued in the Thursday run, now and then revoked; some withdraw on the
way. The story stops at `now`: what has not happened yet is not told, so recent batches are caught
half-way and every state has its enrolments. Each story draws from its own seeded generator, so the
same arguments tell the same stories.

A story only records what happened and when (moves, attempts, the assessment flow's tasks, the
public notice, the certificate's issue day); demo.load turns it into rows.
"""

import random
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from certification.models import EnrolmentStatus as S
from certification.rules import add_months
from workflows.publicity.working_days import add_working_days

SEED = "fashion-engineer-load"

# Shares of the tracks and levels among batches (docs/spec.md §1: 330 / 299 / 256 in the first cohort).
TRACK_SHARES = {"PM": 330, "CR": 299, "NM": 256}
LEVEL_SHARES = {5: 30, 4: 40, 3: 20, 2: 8, 1: 2}
# Enrolments by month of the year: quiet around the Spring Festival, busy in spring and autumn.
SEASON = {1: 0.6, 2: 0.4, 3: 1.2, 4: 1.3, 5: 1.2, 6: 1.0, 7: 0.8, 8: 0.7, 9: 1.2, 10: 1.1, 11: 1.3, 12: 0.9}
FIRST_ATTEMPT_PASS_RATE = {"PM": 0.8, "CR": 0.86, "NM": 0.9}
RESIT_PASS_RATE = 0.75
TUESDAY, THURSDAY = 1, 3  # notices open on Tuesdays, certificates are issued on Thursdays
ISSUE_AFTER_DAYS = 5

# How often each turn of a story is taken (the rest take the usual way).
CHANCES = {
    "withdraw_draft": 0.01,
    "reject": 0.06,
    "reject_again": 0.12,
    "stay_rejected": 0.3,
    "withdraw_rejected": 0.3,
    "withdraw_in_training": 0.03,
    "return": 0.04,
    "stay_failed": 0.25,
    "withdraw_failed": 0.08,
    "objection": 0.015,
    "uphold": 0.4,
    "revoke": 0.008,
    "claimed": 0.15,
}
# The turns a story takes when it must end in a given state (see Teller.tell's `force`).
FORCED_TURNS = {
    S.REJECTED: {"reject", "reject_again", "stay_rejected"},
    S.WITHDRAWN: {"withdraw_in_training"},
    S.FAILED: {"fail", "stay_failed"},
    S.DISQUALIFIED: {"objection", "uphold"},
    S.REVOKED: {"revoke"},
}

REJECT_REASONS = ["从业年限证明材料不全，请补充单位证明后重新提交。", "身份证复印件不清晰，请重新上传。"]
WITHDRAW_REASONS = ["学员因工作调动申请退出。", "学员个人原因放弃本期培训。", "学员因身体原因无法继续参加培训。"]
FAIL_REASONS = ["理论知识考试成绩未达到合格线。", "操作技能考核成绩未达到合格线。"]
RETURN_REASONS = [
    "实操考核评分表缺少考评员签字页，请补充扫描件后重新提交。",
    "考试日期与报名批次不符，请核对后重新提交。",
]
OBJECTIONS = [
    ("匿名群众", "13906571234", "该考生的从业年限与实际不符，请核实。"),
    ("知情人", "zhiqing@example.com", "该考生并未实际参加培训课程，请核查考勤记录。"),
]
UPHOLD_REASONS = ["经核实，异议属实，取消其认定资格。"]
DISMISS_REASONS = ["经核实，考生从业经历证明材料真实有效，异议不成立。"]
REVOKE_REASONS = ["经复核，证书持有人提供的从业证明材料不实，撤销证书。"]


class _Cut(Exception):
    """What comes next has not happened yet (it is after `now`)."""


@dataclass
class BatchPlan:
    index: int
    institution: int  # index into the load's institutions
    track: str
    level: int
    start: date
    end: date
    size: int = 0
    name: str = ""


@dataclass
class Move:
    transition: str
    from_status: str
    to_status: str
    at: datetime
    actor: object  # "staff", "officer", an assessor's index, or None (the system)
    reason: str = ""


@dataclass
class FlowTask:
    """One task of the attempt's AssessmentFlow process, as viewflow writes it."""

    node: str  # start, review, after_review, second_review, correction, end
    created: datetime
    finished: datetime | None = None  # None: still open
    owner: object = None  # who worked (or claimed) it: "staff" or an assessor's index


@dataclass
class AttemptPlan:
    number: int
    theory: Decimal | None = None
    practical: Decimal | None = None
    theory_carried: bool = False
    practical_carried: bool = False
    exam_date: date | None = None
    entered_at: datetime | None = None  # when the scores (and the 3D model) were recorded
    submitted_at: datetime | None = None
    outcome: str = "pending"
    reviewed_by: int | None = None
    reviewed_at: datetime | None = None
    reason: str = ""
    tasks: list[FlowTask] = field(default_factory=list)
    process_data: dict = field(default_factory=dict)


@dataclass
class ObjectionPlan:
    lodged_at: datetime
    name: str
    contact: str
    text: str
    status: str = "open"
    decided_at: datetime | None = None
    reason: str = ""


@dataclass
class Story:
    index: int
    batch: BatchPlan
    created_at: datetime
    status: str = S.DRAFT
    moves: list[Move] = field(default_factory=list)
    approved_at: datetime | None = None
    completions: list[tuple[int, Decimal, Decimal, datetime]] = field(default_factory=list)  # module position, …
    attempts: list[AttemptPlan] = field(default_factory=list)
    notice_day: date | None = None
    publicity_ends_on: date | None = None
    left_publicity_at: datetime | None = None
    objection: ObjectionPlan | None = None
    issue_day: date | None = None


@dataclass(frozen=True)
class TrackRules:
    """What the stories need of a track (certification.rules reads the same fields)."""

    code: str
    pass_mark_theory: int
    pass_mark_practical: int
    max_attempts: int
    resit_window_months: int
    publicity_working_days: int
    reviewers_required: int
    modules: tuple[tuple[Decimal, bool], ...]  # (minimum hours, evidence required) in position order

    @classmethod
    def of(cls, track) -> "TrackRules":
        return cls(
            code=track.code,
            pass_mark_theory=track.pass_mark_theory,
            pass_mark_practical=track.pass_mark_practical,
            max_attempts=track.max_attempts,
            resit_window_months=track.resit_window_months,
            publicity_working_days=track.publicity_working_days,
            reviewers_required=track.reviewers_required,
            modules=tuple((m.min_hours, m.evidence_required) for m in track.modules.filter(is_required=True)),
        )


def _weighted(rng: random.Random, shares: dict):
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def plan_batches(
    *, enrolments: int, institutions: int, first_day: date, last_day: date, seed: str = SEED
) -> list[BatchPlan]:
    """Training batches whose sizes add up to `enrolments`, starting between the two days: more of
    them in busy months and in later years, more at large institutions."""
    rng = random.Random(f"{seed}:batches")
    months = []
    day = first_day.replace(day=1)
    while day <= last_day:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    growth = [0.7 + 0.6 * position / max(1, len(months) - 1) for position in range(len(months))]
    month_weights = [SEASON[m.month] * g * rng.uniform(0.75, 1.25) for m, g in zip(months, growth)]
    institution_weights = [1 / (position + 1) ** 0.8 for position in range(institutions)]
    # Small data sets get small batches, so that each month still has several of them.
    average = max(6, min(45, round(enrolments / (len(months) * 8))))
    batches, placed = [], 0
    while placed < enrolments:
        month = rng.choices(months, weights=month_weights)[0]
        next_month = (month + timedelta(days=32)).replace(day=1)
        start = month + timedelta(days=rng.randrange((min(next_month, last_day + timedelta(days=1)) - month).days))
        start = max(start, first_day)
        size = min(enrolments - placed, rng.randint(max(1, average * 6 // 10), average * 14 // 10))
        batches.append(
            BatchPlan(
                index=0,
                institution=rng.choices(range(institutions), weights=institution_weights)[0],
                track=_weighted(rng, TRACK_SHARES),
                level=_weighted(rng, LEVEL_SHARES),
                start=start,
                end=start + timedelta(days=rng.randint(30, 75)),
                size=size,
            )
        )
        placed += size
    batches.sort(key=lambda b: (b.start, b.institution, b.track))
    for position, batch in enumerate(batches):
        batch.index = position
    return batches


def _next_weekday(day: date, weekday: int) -> date:
    """The first `weekday` strictly after `day`."""
    return day + timedelta(days=(weekday - day.weekday() - 1) % 7 + 1)


class Teller:
    """Tells stories up to `now`, with the tracks' rules and the office's holidays."""

    def __init__(self, *, now: datetime, tracks: dict[str, TrackRules], holidays: set[date], assessors: int, seed=SEED):
        self.now, self.tracks, self.holidays, self.assessors, self.seed = now, tracks, holidays, assessors, seed
        self.tz = now.tzinfo

    # --- time ---------------------------------------------------------------------------------

    def _office(self, day: date, rng: random.Random) -> datetime:
        """A moment of office hours on `day`, or on the Monday after when it falls on a weekend."""
        if day.weekday() >= 5:
            day += timedelta(days=7 - day.weekday())
        minute = rng.randrange(9 * 60, 17 * 60 + 30)
        return datetime.combine(day, time(minute // 60, minute % 60, rng.randrange(60)), tzinfo=self.tz)

    def _after(self, moment: datetime, rng: random.Random, low: int, high: int) -> datetime:
        """Office hours `low`..`high` days after `moment`, and always after it."""
        later = self._office(moment.date() + timedelta(days=rng.randint(low, high)), rng)
        return later if later > moment else moment + timedelta(minutes=rng.randint(5, 90))

    # --- the story ----------------------------------------------------------------------------

    def tell(self, index: int, batch: BatchPlan, *, force: str | None = None, attempt: int = 0) -> Story:
        """The story of enrolment `index` of `batch`; `force` steers its turns towards that state
        (used to make sure a small data set has every state)."""
        rng = random.Random(f"{self.seed}:{batch.index}:{index}:{force}:{attempt}")
        forced = FORCED_TURNS.get(force, set()) if force else None

        def turn(kind: str, chance: float) -> bool:
            if forced is not None:
                return kind in forced
            return rng.random() < chance

        created = self._office(batch.start - timedelta(days=rng.randint(14, 40)), rng)
        story = Story(index=index, batch=batch, created_at=min(created, self.now - timedelta(minutes=1)))
        with suppress(_Cut):  # the rest of the story is after now
            self._tell(story, rng, turn)
        return story

    def _record_move(self, story: Story, transition: str, to: str, at: datetime, actor, reason: str = "") -> None:
        if at > self.now:
            raise _Cut
        story.moves.append(Move(transition, story.status, to, at, actor, reason))
        story.status = to

    def _tell(self, story: Story, rng, turn) -> None:
        track = self.tracks[story.batch.track]
        at = story.created_at
        if turn("withdraw_draft", CHANCES["withdraw_draft"]):
            self._record_move(
                story, "withdraw", S.WITHDRAWN, self._after(at, rng, 1, 20), "staff", rng.choice(WITHDRAW_REASONS)
            )
            return
        at = self._after(at, rng, 0, 6)
        self._record_move(story, "submit", S.SUBMITTED, at, "staff")
        rejected = False
        while True:
            at = self._after(at, rng, 1, 8)
            if turn("reject_again" if rejected else "reject", CHANCES["reject_again" if rejected else "reject"]):
                self._record_move(story, "reject", S.REJECTED, at, "officer", rng.choice(REJECT_REASONS))
                rejected = True
                if turn("stay_rejected", CHANCES["stay_rejected"]):
                    return
                if turn("withdraw_rejected", CHANCES["withdraw_rejected"]):
                    at = self._after(at, rng, 5, 40)
                    self._record_move(story, "withdraw", S.WITHDRAWN, at, "staff", rng.choice(WITHDRAW_REASONS))
                    return
                at = self._after(at, rng, 2, 15)
                self._record_move(story, "resubmit", S.SUBMITTED, at, "staff")
                continue
            self._record_move(story, "approve", S.ENROLLED, at, "officer")
            story.approved_at = at
            break
        self._train(story, rng, turn, track)
        if story.status == S.TRAINED:
            self._assess(story, rng, turn, track)
        if story.status == S.PASSED:
            self._publicise(story, rng, turn, track)

    def _train(self, story: Story, rng, turn, track: TrackRules) -> None:
        batch = story.batch
        approved = story.approved_at
        length = max(1, (batch.end - batch.start).days)
        withdraw_at = None
        if turn("withdraw_in_training", CHANCES["withdraw_in_training"]):
            withdraw_at = self._after(max(approved, self._office(batch.start, rng)), rng, 0, length)
        done_at = self._after(max(approved, self._office(batch.end, rng)), rng, 0, 7)
        for position, (min_hours, _evidence) in enumerate(track.modules):
            recorded = self._office(batch.start + timedelta(days=rng.randint(length // 3, length)), rng)
            recorded = min(max(recorded, approved + timedelta(minutes=10)), done_at - timedelta(minutes=30 - position))
            if recorded <= self.now and (withdraw_at is None or recorded < withdraw_at):
                hours = min_hours + rng.choice([0, 0, 2, 4, 8])
                story.completions.append((position, hours, Decimal(rng.randint(65, 95)), recorded))
        if withdraw_at is not None:
            self._record_move(story, "withdraw", S.WITHDRAWN, withdraw_at, "staff", rng.choice(WITHDRAW_REASONS))
            return
        self._record_move(story, "complete_training", S.TRAINED, done_at, "staff")

    def _scores(self, rng, track: TrackRules, passes: bool, previous: AttemptPlan | None) -> dict:
        """Theory and practical scores consistent with the outcome; a resit keeps the passed part."""
        marks = {"theory": track.pass_mark_theory, "practical": track.pass_mark_practical}
        carried = {
            part: previous is not None and getattr(previous, part) is not None and getattr(previous, part) >= mark
            for part, mark in marks.items()
        }
        to_sit = [part for part in marks if not carried[part]]
        failing = set()
        if not passes:
            choice = rng.random()
            failing = set(to_sit) if choice < 0.15 or len(to_sit) == 1 else {to_sit[0] if choice < 0.65 else to_sit[1]}
        scores = {}
        for part, mark in marks.items():
            if carried[part]:
                scores[part] = getattr(previous, part)
            elif part in failing:
                scores[part] = Decimal(rng.randint(max(20, mark - 30) * 2, mark * 2 - 1)) / 2
            else:
                scores[part] = Decimal(rng.randint(mark * 2, 196)) / 2
        return {
            "theory": scores["theory"],
            "practical": scores["practical"],
            "theory_carried": carried["theory"],
            "practical_carried": carried["practical"],
        }

    def _assess(self, story: Story, rng, turn, track: TrackRules) -> None:
        at = story.moves[-1].at
        previous = None
        first_exam = None
        while True:
            number = len(story.attempts) + 1
            rate = FIRST_ATTEMPT_PASS_RATE.get(track.code, 0.85) if number == 1 else RESIT_PASS_RATE
            passes = not turn("fail", 1 - rate)
            scores = self._scores(rng, track, passes, previous)
            attempt = AttemptPlan(number=number)
            if previous is not None:  # the resit's attempt opens with the passed part carried over
                attempt.theory = scores["theory"] if scores["theory_carried"] else None
                attempt.practical = scores["practical"] if scores["practical_carried"] else None
                attempt.theory_carried, attempt.practical_carried = (
                    scores["theory_carried"],
                    scores["practical_carried"],
                )
                story.attempts.append(attempt)
            exam = self._office(at.date() + timedelta(days=rng.randint(3, 20)), rng).date()
            entered = self._after(max(at, self._office(exam, rng)), rng, 0, 3)
            if entered > self.now:
                raise _Cut
            attempt.exam_date, attempt.entered_at = exam, entered
            attempt.theory, attempt.practical = scores["theory"], scores["practical"]
            attempt.theory_carried, attempt.practical_carried = scores["theory_carried"], scores["practical_carried"]
            if previous is None:
                story.attempts.append(attempt)
                first_exam = exam
            at = self._after(entered, rng, 0, 4)
            self._record_move(story, "submit_results", S.UNDER_REVIEW, at, "staff")
            attempt.submitted_at = at
            self._review(story, attempt, rng, turn, track, passes)
            if story.status == S.PASSED:
                return
            # Failed: a resit while attempts and the window allow, or the case rests.
            at = story.moves[-1].at
            if number >= track.max_attempts or turn("stay_failed", CHANCES["stay_failed"]):
                return
            if turn("withdraw_failed", CHANCES["withdraw_failed"]):
                at = self._after(at, rng, 10, 60)
                self._record_move(story, "withdraw", S.WITHDRAWN, at, "staff", rng.choice(WITHDRAW_REASONS))
                return
            at = self._after(at, rng, 7, 60)
            if at.date() > add_months(first_exam, track.resit_window_months):
                return
            self._record_move(story, "schedule_resit", S.TRAINED, at, "staff")
            previous = attempt

    def _review(self, story: Story, attempt: AttemptPlan, rng, turn, track: TrackRules, passes: bool) -> None:
        """The attempt's AssessmentFlow: review (returned at most once), a second review when the
        track needs two sign-offs, then the decision's move."""
        at = attempt.submitted_at
        tasks = attempt.tasks
        tasks.append(FlowTask("start", at, at + timedelta(milliseconds=1)))
        returned = False
        while True:
            created = at + timedelta(milliseconds=2)
            first = rng.randrange(self.assessors)
            decided = self._after(at, rng, 1, 12)
            if decided > self.now:
                owner = first if rng.random() < CHANCES["claimed"] else None
                tasks.append(FlowTask("review", created, None, owner))
                raise _Cut
            if not returned and turn("return", CHANCES["return"]):
                reason = rng.choice(RETURN_REASONS)
                self._decided(attempt, "return", first, decided, created, reason)
                attempt.outcome, attempt.reviewed_by, attempt.reviewed_at, attempt.reason = (
                    "returned",
                    first,
                    decided,
                    reason,
                )
                self._record_move(story, "return_for_correction", S.TRAINED, decided, first, reason)
                returned = True
                resubmitted = self._after(decided, rng, 2, 10)
                correction_created = decided + timedelta(milliseconds=3)
                if resubmitted > self.now:
                    tasks.append(FlowTask("correction", correction_created, None, None))
                    raise _Cut
                tasks.append(FlowTask("correction", correction_created, resubmitted, "staff"))
                attempt.process_data = {"decision": "", "sign_offs": []}
                self._record_move(story, "submit_results", S.UNDER_REVIEW, resubmitted, "staff")
                attempt.outcome, attempt.reviewed_by, attempt.reviewed_at, attempt.reason = "pending", None, None, ""
                attempt.submitted_at = at = resubmitted
                continue
            if not passes:
                reason = rng.choice(FAIL_REASONS)
                self._decided(attempt, "fail", first, decided, created, reason)
                self._end(attempt, decided)
                attempt.outcome, attempt.reviewed_by, attempt.reviewed_at, attempt.reason = (
                    "failed",
                    first,
                    decided,
                    reason,
                )
                self._record_move(story, "fail", S.FAILED, decided, first, reason)
                return
            signers = [first] + rng.sample(
                [a for a in range(self.assessors) if a != first], track.reviewers_required - 1
            )
            for position, signer in enumerate(signers):
                node = "review" if position == 0 else "second_review"
                if position:
                    created, decided = decided + timedelta(milliseconds=2), self._after(decided, rng, 0, 5)
                    if decided > self.now:
                        owner = signer if rng.random() < CHANCES["claimed"] else None
                        tasks.append(FlowTask(node, created, None, owner))
                        raise _Cut
                self._decided(attempt, "pass", signer, decided, created, node=node)
            self._end(attempt, decided)
            attempt.outcome, attempt.reviewed_by, attempt.reviewed_at = "passed", signers[-1], decided
            self._record_move(story, "pass", S.PASSED, decided, signers[-1])
            return

    @staticmethod
    def _decided(attempt: AttemptPlan, decision, assessor, at, created, reason="", node="review") -> None:
        """A review task worked to its end, then the flow's switch after it."""
        attempt.tasks.append(FlowTask(node, created, at, assessor))
        attempt.tasks.append(FlowTask("after_review", at + timedelta(milliseconds=1), at + timedelta(milliseconds=2)))
        sign_offs = list(attempt.process_data.get("sign_offs", []))
        if decision == "pass":
            sign_offs.append(assessor)
        attempt.process_data = {"decision": decision, "sign_offs": sign_offs}

    @staticmethod
    def _end(attempt: AttemptPlan, at: datetime) -> None:
        attempt.tasks.append(FlowTask("end", at + timedelta(milliseconds=3), at + timedelta(milliseconds=4)))

    def _publicise(self, story: Story, rng, turn, track: TrackRules) -> None:
        passed = story.moves[-1].at
        notice_day = _next_weekday(passed.date(), TUESDAY)
        opened = datetime.combine(notice_day, time(10, list(self.tracks).index(track.code) * 5), tzinfo=self.tz)
        self._record_move(story, "open_publicity", S.IN_PUBLICITY, opened, "officer")
        story.notice_day = notice_day
        story.publicity_ends_on = add_working_days(notice_day, track.publicity_working_days, self.holidays)
        closes = datetime.combine(story.publicity_ends_on + timedelta(days=1), time(0, 5), tzinfo=self.tz)
        if turn("objection", CHANCES["objection"]):
            days = max(1, (story.publicity_ends_on - notice_day).days)
            lodged = self._office(notice_day + timedelta(days=rng.randint(1, days)), rng)
            lodged = min(lodged, closes - timedelta(hours=7))
            if lodged <= self.now:
                name, contact, text = rng.choice(OBJECTIONS)
                story.objection = objection = ObjectionPlan(lodged, name, contact, text)
                decided = self._after(lodged, rng, 1, 6)
                if decided > self.now:
                    raise _Cut  # open: the candidate waits for the office's decision
                objection.decided_at = decided
                if turn("uphold", CHANCES["uphold"]):
                    objection.status, objection.reason = "upheld", rng.choice(UPHOLD_REASONS)
                    self._record_move(story, "uphold_objection", S.DISQUALIFIED, decided, "officer", objection.reason)
                    story.left_publicity_at = decided
                    return
                objection.status, objection.reason = "dismissed", rng.choice(DISMISS_REASONS)
                # The hourly close takes the candidate at its first run after both.
                closes = max(closes, decided.replace(minute=5, second=0, microsecond=0) + timedelta(hours=1))
        self._record_move(story, "close_publicity", S.READY_TO_ISSUE, closes, None)
        story.left_publicity_at = closes
        # The certificates are made in the weekly run at least a few days after the notice closes.
        issue_day = _next_weekday(closes.date() + timedelta(days=ISSUE_AFTER_DAYS), THURSDAY)
        if issue_day >= self.now.date():
            return
        story.issue_day = issue_day
        # The exact time comes with the serial, when demo.load numbers every run in order.
        self._record_move(story, "issue", S.CERTIFIED, datetime.combine(issue_day, time(14), tzinfo=self.tz), "officer")
        if turn("revoke", CHANCES["revoke"]):
            revoked = self._after(story.moves[-1].at, rng, 30, 400)
            self._record_move(story, "revoke", S.REVOKED, revoked, "officer", rng.choice(REVOKE_REASONS))


def tell_all(teller: Teller, batches: list[BatchPlan], *, first_day: date, seed: str = SEED) -> list[Story]:
    """Every batch's stories, in batch order; then, where a state has no enrolment at all (a small
    data set), one story of a full batch is told again, in a one-person batch of its own, so that
    it ends in that state."""
    stories = []
    for batch in batches:
        stories.extend(teller.tell(len(stories), batch) for _ in range(batch.size))
    present = {story.status for story in stories}
    rng = random.Random(f"{seed}:forced")
    span = (teller.now.date() + timedelta(days=14) - first_day).days
    for state in S:
        if state in present:
            continue
        donor = max(batches, key=lambda b: b.size)
        if donor.size < 2:
            break  # too few enrolments to show every state
        victim = next(position for position, story in enumerate(stories) if story.batch is donor)
        for attempt in range(20000):
            start = first_day + timedelta(days=rng.randrange(span))
            batch = BatchPlan(
                index=len(batches),
                institution=donor.institution,
                track=donor.track,
                level=donor.level,
                start=start,
                end=start + timedelta(days=rng.randint(30, 75)),
                size=1,
            )
            story = teller.tell(victim, batch, force=state, attempt=attempt)
            if story.status == state:
                break
        else:  # pragma: no cover - the search finds one within a few thousand tries
            continue
        donor.size -= 1
        batches.append(batch)
        stories[victim] = story
    stories.sort(key=lambda story: (story.batch.index, story.index))
    for position, story in enumerate(stories):
        story.index = position
    return stories
