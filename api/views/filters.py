"""Query-string filters of the lists, parsed with a clear 400 for a bad value."""

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

from certification.models import EnrolmentStatus

UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description="Only rows changed at or after this time (ISO 8601), for sync. · 仅返回此时间（ISO 8601）及之后变更的记录，用于同步。",
)
STATUS = OpenApiParameter(
    "status", OpenApiTypes.STR, enum=EnrolmentStatus.values, description="Enrolment status. · 报名状态。"
)
BATCH = OpenApiParameter("batch", OpenApiTypes.INT, description="Training batch id. · 培训批次 ID。")
TRACK = OpenApiParameter("track", OpenApiTypes.STR, description="Track code (PM, CR, NM). · 方向代码。")
CURSOR = OpenApiParameter(
    "cursor", OpenApiTypes.STR, description="From `next` / `previous`. · 来自 `next` / `previous`。"
)
PAGE_SIZE = OpenApiParameter("page_size", OpenApiTypes.INT, description="1–100, default 50. · 每页 1–100 条，默认 50。")


def updated_since(request):
    value = request.query_params.get("updated_since")
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError(
            {"updated_since": [_("Give a date and time in ISO 8601, e.g. 2026-12-01T08:00:00+08:00.")]}
        )
    if parsed.tzinfo is None:
        from django.utils import timezone

        parsed = timezone.make_aware(parsed)
    return parsed


def positive_int(request, name: str):
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if not value.isdigit() or len(value) > 18:
        raise ValidationError({name: [_("A positive whole number is expected.")]})
    return int(value)


def choice(request, name: str, choices):
    """The value of a filter among `choices` (read only when the filter is given), or None."""
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if value not in choices:
        raise ValidationError({name: [_("“%(value)s” is not one of the choices.") % {"value": value[:40]}]})
    return value
