from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """What the office reads across the apps: the programme report, the provincial register
    export, the audit view and the dashboard's "needs you now" panel. Above workflows and
    certificates (it reads both), below the URL map."""

    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # attention registers the office dashboard's panel (certification.attention); checks, the
        # register export's column check.
        from . import attention, checks  # noqa: F401
