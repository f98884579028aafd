"""Derived rows the statistics read instead of the history itself (certification/derived_figures.py).

Nothing here is a record: every row can be rebuilt from the enrolments, their StateLog and their
attempts at any time, and is, for the enrolments whose history grew since the last refresh.
"""

from django.db import models


class StageDuration(models.Model):
    """One stage an enrolment went through, ended at `ended_at`, lasting `days`: the durations the
    statistics page's "days per stage" ranks. The enrolment's batch, track, institution and level
    are copied in, so that a filter reads this table alone: none of them changes once an enrolment
    exists (registration.update_batch refuses a new track or level for a batch with enrolments, and
    the admin shows them read-only then)."""

    enrolment = models.ForeignKey("certification.Enrolment", on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey("certification.TrainingBatch", on_delete=models.CASCADE, related_name="+")
    track_id = models.IntegerField()
    institution_id = models.IntegerField()
    level = models.PositiveSmallIntegerField()
    stage = models.CharField(max_length=12)
    ended_at = models.DateTimeField()
    days = models.FloatField()

    class Meta:
        indexes = [
            # Every filter's column after the ranked one: the percentiles read this index alone
            # (on SQLite, named in the query: it would take the next one for a period, and sort).
            models.Index(
                fields=["stage", "days", "track_id", "institution_id", "batch", "level", "ended_at"],
                name="stageduration_ranked",
            ),
            # What a period's days in a month it takes in part are counted by, alone.
            models.Index(
                fields=["ended_at", "stage", "track_id", "institution_id", "batch", "level"],
                name="stageduration_ended",
            ),
        ]


class StageDurationsByMonth(models.Model):
    """StageDuration rows counted: `n` durations of `stage` that ended in the local month `month`,
    of these batch, track, institution and level. Like FiguresByMonth for the enrolments' figures:
    the percentiles need each stage's count in the selection before they walk to its ranks, and
    the whole months of a period are counted here, recounted with a batch's durations."""

    stage = models.CharField(max_length=12)
    month = models.DateField()
    batch = models.ForeignKey("certification.TrainingBatch", on_delete=models.CASCADE, related_name="+")
    institution_id = models.IntegerField()
    track_id = models.IntegerField()
    level = models.PositiveSmallIntegerField()
    n = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["month", "stage", "track_id", "institution_id", "batch", "level", "n"],
                name="stagedurations_by_month",
            ),
        ]


