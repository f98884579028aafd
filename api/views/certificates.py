"""Certificates (list, detail, the frozen PDF), statistics, and the public status by number."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from certificates import numbering, selectors, verification
from certificates.models import CertificateStatus, VerificationChannel
from certification.models import Track
from core import roles
from workflows import figures
from workflows.forms.statistics import StatisticsFilterForm

from .. import serializers as s
from ..errors import error_body
from ..pagination import Cursor
from ..schema import operation
from . import filters
from .base import StaffOrOfficerListView, StaffOrOfficerView
from .registration import _page

TAGS = ["certificates · 证书"]


class CertificateList(StaffOrOfficerListView):
    pagination_class = Cursor
    serializer_class = s.CertificateSerializer

    @operation(
        summary=("List certificates", "证书列表"),
        description=(
            "Your institution's certificates (the office: all), newest first; filter by `status`, `track`, `batch`.",
            "本机构的证书（认定机构可见全部），按新到旧；可按 `status`、`track`、`batch` 筛选。",
        ),
        ok=s.CertificateSerializer(many=True),
        parameters=[
            filters.CURSOR,
            filters.PAGE_SIZE,
            OpenApiParameter("status", OpenApiTypes.STR, enum=CertificateStatus.values, description="· 证书状态"),
            filters.TRACK,
            filters.BATCH,
        ],
        tags=TAGS,
    )
    def get(self, request):
        certificates = selectors.certificates_visible_to(request.user)
        wanted = filters.choice(request, "status", CertificateStatus.values)
        if wanted:
            certificates = certificates.filter(status=wanted)
        track = filters.choice(request, "track", Track.objects.values_list("code", flat=True))
        if track:
            certificates = certificates.filter(track_code=track)
        batch = filters.positive_int(request, "batch")
        if batch is not None:
            certificates = certificates.filter(enrolment__batch_id=batch)
        return _page(self, certificates, s.CertificateSerializer)


def _certificate(request, pk):
    return get_object_or_404(
        selectors.certificates_visible_to(request.user).select_related("supersedes", "superseded_by"), pk=pk
    )


class CertificateDetail(StaffOrOfficerView):
    @operation(
        summary=("One certificate", "证书详情"),
        description=("The printed facts, status and the PDF's SHA-256.", "证书所载信息、状态与 PDF 的 SHA-256。"),
        ok=s.CertificateDetailSerializer,
        tags=TAGS,
    )
    def get(self, request, pk: int):
        return Response(s.CertificateDetailSerializer(_certificate(request, pk)).data)


class CertificatePdf(StaffOrOfficerView):
    @operation(
        summary=("The certificate's PDF", "证书 PDF"),
        description=(
            "The signed PDF exactly as issued (404 while it is still being issued).",
            "与签发时完全一致的已签名 PDF（签发中时返回 404）。",
        ),
        ok=OpenApiResponse(OpenApiTypes.BINARY, description="The signed PDF. · 已签名的 PDF。"),
        ok_media="application/pdf",
        tags=TAGS,
    )
    def get(self, request, pk: int):
        certificate = get_object_or_404(selectors.certificates_visible_to(request.user), pk=pk)
        if not certificate.is_frozen:
            raise Http404
        return FileResponse(
            certificate.pdf.open("rb"),
            as_attachment=True,
            filename=f"{certificate.number}.pdf",
            content_type="application/pdf",
        )


class Statistics(StaffOrOfficerView):
    @operation(
        summary=("Statistics", "统计"),
        description=(
            "The statistics page's figures as tables (funnel, per month, pass rates, days per stage, workload, "
            "objections): an institution's own, or the office's with an optional `institution`. Filters as on the page.",
            "统计页面的各项数据表（流程漏斗、按月、通过率、各阶段天数、考评工作量、异议）：机构看本机构，"
            "认定机构可选 `institution`。筛选条件同页面。",
        ),
        ok=s.StatisticsSerializer,
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="· 起始日期"),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="· 截止日期"),
            OpenApiParameter("track", OpenApiTypes.INT, description="Track id. · 方向 ID"),
            OpenApiParameter("level", OpenApiTypes.INT, description="· 等级 1–5"),
            OpenApiParameter("institution", OpenApiTypes.INT, description="The office only. · 仅认定机构"),
            OpenApiParameter("batch", OpenApiTypes.INT, description="· 批次 ID"),
        ],
        errors=(400, 401, 403),
        tags=["statistics · 统计"],
    )
    def get(self, request):
        institution_id = roles.institution_of_staff(request.user)
        form = StatisticsFilterForm(request.query_params or None, institution_id=institution_id)
        if form.is_bound and not form.is_valid():
            from rest_framework.exceptions import ValidationError

            raise ValidationError(form.errors)
        shown = figures.build(form.scope(), names_assessors=institution_id is None)
        data = [{"key": f.key, "title": f.title, "headers": f.headers, "rows": f.rows} for f in shown]
        return Response(s.StatisticsSerializer({"figures": data}).data)


class PublicCertificate(APIView):
    """Anyone, no credentials: the same lookup, log and rate limit as /verify/<number>.json."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []  # the verify pages' own limit, shared with them, applies instead

    @operation(
        summary=("Certificate status by number", "按编号查询证书状态"),
        description=(
            "Public, no key needed: status (valid, superseded, revoked) and masked facts, exactly what /verify/ "
            "shows; rate-limited per address together with /verify/ (429), every lookup logged.",
            "公开接口，无需密钥：证书状态（有效、已被取代、已撤销）及脱敏信息，与 /verify/ 页面一致；"
            "与 /verify/ 共用按地址的频率限制（429），每次查询均记录。",
        ),
        ok=s.PublicCertificateSerializer,
        errors=(404,),
        examples=[
            OpenApiExample(
                "valid",
                response_only=True,
                value={
                    "number": "Y000133000101264000001",
                    "status": "valid",
                    "status_label": "valid",
                    "holder": "王*明",
                    "id_type": "居民身份证",
                    "id_number": "330***********1237",
                    "occupation": "时尚工程师",
                    "direction": "服装制版",
                    "title": "时尚工程师（制版师）",
                    "level": 4,
                    "level_label": "四级/中级工",
                    "issue_date": "2026-12-06",
                    "issuer": "浙江省时尚产业职业技能等级认定中心",
                    "revoked_on": None,
                    "superseded_on": None,
                    "superseded_by": None,
                    "supersedes": None,
                },
            )
        ],
        tags=["public · 公开查询"],
    )
    def get(self, request, number: str):
        if not verification.rate_limit_allows(request, scope="lookup"):
            message = _("Too many lookups from your address. Please wait a minute and try again.")
            return Response(error_body("rate_limited", message), status=status.HTTP_429_TOO_MANY_REQUESTS)
        certificate = verification.looked_up(
            numbering.normalise_number(number), channel=VerificationChannel.JSON, request=request
        )
        if certificate is None:
            return Response(
                error_body("not_found", _("No certificate has this number.")), status=status.HTTP_404_NOT_FOUND
            )
        return Response(verification.public_facts(certificate))
