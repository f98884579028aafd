from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "Certificates"

    def ready(self):
        # checks registers the system checks; services registers what the lifecycle's `issue` and
        # `revoke` moves do here (certification.effects); reminders joins the daily round.
        from . import checks, reminders, services  # noqa: F401