class EnrolmentFigures(models.Model):
    """One narrow row per enrolment: what the funnel, the monthly figures, the pass rates and the
    programme report count (certification.statistics), so that each is one aggregate over 100,000
    short rows instead of a pass over the enrolments, their 700,000 moves and their attempts.

    - `furthest_stage`: the index in statistics.FUNNEL_STAGES of the furthest stage of the normal
      way reached (for a withdrawn enrolment, that of the status its withdrawal moved it from);
      null for a withdrawn enrolment without a withdrawal in its log (the funnel does not count it).
    - `exit_status`: the status it left the normal way with (rejected, failed, withdrawn,
      disqualified), or "".
    - `trained_at`, `certified_at`: its `complete_training` and `issue` moves (each made at most
      once: the lifecycle has no way back to enrolled or to ready to issue); `trained_month`,
      `certified_month`: the first day of their month in the office's time zone (TIME_ZONE), which
      the monthly figures group by (truncating in the query costs SQLite a call into Python a row).
    - `first_decided_at`, `passed_first`: its first attempt's decision, when passed or failed;
      `passed_later`: a later attempt passed.

    Batch, track, institution and level are copied in like StageDuration's.
    """

    enrolment = models.OneToOneField(
        "certification.Enrolment", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    batch = models.ForeignKey("certification.TrainingBatch", on_delete=models.CASCADE, related_name="+")
    institution = models.ForeignKey("certification.Institution", on_delete=models.CASCADE, related_name="+")
    track_id = models.IntegerField()
    level = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField()
    furthest_stage = models.SmallIntegerField(null=True)
    exit_status = models.CharField(max_length=20, blank=True)
    trained_at = models.DateTimeField(null=True)
    trained_month = models.DateField(null=True)
    certified_at = models.DateTimeField(null=True)
    certified_month = models.DateField(null=True)
    first_decided_at = models.DateTimeField(null=True)
    passed_first = models.BooleanField(default=False)
    passed_later = models.BooleanField(default=False)

    class Meta:
        # Each figure's period column first, then every column it groups or filters by: on
        # PostgreSQL an index-only scan, on SQLite a covering index; the rows are never read.
        indexes = [
            models.Index(
                fields=["created_at", "furthest_stage", "exit_status", "track_id", "institution", "batch", "level"],
                name="figures_funnel",
            ),
            # The drafts, which the counts by month leave out (certification.derived_figures).
            models.Index(
                fields=["created_at", "track_id", "institution", "batch", "level"],
                name="figures_drafts",
                condition=models.Q(furthest_stage=0, exit_status=""),
            ),
            models.Index(
                fields=["trained_at", "trained_month", "track_id", "institution", "batch", "level"],
                name="figures_trained",
                condition=models.Q(trained_at__isnull=False),
            ),
            models.Index(
                fields=["certified_at", "certified_month", "track_id", "institution", "batch", "level"],
                name="figures_certified",
                condition=models.Q(certified_at__isnull=False),
            ),
            models.Index(
                fields=[
                    "first_decided_at",
                    "track_id",
                    "institution",
                    "passed_first",
                    "passed_later",
                    "batch",
                    "level",
                ],
                name="figures_first_attempt",
                condition=models.Q(first_decided_at__isnull=False),
            ),
        ]


class FiguresByMonth(models.Model):
    """EnrolmentFigures rows counted: `n` rows whose `moment` (registered: `created_at`; trained,
    certified: `trained_at`, `certified_at`; first decided: `first_decided_at`) falls in the local
    month `month` and which have these values of every other column a figure groups or filters by.
    Drafts are left out: one never submitted may still be deleted, and is counted from its row.

    The figures count whole months of a period here, a few thousand short rows instead of 100,000,
    and only the days of a month the period takes in part from EnrolmentFigures itself
    (certification.statistics). Columns a moment's figure does not read are left at null, "" and
    false. certification.derived_figures recounts a batch's rows whenever it derives its
    enrolments' EnrolmentFigures again, so that the counts always equal the rows'.
    """

    class Moment(models.TextChoices):
        REGISTERED = "registered"
        TRAINED = "trained"
        CERTIFIED = "certified"
        FIRST_DECIDED = "first_decided"

    moment = models.CharField(max_length=16, choices=Moment.choices)
    month = models.DateField()
    batch = models.ForeignKey("certification.TrainingBatch", on_delete=models.CASCADE, related_name="+")
    institution = models.ForeignKey("certification.Institution", on_delete=models.CASCADE, related_name="+")
    track_id = models.IntegerField()
    level = models.PositiveSmallIntegerField()
    furthest_stage = models.SmallIntegerField(null=True)
    exit_status = models.CharField(max_length=20, blank=True)
    passed_first = models.BooleanField(default=False)
    passed_later = models.BooleanField(default=False)
    n = models.IntegerField()

    class Meta:
        indexes = [
            # Like EnrolmentFigures' indexes: what a figure reads, in the index alone.
            models.Index(
                fields=[
                    "moment",
                    "month",
                    "track_id",
                    "institution",
                    "batch",
                    "level",
                    "furthest_stage",
                    "exit_status",
                    "passed_first",
                    "passed_later",
                    "n",
                ],
                name="figures_by_month",
            ),
        ]


class DerivedFiguresUpTo(models.Model):
    """The one row saying up to which StateLog id and which Enrolment id the derived rows
    (StageDuration, EnrolmentFigures and their counts by month) have been derived."""

    last_state_log_id = models.BigIntegerField(default=0)
    last_enrolment_id = models.BigIntegerField(default=0)
