from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self):
        # The webhook events of the lifecycle's moves (certification.effects lists them).
        from core import periodic

        from .webhooks import events  # noqa: F401
        from .webhooks.tasks import schedule_retries

        # Deliveries a dead worker left leased are queued again by the scheduler's next round.
        periodic.register(schedule_retries)
