"""The office: eligibility approvals (approve / reject, many at once) and issuance runs."""

from django.shortcuts import get_object_or_404
from rest_framework import status
from rest_framework.response import Response

from certificates import selectors as certificate_selectors
from certificates import services as certificate_services
from certification import selectors, services
from certification.models import EnrolmentStatus

from .. import serializers as s
from ..pagination import Cursor
from ..schema import operation
from . import filters
from .base import OfficerListView, OfficerView
from .registration import _page, _valid, listed

TAGS = ["office · 认定机构"]


class Approvals(OfficerListView):
    pagination_class = Cursor
    serializer_class = s.EnrolmentSerializer

    @operation(
        summary=("Enrolments awaiting approval", "待审核报名"),
        description=(
            "The office: submitted enrolments of every institution; filter by `batch` and `track`.",
            "认定机构：各机构已提交待审核的报名；可按 `batch`、`track` 筛选。",
        ),
        ok=s.EnrolmentSerializer(many=True),
        parameters=[filters.CURSOR, filters.PAGE_SIZE, filters.BATCH, filters.TRACK],
        tags=TAGS,
    )
    def get(self, request):
        queue = selectors.enrolments_visible_to(request.user).filter(status=EnrolmentStatus.SUBMITTED)
        batch = filters.positive_int(request, "batch")
        if batch is not None:
            queue = queue.filter(batch_id=batch)
        track = request.query_params.get("track")
        if track:
            queue = queue.filter(track__code=track)
        return _page(self, listed(queue), s.EnrolmentSerializer)


def _moved(request, enrolments) -> Response:
    ids = [e.pk for e in enrolments]
    visible = selectors.enrolments_visible_to(request.user).filter(pk__in=ids).order_by("pk")
    return Response({"moved": s.EnrolmentSerializer(visible, many=True).data})


class Approve(OfficerView):
    @operation(
        summary=("Approve eligibility", "审核通过"),
        description=(
            "The office: approve submitted enrolments, all or nothing (the first refusal, e.g. a used-up quota, "
            "rolls back the rest and says whose). Each trainee gets an account.",
            "认定机构：批量审核通过，全部成功或全部不变（如某人超出名额，整体回滚并指明是谁）。每位学员获得账号。",
        ),
        request=s.DecisionSerializer,
        ok=s.MovedSerializer,
        errors=(400, 401, 403, 409),
        post=True,
        tags=TAGS,
    )
    def post(self, request):
        data = _valid(s.DecisionSerializer, request)
        moved = services.approve_enrolments(
            officer=request.user, enrolment_ids=data["enrolments"], reason=data["reason"]
        )
        return _moved(request, moved)


class Reject(OfficerView):
    @operation(
        summary=("Reject eligibility", "审核驳回"),
        description=(
            "The office: reject submitted enrolments with a reason, all or nothing; the institution may correct and resubmit.",
            "认定机构：说明原因后批量驳回，全部成功或全部不变；机构可修改后重新提交。",
        ),
        request=s.RejectSerializer,
        ok=s.MovedSerializer,
        errors=(400, 401, 403, 409),
        post=True,
        tags=TAGS,
    )
    def post(self, request):
        data = _valid(s.RejectSerializer, request)
        moved = services.reject_enrolments(
            officer=request.user, enrolment_ids=data["enrolments"], reason=data["reason"]
        )
        return _moved(request, moved)


class RunList(OfficerListView):
    pagination_class = Cursor
    serializer_class = s.RunSummarySerializer

    @operation(
        summary=("Issuance runs", "发证批次任务"),
        description=("The office: runs, newest first.", "认定机构：发证任务，按新到旧。"),
        ok=s.RunSummarySerializer(many=True),
        parameters=[filters.CURSOR, filters.PAGE_SIZE],
        tags=TAGS,
    )
    def get(self, request):
        return _page(self, certificate_selectors.runs_visible_to(request.user), s.RunSummarySerializer)

    @operation(
        summary=("Start an issuance run", "开始发证"),
        description=(
            "The office: issue every enrolment ready to issue in one `batch`, or everywhere (no batch). The work runs "
            "in the task workers; follow it at the run's address. 400 when nothing is ready.",
            "认定机构：为某一 `batch`（或全部）待发证的报名签发证书，由后台任务执行；在该任务地址查看进度。无可发证时返回 400。",
        ),
        request=s.RunStartSerializer,
        ok=s.RunSerializer,
        ok_status=201,
        errors=(400, 401, 403, 409),
        post=True,
        tags=TAGS,
    )
    def post(self, request):
        data = _valid(s.RunStartSerializer, request)
        run = certificate_services.start_issuance(officer=request.user, batch_id=data.get("batch"))
        found = certificate_selectors.runs_visible_to(request.user).get(pk=run.pk)
        return Response(s.RunSerializer(found).data, status=status.HTTP_201_CREATED)


class RunDetail(OfficerView):
    @operation(
        summary=("An issuance run's progress", "发证进度"),
        description=(
            "The office: counts issued, skipped and pending, rate, and whether the run looks stalled.",
            "认定机构：已签发、跳过、待处理数量，速度，以及是否停滞。",
        ),
        ok=s.RunSerializer,
        tags=TAGS,
    )
    def get(self, request, pk: int):
        run = get_object_or_404(certificate_selectors.runs_visible_to(request.user), pk=pk)
        return Response(s.RunSerializer(run).data)
