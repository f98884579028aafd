"""One error shape for every API response that is not a success:

    {"error": "<code>", "message": "<readable, in the request's language>", "fields": {"name": ["..."]}}

The services' errors keep their HTTP meaning (core.errors): MoveForbidden 403, StaleState and
RuleNotMet 409, InvalidInput 400 (with its field messages when it has them).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import InvalidInput, LifecycleError, MoveForbidden, RuleNotMet, StaleState


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="A stable code: `invalid`, `forbidden`, `not_found`, `conflict`, …")
    message = serializers.CharField(help_text="Readable, in the request's language (Accept-Language).")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages by field name, for invalid input.",
    )


SERVICE_CODES = {
    MoveForbidden: "forbidden",
    StaleState: "stale_state",
    RuleNotMet: "rule_not_met",
    InvalidInput: "invalid",
}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    body = {"error": code, "message": str(message)}
    if fields:
        body["fields"] = fields
    return body


def _fields_of(detail) -> dict:
    """DRF's nested validation detail as {field: [messages]} (nested fields joined with dots)."""
    fields: dict[str, list[str]] = {}

    def walk(prefix: str, value):
        if isinstance(value, dict):
            for name, inner in value.items():
                walk(f"{prefix}.{name}" if prefix else str(name), inner)
        elif isinstance(value, list) and value and not all(isinstance(v, str) for v in value):
            for index, inner in enumerate(value):
                walk(f"{prefix}.{index}" if prefix else str(index), inner)
        else:
            messages = value if isinstance(value, list) else [value]
            fields.setdefault(prefix or "non_field_errors", []).extend(str(m) for m in messages)

    walk("", detail)
    return fields


def exception_handler(exc, context):
    if isinstance(exc, LifecycleError):
        code = next((c for kind, c in SERVICE_CODES.items() if isinstance(exc, kind)), "conflict")
        fields = getattr(exc, "fields", None)
        return Response(error_body(code, exc.message, fields), status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's 500 (logged with the request id)
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields_of(exc.detail)
        response.data = error_body("invalid", _("Some of the data given is not valid."), fields)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or "error"
        response.data = error_body(_CODES.get(response.status_code, code), str(detail))
    return response


_CODES = {
    status.HTTP_400_BAD_REQUEST: "invalid",
    status.HTTP_401_UNAUTHORIZED: "not_authenticated",
    status.HTTP_403_FORBIDDEN: "forbidden",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_406_NOT_ACCEPTABLE: "not_acceptable",
    status.HTTP_409_CONFLICT: "conflict",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
    status.HTTP_429_TOO_MANY_REQUESTS: "rate_limited",
}


@csrf_exempt  # nothing happens here, whatever the method: no token to ask for
def not_found(request, *args, **kwargs):
    """An address under /api/v1/ that names no endpoint."""

    return JsonResponse(error_body("not_found", _("Not found.")), status=404, json_dumps_params={"ensure_ascii": False})
