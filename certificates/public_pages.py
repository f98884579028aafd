"""The public verify pages, rendered from the templates once per process and language (issue 16).

/verify/<number>/ is the site's busiest page: every employer, every QR scan. Rendered through the
template engine on each request, the site's layout and the page's fixed wording (translations,
URLs, static file names, the context processors) cost more than the lookup, the log and the rate
limit together. Yet for an anonymous visitor all of it is the same on every request but for a few
values: the certificate's facts, the CSRF token of the language switch and the address the switch
returns to. So each template is rendered once per process, language and *shape* (the certificate's
status and which of its optional facts are empty: the only things the templates test), with a
marker in place of every variable value; the result is kept split at the markers, and a request
only joins the parts with its own values, HTML-escaped as the template engine escapes them.

The templates stay the one source of the markup (tests compare both renderings): a verify template
may print any fact, compare `facts.status`, and test whether a fact is empty, and nothing else
about the request than what `_skeleton_context` provides.
"""

import re

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import Context, Engine
from django.utils.html import conditional_escape
from django.utils.translation import get_language

from .forms import NumberForm

CERTIFICATE = "certificates/verify/certificate.html"
NOT_FOUND = "certificates/verify/not_found.html"

# Facts the templates compare or that follow from one compared: rendered as they are.
_AS_THEY_ARE = ("status", "status_label")
_MARKER = "vfy7{}7vfy"
_MARKERS = re.compile(r"vfy7(\w+?)7vfy")
_skeletons: dict[tuple, list[str]] = {}


def certificate_page(request, facts: dict) -> HttpResponse:
    return _render(request, CERTIFICATE, facts, status=200)


def not_found_page(request) -> HttpResponse:
    return _render(request, NOT_FOUND, {}, status=404)


def _render(request, template_name: str, facts: dict, *, status: int) -> HttpResponse:
    fixed = tuple(facts.get(name) for name in _AS_THEY_ARE)
    empty = frozenset(name for name, value in facts.items() if value is None or value == "")
    key = (template_name, get_language(), fixed, empty)
    parts = _skeletons.get(key)
    if parts is None:
        parts = _skeleton(template_name, facts, empty)
        if not settings.DEBUG:  # while developing, a changed template shows at once
            _skeletons[key] = parts
    values = {"csrf_token": get_token(request), "next_path": request.get_full_path(), **facts}
    return HttpResponse(
        "".join(part if i % 2 == 0 else conditional_escape(values[part]) for i, part in enumerate(parts)),
        status=status,
    )


def _skeleton(template_name: str, facts: dict, empty: frozenset) -> list[str]:
    """The template's output with a marker for every variable value, split at the markers: literal
    text at even positions, the names of the values at odd ones."""
    html = (
        Engine.get_default()
        .get_template(template_name)
        .render(Context(_skeleton_context(facts, empty), autoescape=True))
    )
    return _MARKERS.split(html)


class _SkeletonRequest:
    def get_full_path(self) -> str:
        return _MARKER.format("next_path")


def _skeleton_context(facts: dict, empty: frozenset) -> dict:
    """What the templates see of an anonymous request (the context processors' share included)."""
    return {
        "facts": {
            name: value if name in _AS_THEY_ARE or name in empty else _MARKER.format(name)
            for name, value in facts.items()
        },
        "number_form": NumberForm(),
        "csrf_token": _MARKER.format("csrf_token"),
        "request": _SkeletonRequest(),
        "user": AnonymousUser(),
        "messages": [],
        "navigation": [],
    }
