"""`Idempotency-Key` on POST: a retried request gets the first response, and nothing is made twice.

The key's row is inserted before the work, in the same transaction as the work: a concurrent
retry's INSERT waits on the unique (key, credential) index until the first transaction ends, then
either finds the finished response (replayed) or, if the first rolled back, does the work itself.
Responses of 2xx and 4xx are kept (a refusal is an answer too); an exception rolls everything back,
key included, so the retry runs again. Kept for KEEP_FOR; the same key with another body is refused.
"""

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response

from .errors import error_body
from .models import IdempotentResponse

HEADER = "Idempotency-Key"
KEEP_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = 255


def credential_of(request) -> str:
    if request.auth is not None and hasattr(request.auth, "prefix"):
        return f"key:{request.auth.prefix}"
    return f"user:{request.user.pk}"


def fingerprint_of(request) -> str:
    """What makes two requests the same: method, path and body (a file by its name, size and content)."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    data = request.data
    plain, files = {}, {}
    for name in sorted(getattr(data, "keys", dict)()):
        values = data.getlist(name) if hasattr(data, "getlist") else [data[name]]
        for value in values:
            if hasattr(value, "chunks"):
                file_digest = hashlib.sha256()
                for chunk in value.chunks():
                    file_digest.update(chunk)
                value.seek(0)
                files.setdefault(name, []).append([value.name, value.size, file_digest.hexdigest()])
            else:
                plain.setdefault(name, []).append(value)
    digest.update(json.dumps([plain, files], sort_keys=True, default=str).encode())
    return digest.hexdigest()


def respond_once(request, key: str, work) -> HttpResponse:
    """The response to this POST: `work()` run once for (key, credential), or the first one's replayed."""
    if not key or len(key) > MAX_KEY_LENGTH:
        return Response(
            error_body("invalid", _("The Idempotency-Key header must be 1 to 255 characters.")),
            status=status.HTTP_400_BAD_REQUEST,
        )
    credential, fingerprint = credential_of(request), fingerprint_of(request)
    with transaction.atomic():
        IdempotentResponse.objects.filter(credential=credential, created_at__lt=timezone.now() - KEEP_FOR).delete()
        try:
            with transaction.atomic():
                record = IdempotentResponse.objects.create(key=key, credential=credential, fingerprint=fingerprint)
        except IntegrityError:
            record = None
        if record is None:
            # The first request committed (a concurrent one waited for it on the unique index).
            first = IdempotentResponse.objects.get(key=key, credential=credential)
            return _replay(first, fingerprint)
        response = work()
        if response.status_code >= 500:
            transaction.set_rollback(True)
            return response
        response.render() if hasattr(response, "render") and not response.is_rendered else None
        IdempotentResponse.objects.filter(pk=record.pk).update(
            status_code=response.status_code,
            content_type=response.get("Content-Type", ""),
            body=bytes(response.content),
        )
        return response


def _replay(first: IdempotentResponse, fingerprint: str) -> HttpResponse:
    if first.fingerprint != fingerprint:
        return Response(
            error_body(
                "idempotency_key_reused",
                _("This Idempotency-Key was already used for a different request: use a new key."),
            ),
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    response = HttpResponse(bytes(first.body), status=first.status_code, content_type=first.content_type)
    response["Idempotent-Replayed"] = "true"
    return response
