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
