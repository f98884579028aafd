"""Portable credentials (docs/spec.md §12): what a verifier fetches (the issuer and its keys, the
status lists, the achievements), all public; and the holder's own credential, to the holder only."""

import json

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from certification import permissions
from certification.models import Level, Track
from core.views import role_required

from .. import credentials, data_integrity, selectors, status_lists

JSON_LD = "application/ld+json"


def _json_ld(document: dict | str, *, max_age: int) -> HttpResponse:
    body = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type=f"{JSON_LD}; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={max_age}"
    response["Access-Control-Allow-Origin"] = "*"  # verifiers run in browsers too
    return response


@require_GET
def issuer(request):
    return _json_ld(credentials.issuer_document(), max_age=3600)


@require_GET
def key(request, kid):
    document = credentials.multikey_document(kid)
    if document is None:
        raise Http404
    return _json_ld(document, max_age=86400)


@require_GET
def status_list(request, number):
    document = status_lists.published(number)
    if document is None:
        raise Http404
    # A revocation must reach verifiers at once: they may keep it, but ask again each time.
    response = _json_ld(document, max_age=0)
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def achievement(request, track_code, level):
    track = Track.objects.filter(code=track_code).prefetch_related("modules").first()
    if track is None or level not in Level.values:
        raise Http404
    with translation.override("zh-hans"):  # as printed on the certificates
        label = str(Level(level).label)
    document = {
        "@context": [data_integrity.CREDENTIALS_V2, data_integrity.OPEN_BADGES_V3],
        **credentials.achievement(track, level=level, level_label=label, title=track.certificate_title),
    }
    return _json_ld(document, max_age=3600)


@cache_control(private=True, no_store=True)
@role_required(permissions.is_trainee)
def my_credential(request, pk):
    """The holder's credential, exactly as signed, to add to a wallet."""
    certificate = get_object_or_404(
        selectors.certificates_visible_to(request.user).filter(credential__isnull=False).select_related("credential"),
        pk=pk,
    )
    response = HttpResponse(certificate.credential.document, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.credential.json"'
    return response
