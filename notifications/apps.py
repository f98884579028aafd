from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # effects registers what the lifecycle's moves tell people (certification.effects).
        from . import effects  # noqa: F401
