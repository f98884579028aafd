from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self):
        # The webhook events of the lifecycle's moves (certification.effects lists them).
        from .webhooks import events  # noqa: F401
