"""Start-up checks of the reports' configuration."""

from django.conf import settings
from django.core.checks import Error, register

from . import register as register_export


@register("reports")
def check_register_columns(app_configs=None, **kwargs):
    return [
        Error(problem, hint="See reports/register.py for the column keys.", id="reports.E001")
        for problem in register_export.layout_problems(settings.REGISTER_EXPORT_COLUMNS)
    ]
