"""`POST /api/v1/verify/bulk/`: bulk verification for employers' systems (docs/spec.md §11).

Authentication: an employer API key (`Authorization: Api-Key <key>`, djangorestframework-api-key),
or the browser session of an employer or an officer. The key's use is recorded (last_used_at).
"""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import authentication, exceptions, parsers, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_api_key.permissions import KeyParser

from core.errors import LifecycleError
from core.roles import is_employer, is_officer

from . import bulk
from .models import EmployerAPIKey


class EmployerKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <prefix>.<secret>` of an employer key. Another kind of key (an
    institution's) is left to the other authentication classes; a revoked or unknown one of ours
    is refused."""

    keyword = KeyParser.keyword

    def authenticate(self, request):
        key = KeyParser().get(request)
        if not key:
            return None
        prefix = key.partition(".")[0]
        found = EmployerAPIKey.objects.select_related("user").filter(prefix=prefix).first()
        if found is None:
            return None  # not an employer key: perhaps an institution's
        if found.revoked or found.has_expired or not found.is_valid(key):
            raise exceptions.AuthenticationFailed(_("This API key is revoked or not valid."))
        if not found.user.is_active or not is_employer(found.user):
            raise exceptions.AuthenticationFailed(_("This API key's account is switched off."))
        EmployerAPIKey.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        return found.user, found

    def authenticate_header(self, request):
        return self.keyword


class IsEmployerOrOfficer(permissions.BasePermission):
    def has_permission(self, request, view):
        return is_employer(request.user) or is_officer(request.user)


class EntrySerializer(serializers.Serializer):
    number = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=64, required=False, allow_blank=True)


class BulkRequestSerializer(serializers.Serializer):
    certificates = EntrySerializer(many=True)


class ResultSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    number = serializers.CharField()
    name = serializers.CharField(help_text="The name sent, if any")
    status = serializers.ChoiceField(choices=["valid", "revoked", "superseded", "unknown", "name_mismatch"])
    status_label = serializers.CharField()
    holder = serializers.CharField(required=False, help_text="masked: 张*明")
    id_type = serializers.CharField(required=False)
    id_number = serializers.CharField(required=False, help_text="masked: 330***********1234")
    occupation = serializers.CharField(required=False)
    direction = serializers.CharField(required=False)
    title = serializers.CharField(required=False)
    level = serializers.IntegerField(required=False)
    level_label = serializers.CharField(required=False)
    issue_date = serializers.DateField(required=False)
    issuer = serializers.CharField(required=False)
    revoked_on = serializers.DateField(required=False, allow_null=True)
    superseded_on = serializers.DateField(required=False, allow_null=True)
    superseded_by = serializers.CharField(required=False, allow_null=True)
    supersedes = serializers.CharField(required=False, allow_null=True)


class BulkResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = ResultSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class BulkVerifyView(APIView):
    authentication_classes = [EmployerKeyAuthentication, authentication.SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated, IsEmployerOrOfficer]
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser]

    @extend_schema(
        operation_id="verify_bulk",
        summary="Verify up to 1,000 certificates at once / 批量核验证书",
        description=(
            "Send certificate numbers, each optionally with the holder's full name, as JSON "
            '(`{"certificates": [{"number": "...", "name": "..."}]}`) or as an xlsx/CSV file in the '
            "multipart field `file` (number in the first column, name in the second). Each comes back "
            "with its status (valid, revoked, superseded, unknown, name_mismatch) and the masked facts "
            "the public sees. `?output=xlsx` answers with a workbook instead. Every lookup is logged; "
            "calls are rate-limited per account.\n\n"
            "发送证书编号（可附持证人姓名），JSON 或 xlsx/CSV 文件（multipart 字段 `file`），"
            "返回每张证书的状态与脱敏信息；`?output=xlsx` 返回工作簿。每次查询都记入核验日志，按账户限频。"
        ),
        parameters=[
            OpenApiParameter("output", OpenApiTypes.STR, enum=["json", "xlsx"], required=False),
        ],
        request={"application/json": BulkRequestSerializer, "multipart/form-data": OpenApiTypes.OBJECT},
        responses={
            200: BulkResponseSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            413: ErrorSerializer,
            415: ErrorSerializer,
            429: ErrorSerializer,
        },
        examples=[
            OpenApiExample(
                "Two numbers, one with a name",
                value={
                    "certificates": [
                        {"number": "Y000133000101264000001", "name": "张晓明"},
                        {"number": "Y000133000101264000002"},
                    ]
                },
                request_only=True,
            )
        ],
        tags=["verification"],
    )
    def post(self, request):
        try:
            bulk.check_allowed(request.user)
            upload = request.FILES.get("file")
            entries = bulk.read_upload(upload) if upload is not None else bulk.entries_from_json(request.data)
            results = bulk.verify(user=request.user, entries=entries, request=request)
        except LifecycleError as error:
            return Response({"detail": error.message}, status=error.http_status)
        if request.query_params.get("output") == "xlsx":
            response = HttpResponse(bulk.workbook(results), content_type=bulk.XLSX_TYPE)
            response["Content-Disposition"] = 'attachment; filename="verification.xlsx"'
            return response
        return Response({"count": len(results), "results": results}, status=status.HTTP_200_OK)


class EmployerKeyScheme(OpenApiAuthenticationExtension):
    """How /api/schema/ describes the employer key (drf-spectacular finds it by the class path)."""

    target_class = "integrations.api.EmployerKeyAuthentication"
    name = "EmployerApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`: an employer's key, for bulk verification only / 用人单位的密钥，仅用于批量核验",
        }
