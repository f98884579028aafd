"""The OpenAPI description (drf-spectacular): every operation in English and zh-hans, with
examples, the one error shape, and the key authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from .errors import ErrorSerializer

ERROR_TEXT = {
    400: ("The input is not valid: see `message` and `fields`.", "输入无效：见 `message` 与 `fields`。"),
    401: (
        "No valid credentials: sign in, or send `Authorization: Api-Key <key>`.",
        "未认证：请登录，或发送 `Authorization: Api-Key <密钥>`。",
    ),
    403: ("Your role, or a read-only key, may not do this.", "您的角色或只读密钥无权执行此操作。"),
    404: (
        "Not found, or not yours (another institution's object is never shown).",
        "未找到，或不属于您（不显示其他机构的对象）。",
    ),
    409: ("Someone else moved it first, or a business rule is not met.", "已被他人先行处理，或不满足业务规则。"),
    422: ("The Idempotency-Key was already used for a different request.", "该 Idempotency-Key 已用于另一个请求。"),
    429: ("Too many requests: wait a minute.", "请求过多：请稍候一分钟。"),
}

ERROR_EXAMPLES = {
    400: {
        "error": "invalid",
        "message": "Some of the data given is not valid.",
        "fields": {"id_number": ["The check digit of this resident ID number is wrong."]},
    },
    401: {"error": "not_authenticated", "message": "Authentication credentials were not provided."},
    403: {"error": "forbidden", "message": "This API key is read-only: it cannot change anything."},
    404: {"error": "not_found", "message": "Not found."},
    409: {
        "error": "stale_state",
        "message": "“Submit for approval” is not possible while the enrolment is “enrolled”.",
    },
    422: {
        "error": "idempotency_key_reused",
        "message": "This Idempotency-Key was already used for a different request: use a new key.",
    },
    429: {"error": "rate_limited", "message": "Request was throttled."},
}

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string (e.g. a UUID), up to 255 characters. A retry with the same key gets the first "
        "response and changes nothing again (kept 24 hours).\n\n"
        "任意唯一字符串（如 UUID），最长 255 个字符。使用相同键重试将得到首次响应，且不会重复执行（保留 24 小时）。"
    ),
)


def bilingual(en: str, zh: str) -> str:
    return f"{en}\n\n{zh}"


def _errors(codes) -> dict:
    return {
        code: OpenApiResponse(
            ErrorSerializer,
            description=bilingual(*ERROR_TEXT[code]),
            examples=[
                OpenApiExample(
                    f"error {code}", value=ERROR_EXAMPLES[code], response_only=True, status_codes=[str(code)]
                )
            ],
        )
        for code in codes
    }


def operation(
    *,
    summary: tuple[str, str],
    description: tuple[str, str],
    ok,
    ok_status: int = 200,
    request=None,
    errors=(401, 403, 404),
    parameters=(),
    examples=(),
    post: bool = False,
    tags=None,
    operation_id=None,
    ok_media: str | None = None,
):
    """extend_schema for one operation: bilingual summary and description, its success response,
    the errors it can answer with (one shape), and Idempotency-Key on POSTs."""
    errors = tuple(errors) + ((422,) if post else ())
    success = (ok_status, ok_media) if ok_media else ok_status
    # Any request may be malformed (a bad filter, a bad cursor), unauthenticated or refused, or throttled.
    responses = {success: ok, **_errors(sorted(set(errors) | {400, 401, 403, 429}))}
    return extend_schema(
        summary=f"{summary[0]} · {summary[1]}",
        description=bilingual(*description),
        request=request,
        responses=responses,
        parameters=[*parameters, *([IDEMPOTENCY_KEY] if post else [])],
        examples=list(examples),
        tags=tags,
        operation_id=operation_id,
    )


class InstitutionAPIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.InstitutionAPIKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": bilingual(
                "An institution's API key, sent as `Authorization: Api-Key <key>`. Made and revoked at /api/keys/.",
                "机构 API 密钥，以 `Authorization: Api-Key <密钥>` 发送；在 /api/keys/ 创建与撤销。",
            ),
        }
