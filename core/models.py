"""Model bases every app shares."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

APPEND_ONLY = _("This log is append-only.")


class AppendOnlyQuerySet(models.QuerySet):
    """No update, delete or bulk_update through a queryset: history is written once."""

    def update(self, **kwargs):
        raise ValidationError(APPEND_ONLY)

    def delete(self):
        raise ValidationError(APPEND_ONLY)

    def bulk_update(self, *args, **kwargs):
        raise ValidationError(APPEND_ONLY)


class AppendOnly(models.Model):
    """A row written once and never changed or deleted, also not through its instance."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(APPEND_ONLY)


class RateCounter(models.Model):
    """Tries counted under one key in one window of core.ratelimit, when the cache is the database.

    One row a (key, window), incremented by a single INSERT ... ON CONFLICT DO UPDATE statement,
    so that simultaneous tries are counted one after the other.
    """

    key = models.CharField(max_length=64)
    bucket = models.BigIntegerField()  # the window's number since the epoch
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "bucket"], name="rate_counter_one_row_a_window")]

    def __str__(self):
        return f"{self.key} #{self.bucket}: {self.count}"
