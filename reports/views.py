"""The programme report's PDF: the statistics page's selection, one click (docs/spec.md §10)."""

from django.http import HttpResponse
from django.utils import timezone

from certification.models import Institution
from core import roles
from core.views import institution_required, officer_required
from workflows.forms.statistics import StatisticsFilterForm

from . import pdf, programme


@officer_required
def officer_report(request):
    return _report(request, institution_id=None)


@institution_required
def institution_report(request):
    # Staff get their own institution's report: the form forces it, whatever the query says.
    return _report(request, institution_id=roles.institution_of_staff(request.user))


def _selection(form: StatisticsFilterForm) -> list[tuple[str, str]]:
    """The filters as the report prints them under its title (Chinese: the district's document)."""
    data = form.cleaned_data if form.is_valid() else {}
    scope = form.scope()
    period = "全部时间"
    if scope.date_from or scope.date_to:
        period = f"{scope.date_from or '最早'} 至 {scope.date_to or '今'}"
    lines = [("统计期间", period)]
    if data.get("track"):
        lines.append(("专业方向", data["track"].name_zh))
    if data.get("level"):
        lines.append(("技能等级", f"{data['level']}级"))
    if form.institution_id is not None or data.get("institution"):
        institution = data.get("institution")
        if institution is None:
            institution = Institution.objects.get(pk=form.institution_id)
        lines.append(("培训机构", institution.name))
    if data.get("batch"):
        lines.append(("培训批次", data["batch"].name))
    return lines


def _report(request, *, institution_id: int | None):
    form = StatisticsFilterForm(request.GET or None, institution_id=institution_id)
    report = programme.build(form.scope(), names_assessors=institution_id is None, selection=_selection(form))
    response = HttpResponse(pdf.report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="programme-report-{timezone.localdate():%Y%m%d}.pdf"'
    return response
