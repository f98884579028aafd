"""Module completions and exam results of one enrolment: the same services as the completions and
results pages (certification.registration, certification.evidence, certification.services)."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from certification import evidence, permissions, registration, rules, selectors, services
from certification.models import EvidenceFile
from workflows.forms.results import ResultsForm

from .. import serializers as s
from ..schema import operation
from .base import StaffOrOfficerView
from .registration import _enrolment, _valid

TAGS = ["training and results · 培训与考核"]


class Completions(StaffOrOfficerView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @operation(
        summary=("Module completions", "模块完成情况"),
        description=("Hours and scores recorded for the enrolment's modules.", "该报名各模块已记录的学时与成绩。"),
        ok=s.CompletionSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request, pk: int):
        enrolment = _enrolment(request, pk)
        completions = enrolment.completions.select_related("module").order_by("module__position", "pk")
        return Response(s.CompletionSerializer(completions, many=True).data)

    @operation(
        summary=("Record a module completion", "记录模块完成"),
        description=(
            "Institution staff, after approval and before results are submitted: one module's hours and score "
            "(recorded again = corrected, kept in the score history). Send multipart to attach an evidence file.",
            "培训机构，在资格审核通过后、提交成绩前：记录一个模块的学时与成绩（再次记录即更正，保留在成绩变更记录中）。"
            "以 multipart 上传可附证明材料。",
        ),
        request={"application/json": s.CompletionWriteSerializer, "multipart/form-data": s.CompletionWriteSerializer},
        ok=s.CompletionSerializer,
        errors=(400, 401, 403, 404, 409),
        post=True,
        tags=TAGS,
    )
    def post(self, request, pk: int):
        enrolment = _staff_enrolment(request, pk)
        data = _valid(s.CompletionWriteSerializer, request)
        completion = registration.record_module_completion(
            staff=request.user,
            enrolment_id=enrolment.pk,
            module_id=data["module"],
            hours=data["hours"],
            score=data.get("score"),
            evidence=data.get("evidence"),
            reason=data.get("reason", ""),
        )
        return Response(s.CompletionSerializer(completion).data)


def _results(enrolment, user) -> dict:
    files = EvidenceFile.objects.order_by("uploaded_at", "pk")
    attempt = (
        enrolment.attempts.prefetch_related(Prefetch("evidence_files", queryset=files)).order_by("-number").first()
    )
    manages = permissions.can_manage_enrolment(user, enrolment)
    locked = evidence.evidence_locked_reason(enrolment, attempt)
    return {
        "enrolment": enrolment.pk,
        "status": enrolment.status,
        "attempt": s.AttemptSerializer(attempt).data if attempt else None,
        "missing": rules.results_incomplete_reason(enrolment, attempt) if manages and not locked else "",
    }


def _staff_enrolment(request, pk):
    enrolment = _enrolment(request, pk)
    if not permissions.can_manage_enrolment(request.user, enrolment):
        raise PermissionDenied()  # the office reads results; it does not write them
    return enrolment


class Results(StaffOrOfficerView):
    @operation(
        summary=("Exam results", "考核成绩"),
        description=(
            "The current attempt: scores, exam date, evidence files, outcome; `missing` says what still stops submission.",
            "当前考核：成绩、考试日期、证明材料与结果；`missing` 说明尚缺什么才能提交。",
        ),
        ok=s.ResultsSerializer,
        tags=TAGS,
    )
    def get(self, request, pk: int):
        return Response(_results(_enrolment(request, pk), request.user))


class Scores(StaffOrOfficerView):
    @operation(
        summary=("Enter exam scores", "录入考核成绩"),
        description=(
            "Institution staff, once training is complete and before submission: theory and practical scores (0–100, "
            "one decimal) and the exam date (not in the future, not before the batch started). A part passed in an "
            "earlier attempt is kept.",
            "培训机构，结业后、提交前：理论与实操成绩（0–100，一位小数）及考试日期（不晚于今天，不早于批次开始）。"
            "补考保留已通过部分。",
        ),
        request=s.ScoresWriteSerializer,
        ok=s.ResultsSerializer,
        errors=(400, 401, 403, 404, 409),
        post=True,
        tags=TAGS,
    )
    def post(self, request, pk: int):
        enrolment = _staff_enrolment(request, pk)
        _valid(s.ScoresWriteSerializer, request)
        attempt = enrolment.current_attempt
        # The page's form: the same date rules and the same carried-over parts.
        form = ResultsForm(
            {key: "" if value is None else value for key, value in request.data.items()},
            enrolment=enrolment,
            attempt=attempt,
        )
        if not form.is_valid():
            raise ValidationError(form.errors)
        registration.record_scores(
            staff=request.user,
            enrolment_id=enrolment.pk,
            theory_score=form.cleaned_data["theory_score"],
            practical_score=form.cleaned_data["practical_score"],
            exam_date=form.cleaned_data["exam_date"],
        )
        return Response(_results(_enrolment(request, pk), request.user))


class Evidence(StaffOrOfficerView):
    parser_classes = [MultiPartParser, FormParser]

    @operation(
        summary=("Upload an evidence file", "上传证明材料"),
        description=(
            "Institution staff, while results can change: multipart `kind` (3d_model, photo, document) and `file`, "
            "checked by content (PDF, PNG, JPEG, OBJ, STL, FBX, glTF/GLB, DXF, CLO 3D).",
            "培训机构，在成绩可修改期间：multipart 提交 `kind`（3d_model、photo、document）与 `file`，按文件内容校验。",
        ),
        request={"multipart/form-data": s.EvidenceUploadSerializer},
        ok=s.EvidenceSerializer,
        ok_status=201,
        errors=(400, 401, 403, 404, 409),
        post=True,
        tags=TAGS,
    )
    def post(self, request, pk: int):
        enrolment = _staff_enrolment(request, pk)
        data = _valid(s.EvidenceUploadSerializer, request)
        found = evidence.attach_evidence(
            staff=request.user, enrolment_id=enrolment.pk, kind=data["kind"], upload=data["file"]
        )
        return Response(s.EvidenceSerializer(found).data, status=status.HTTP_201_CREATED)


class EvidenceItem(StaffOrOfficerView):
    @operation(
        summary=("Remove an evidence file", "删除证明材料"),
        description=(
            "Institution staff, while results can change; files of earlier attempts are kept.",
            "培训机构，在成绩可修改期间；以往考核的材料保留不变。",
        ),
        request=None,
        ok=None,
        ok_status=204,
        errors=(400, 401, 403, 404, 409),
        tags=TAGS,
    )
    def delete(self, request, pk: int, evidence_id: int):
        enrolment = _staff_enrolment(request, pk)
        found = get_object_or_404(EvidenceFile, pk=evidence_id, attempt__enrolment=enrolment)
        evidence.remove_evidence(staff=request.user, evidence_id=found.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubmitResults(StaffOrOfficerView):
    parser_classes = [JSONParser, FormParser, MultiPartParser]  # as the moves: a form post will do

    @operation(
        summary=("Submit results for review", "提交成绩评审"),
        description=(
            "Institution staff: both scores and, for pattern-making, the 3D-model evidence; the assessment starts.",
            "培训机构：须有两项成绩，服装制版方向还须有 3D 模型证明材料；提交后进入考评。",
        ),
        request=s.MoveSerializer,
        ok=s.EnrolmentSerializer,
        errors=(400, 401, 403, 404, 409),
        post=True,
        tags=TAGS,
    )
    def post(self, request, pk: int):
        enrolment = _enrolment(request, pk)
        data = _valid(s.MoveSerializer, request)
        services.submit_results(
            staff=request.user, enrolment_id=enrolment.pk, expected_status=data.get("expected_status")
        )
        return Response(s.EnrolmentSerializer(selectors.enrolments_visible_to(request.user).get(pk=pk)).data)
