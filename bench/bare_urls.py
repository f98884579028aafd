"""The URL map of bench/verify_load.py: the application's, plus the bare view it compares against.

The bare view is the floor a Django page cannot go under on this machine: one indexed lookup of a
certificate by number, a small template, through the same middleware as every page, without rate
limit, log or the site's layout.
"""

from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from certificates.models import Certificate

_TEMPLATE = engines["django"].from_string(
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>{{ number }}</title></head>'
    "<body><p>{{ number }}: {{ status|default:'not found' }}</p></body></html>"
)


def bare(request, number):
    row = Certificate.objects.filter(number=number[:22]).values("number", "status").first()
    return HttpResponse(_TEMPLATE.render({"number": number, "status": row and row["status"]}, request))


urlpatterns = [
    path("bench/bare/<str:number>/", bare),
    path("", include("config.urls")),
]
