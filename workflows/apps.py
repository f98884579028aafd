from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Assessment")

    def ready(self):
        from . import flows  # noqa: F401 - registers AssessmentFlow with viewflow
