"""Batches, trainees and enrolments: the institution's registration, read by the office too.

Writes go to certification.registration and certification.services, as the pages' do; reads
through certification.selectors, so another institution's object is a 404.
"""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from certification import registration, selectors, services
from certification.models import EnrolmentStatus, Module, Track
from core.roles import is_institution_staff

from .. import serializers as s
from ..pagination import Cursor
from ..schema import operation
from . import filters
from .base import StaffOrOfficerListView, StaffOrOfficerView

LIST_PARAMETERS = [filters.CURSOR, filters.PAGE_SIZE]
TAG_REGISTRATION = ["registration · 报名登记"]


def _page(view, queryset, serializer_class):
    page = view.paginate_queryset(queryset)
    return view.get_paginated_response(serializer_class(page, many=True, context={"request": view.request}).data)


class TrackList(StaffOrOfficerView):
    @operation(
        summary=("Tracks and their modules", "方向及其模块"),
        description=(
            "The catalogue: each track's pass marks and modules (ids for recording completions, minimum hours, "
            "whether evidence is needed).",
            "目录：各方向的合格线及模块（记录模块完成所用的 ID、最低学时、是否需要证明材料）。",
        ),
        ok=s.TrackSerializer(many=True),
        tags=TAG_REGISTRATION,
    )
    def get(self, request):
        tracks = Track.objects.order_by("code").prefetch_related(
            Prefetch("modules", queryset=Module.objects.order_by("position", "pk"))
        )
        return Response(s.TrackSerializer(tracks, many=True).data)


# Batches -----------------------------------------------------------------------------------------


class BatchList(StaffOrOfficerListView):
    pagination_class = Cursor
    serializer_class = s.BatchSerializer

    @operation(
        summary=("List training batches", "培训批次列表"),
        description=(
            "Your institution's batches (the office: every institution's), newest first; filter by `track`.",
            "本机构的培训批次（认定机构可见全部），按新到旧；可按 `track` 筛选。",
        ),
        ok=s.BatchSerializer(many=True),
        parameters=[*LIST_PARAMETERS, filters.TRACK],
        tags=TAG_REGISTRATION,
    )
    def get(self, request):
        batches = selectors.batches_visible_to(request.user)
        track = filters.choice(request, "track", Track.objects.values_list("code", flat=True))
        if track:
            batches = batches.filter(track__code=track)
        return _page(self, batches, s.BatchSerializer)

    @operation(
        summary=("Plan a training batch", "新建培训批次"),
        description=(
            "Institution staff only. The same checks as the batch form (dates in order, an open track).",
            "仅限培训机构。校验规则与页面表单相同（日期先后、方向开放报名）。",
        ),
        request=s.BatchWriteSerializer,
        ok=s.BatchSerializer,
        ok_status=201,
        errors=(400, 401, 403),
        post=True,
        tags=TAG_REGISTRATION,
    )
    def post(self, request):
        _staff_only(request)
        data = _valid(s.BatchWriteSerializer, request)
        batch = registration.create_batch(staff=request.user, **data)
        return Response(s.BatchSerializer(_batch(request, batch.pk)).data, status=status.HTTP_201_CREATED)


def _staff_only(request) -> None:
    """Writes the institution makes: anyone else is refused before their input is even read."""
    if not is_institution_staff(request.user):
        raise PermissionDenied(_("Only institution staff can do this."))


