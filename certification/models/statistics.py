"""Derived rows the statistics read instead of the history itself (certification/stage_durations.py).

Nothing here is a record: every row can be rebuilt from the StateLog at any time, and is, for the
enrolments whose history grew since the last refresh.
"""

from django.db import models


class StageDuration(models.Model):
    """One stage an enrolment went through, ended at `ended_at`, lasting `days`: the durations the
    statistics page's "days per stage" ranks. The enrolment's batch, track and institution are
    copied in (none of them changes once an enrolment exists), so that a filter reads this table
    alone; the level is the batch's, read through the batch (a batch's level may be edited)."""

    enrolment = models.ForeignKey("certification.Enrolment", on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey("certification.TrainingBatch", on_delete=models.CASCADE, related_name="+")
    track_id = models.IntegerField()
    institution_id = models.IntegerField()
    stage = models.CharField(max_length=12)
    ended_at = models.DateTimeField()
    days = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["stage", "days"]), models.Index(fields=["ended_at"])]


class StageDurationsUpTo(models.Model):
    """The one row saying up to which StateLog id the durations have been derived."""

    last_state_log_id = models.BigIntegerField(default=0)
