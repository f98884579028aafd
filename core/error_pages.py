"""Our own error pages (400, 403, 404, 405, 429, 500 and a refused CSRF token), in the site's layout.

config/urls.py names these as handler400/403/404/500 and settings.CSRF_FAILURE_VIEW names
csrf_failure; MethodNotAllowedPage gives the empty 405 of @require_POST a body. Our templates
(templates/400.html ...) are found before the ones viewflow ships under the same names, because the
project's templates/ directory is searched before any app's.

The 500 page is a standalone template rendered without the request's context processors: it must
show even when the database (sessions, the user, the menu) is what failed.
"""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from .middleware import current_request_id


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def csrf_failure(request, reason=""):
    """The form's security token was missing or stale (a page left open, cookies off)."""
    return render(request, "csrf_failure.html", status=403)


def rate_limited(request, *, minutes: int | None = None, back_url: str = ""):
    """A public form refused by core.ratelimit: how long to wait, and the way back to the form."""
    return render(request, "429.html", {"minutes": minutes, "back_url": back_url}, status=429)


def server_error(request):
    request_id = getattr(request, "request_id", "") or current_request_id.get()
    return HttpResponseServerError(loader.get_template("500.html").render({"request_id": request_id}))


class MethodNotAllowedPage:
    """A 405 with no body (django.views.decorators.http) gets our page; the Allow header stays."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not getattr(response, "streaming", False) and not response.content:
            page = render(request, "405.html", status=405)
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        return response
