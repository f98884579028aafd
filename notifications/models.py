"""The outbox (docs/spec.md §13): one Notification per event and recipient, written in the event's
transaction, read in the app and delivered by e-mail by a task (notifications.delivery)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Delivery(models.TextChoices):
    NONE = "none", _("not sent")  # no address, or the recipient does not want this kind by e-mail
    PENDING = "pending", _("waiting")
    DIGEST = "digest", _("kept for the daily digest")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class Notification(models.Model):
    # What happened, once per recipient: the database refuses a second row for one event and person.
    event_key = models.CharField(max_length=160)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    # The facts the message is written from (in the reader's language when it is shown or sent).
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    delivery = models.CharField(max_length=8, choices=Delivery.choices, default=Delivery.NONE)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=255, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event_key", "recipient"], name="one_notification_per_event_and_recipient")
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["delivery", "next_attempt_at"], name="notification_due"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")


class Preference(models.Model):
    """What one person wants by e-mail; a person without a row gets every kind, one mail each, in Chinese."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    language = models.CharField(_("language of e-mails"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    muted_kinds = models.JSONField(_("kinds not sent by e-mail"), default=list, blank=True)
    digest = models.BooleanField(_("one daily digest instead of single e-mails"), default=False)
    unsubscribed = models.BooleanField(_("no e-mail at all"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
