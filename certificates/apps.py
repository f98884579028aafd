from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "Certificates"

    def ready(self):
        from . import checks, receivers  # noqa: F401 - registers the checks and the lifecycle receivers
