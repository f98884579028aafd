from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "Certificates"

    def ready(self):
        # checks registers the system checks; services registers what the lifecycle's `issue` and
        # `revoke` moves do here (certification.effects); reminders joins the daily round.
        from core import periodic

        from . import checks, reminders, services  # noqa: F401
        from .tasks import schedule_check_rollup

        # The office's counts of checks: the scheduler closes each ended day (check_rollup).
        periodic.register(schedule_check_rollup)
