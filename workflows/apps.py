from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Assessment")

    def ready(self):
        # flows registers AssessmentFlow with viewflow; the services register what the lifecycle's
        # moves do here (certification.effects).
        from . import flows  # noqa: F401
        from .assessment import services as assessment  # noqa: F401
        from .publicity import services as publicity  # noqa: F401
