"""The site's URL map with three views that fail on purpose, for tests/core/test_error_pages.py."""

from django.core.exceptions import SuspiciousOperation
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def suspicious(request):
    raise SuspiciousOperation("tampered")


def broken(request):
    raise RuntimeError("the database went away")


def broken_context_processor(request):
    raise RuntimeError("a context processor that needs the database")


urlpatterns = [
    *urlpatterns,
    path("test-errors/suspicious/", suspicious),
    path("test-errors/broken/", broken),
]