def _valid(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _batch(request, pk):
    return get_object_or_404(selectors.batches_visible_to(request.user), pk=pk)


class BatchDetail(StaffOrOfficerView):
    @operation(
        summary=("One training batch", "培训批次详情"),
        description=("A batch with its place count.", "批次及已占名额。"),
        ok=s.BatchSerializer,
        tags=TAG_REGISTRATION,
    )
    def get(self, request, pk: int):
        return Response(s.BatchSerializer(_batch(request, pk)).data)

    @operation(
        summary=("Change a training batch", "修改培训批次"),
        description=(
            "Institution staff only; every field optional. Track and level cannot change once the batch has enrolments.",
            "仅限培训机构；各字段可选。批次已有报名后不可更改方向与等级。",
        ),
        request=s.BatchUpdateSerializer(partial=True),
        ok=s.BatchSerializer,
        errors=(400, 401, 403, 404, 409),
        tags=TAG_REGISTRATION,
    )
    def patch(self, request, pk: int):
        batch = _batch(request, pk)
        _staff_only(request)
        data = _valid(s.BatchUpdateSerializer, request, partial=True)
        registration.update_batch(staff=request.user, batch_id=batch.pk, **data)
        return Response(s.BatchSerializer(_batch(request, pk)).data)


# Trainees ----------------------------------------------------------------------------------------


class TraineeList(StaffOrOfficerListView):
    pagination_class = Cursor
    serializer_class = s.TraineeSerializer

    @operation(
        summary=("List trainees", "学员列表"),
        description=(
            "Your institution's trainees (the office: all), with full name and ID number; `updated_since` for sync.",
            "本机构学员（认定机构可见全部），含完整姓名与证件号码；可用 `updated_since` 增量同步。",
        ),
        ok=s.TraineeSerializer(many=True),
        parameters=[*LIST_PARAMETERS, filters.UPDATED_SINCE],
        tags=TAG_REGISTRATION,
    )
    def get(self, request):
        trainees = selectors.trainees_visible_to(request.user)
        since = filters.updated_since(request)
        if since is not None:
            trainees = trainees.filter(updated_at__gte=since)
        return _page(self, trainees, s.TraineeSerializer)

    @operation(
        summary=("Register a trainee", "登记学员"),
        description=(
            "Institution staff only. The same ID checks as the page: full-width digits converted, a resident ID's "
            "check digit and birth date verified, one trainee per ID number (the message says whether the record "
            "is yours or another institution's).",
            "仅限培训机构。证件校验与页面相同：全角数字自动转换，校验居民身份证校验位与出生日期，"
            "同一证件号码只能登记一次（提示该记录属于本机构或其他机构）。",
        ),
        request=s.TraineeWriteSerializer,
        ok=s.TraineeSerializer,
        ok_status=201,
        errors=(400, 401, 403),
        post=True,
        examples=[
            OpenApiExample(
                "A resident ID",
                request_only=True,
                value={
                    "name": "王小明",
                    "id_type": "resident_id",
                    "id_number": "330102199001011237",
                    "gender": "M",
                    "birth_date": "1990-01-01",
                    "education": "senior",
                    "phone": "13800000000",
                },
            )
        ],
        tags=TAG_REGISTRATION,
    )
    def post(self, request):
        _staff_only(request)
        data = _valid(s.TraineeWriteSerializer, request)
        trainee = registration.create_trainee(staff=request.user, **data)
        return Response(s.TraineeSerializer(trainee).data, status=status.HTTP_201_CREATED)


def _trainee(request, pk):
    return get_object_or_404(selectors.trainees_visible_to(request.user), pk=pk)


class TraineeDetail(StaffOrOfficerView):
    @operation(
        summary=("One trainee", "学员详情"),
        description=("A trainee of your institution (the office: any).", "本机构学员（认定机构可见全部）。"),
        ok=s.TraineeSerializer,
        tags=TAG_REGISTRATION,
    )
    def get(self, request, pk: int):
        return Response(s.TraineeSerializer(_trainee(request, pk)).data)

    @operation(
        summary=("Correct a trainee's details", "修改学员信息"),
        description=(
            "Institution staff only; every field optional, with the same ID checks as registering. Name and ID "
            "cannot change once an enrolment is approved (409).",
            "仅限培训机构；各字段可选，证件校验同登记。报名获批后姓名与证件不可更改（409）。",
        ),
        request=s.TraineeWriteSerializer(partial=True),
        ok=s.TraineeSerializer,
        errors=(400, 401, 403, 404, 409),
        tags=TAG_REGISTRATION,
    )
    def patch(self, request, pk: int):
        trainee = _trainee(request, pk)
        _staff_only(request)
        data = _valid(s.TraineeWriteSerializer, request, partial=True)
        updated = registration.update_trainee(staff=request.user, trainee_id=trainee.pk, **data)
        return Response(s.TraineeSerializer(updated).data)


# Enrolments --------------------------------------------------------------------------------------


class EnrolmentList(StaffOrOfficerListView):
    pagination_class = Cursor
    serializer_class = s.EnrolmentSerializer

    @operation(
        summary=("List enrolments", "报名列表"),
        description=(
            "Your institution's enrolments (the office: all), newest first; filter by `status`, `batch`, `track` and "
            "`updated_since` (any change, a move included) for sync. Up to 100 a page, by cursor.",
            "本机构报名（认定机构可见全部），按新到旧；可按 `status`、`batch`、`track` 与 `updated_since`"
            "（任何变更，含状态流转）筛选以增量同步。每页最多 100 条，游标分页。",
        ),
        ok=s.EnrolmentSerializer(many=True),
        parameters=[*LIST_PARAMETERS, filters.STATUS, filters.BATCH, filters.TRACK, filters.UPDATED_SINCE],
        tags=TAG_REGISTRATION,
    )
    def get(self, request):
        enrolments = selectors.enrolments_visible_to(request.user)
        wanted = filters.choice(request, "status", EnrolmentStatus.values)
        if wanted:
            enrolments = enrolments.filter(status=wanted)
        batch = filters.positive_int(request, "batch")
        if batch is not None:
            enrolments = enrolments.filter(batch_id=batch)
        track = filters.choice(request, "track", Track.objects.values_list("code", flat=True))
        if track:
            enrolments = enrolments.filter(track__code=track)
        since = filters.updated_since(request)
        if since is not None:
            enrolments = enrolments.filter(updated_at__gte=since)
        return _page(self, listed(enrolments), s.EnrolmentSerializer)

    @operation(
        summary=("Enrol a trainee (draft)", "为学员报名（草稿）"),
        description=(
            "Institution staff only: a draft enrolment of one of your trainees in one of your batches. Refused when "
            "the batch is full, the track closed, or the trainee already has an active enrolment in the track.",
            "仅限培训机构：为本机构学员在本机构批次创建报名草稿。批次已满、方向关闭或学员在该方向已有有效报名时拒绝。",
        ),
        request=s.EnrolmentCreateSerializer,
        ok=s.EnrolmentSerializer,
        ok_status=201,
        errors=(400, 401, 403, 409),
        post=True,
        tags=TAG_REGISTRATION,
    )
    def post(self, request):
        _staff_only(request)
        data = _valid(s.EnrolmentCreateSerializer, request)
        enrolment = registration.enrol_trainee(staff=request.user, trainee_id=data["trainee"], batch_id=data["batch"])
        return Response(s.EnrolmentSerializer(_enrolment(request, enrolment.pk)).data, status=status.HTTP_201_CREATED)


def listed(enrolments):
    """The selector's enrolments with only the columns a list shows (a page of 100 is the API's
    busiest answer): the scoping filter stays, the joins shrink to what is printed."""
    return enrolments.select_related(None).select_related("trainee", "batch", "track").only(*s.ENROLMENT_COLUMNS)


def _enrolment(request, pk):
    return get_object_or_404(selectors.enrolments_visible_to(request.user), pk=pk)


class EnrolmentDetail(StaffOrOfficerView):
    @operation(
        summary=("One enrolment", "报名详情"),
        description=("An enrolment with its status and dates.", "报名及其状态与日期。"),
        ok=s.EnrolmentSerializer,
        tags=TAG_REGISTRATION,
    )
    def get(self, request, pk: int):
        return Response(s.EnrolmentSerializer(_enrolment(request, pk)).data)


class _Move(StaffOrOfficerView):
    """One lifecycle move by its service; `expected_status` guards against a concurrent move."""

    move = ""
    serializer = s.MoveSerializer
    # A move carries at most a status and a reason: a plain form post (curl -d) is as good as JSON.
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def post(self, request, pk: int):
        enrolment = _enrolment(request, pk)
        data = _valid(self.serializer, request)
        self.make(request.user, enrolment.pk, data.get("expected_status"), data.get("reason", ""))
        return Response(s.EnrolmentSerializer(_enrolment(request, pk)).data)

    def make(self, user, pk, expected, reason):
        raise NotImplementedError


def _move_schema(summary, description, serializer=s.MoveSerializer):
    return operation(
        summary=summary,
        description=description,
        request=serializer,
        ok=s.EnrolmentSerializer,
        errors=(400, 401, 403, 404, 409),
        post=True,
        tags=["moves · 流转"],
    )


class SubmitEnrolment(_Move):
    @_move_schema(
        ("Submit for approval", "提交审核"),
        (
            "Institution staff: a draft goes to the office for eligibility approval (the institution must be approved).",
            "培训机构：将草稿提交认定机构进行资格审核（机构须已通过审核）。",
        ),
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def make(self, user, pk, expected, reason):
        services.submit_enrolment(actor=user, enrolment_id=pk, expected_status=expected)


class ResubmitEnrolment(_Move):
    @_move_schema(
        ("Resubmit after rejection", "驳回后重新提交"),
        (
            "Institution staff: a rejected enrolment goes back to the office.",
            "培训机构：被驳回的报名重新提交认定机构。",
        ),
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def make(self, user, pk, expected, reason):
        services.resubmit_enrolment(actor=user, enrolment_id=pk, expected_status=expected)


class CompleteTraining(_Move):
    @_move_schema(
        ("Complete training", "结业"),
        (
            "Institution staff: every required module at its minimum hours (and evidence where a module needs it), "
            "else 409 saying which.",
            "培训机构：所有必修模块达到最低学时（需要时附证明材料），否则返回 409 并说明原因。",
        ),
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def make(self, user, pk, expected, reason):
        services.complete_training(actor=user, enrolment_id=pk, expected_status=expected)


class WithdrawEnrolment(_Move):
    serializer = s.ReasonMoveSerializer

    @_move_schema(
        ("Withdraw", "撤回报名"),
        (
            "Institution staff or the office, any time before certification, with a reason; open assessment tasks are cancelled.",
            "培训机构或认定机构，发证前任何时候均可撤回，须说明原因；进行中的考评任务随之取消。",
        ),
        s.ReasonMoveSerializer,
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def make(self, user, pk, expected, reason):
        services.withdraw(actor=user, enrolment_id=pk, reason=reason, expected_status=expected)
