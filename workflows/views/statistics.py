"""The statistics page (docs/spec.md §10): the office's figures, and each institution's own.

Here, not in the domain, because assessors' workload and objections need the assessment flow and
the public notice. Each figure is one table with its chart drawn from the same numbers (the chart's
data goes to static/js/statistics.js as json_script: the CSP forbids inline script), and one xlsx
download of that table, exactly as shown.
"""

from io import BytesIO

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone

from core import roles
from core.spreadsheets import SafeSheet, new_workbook
from core.views import institution_required, officer_required
from workflows import figures
from workflows.forms.statistics import StatisticsFilterForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALL = "all"


@officer_required
def officer_statistics(request):
    return _page(request, institution_id=None, xlsx_url="statistics:officer_xlsx", report_url="reports:officer_report")


@institution_required
def institution_statistics(request):
    return _page(
        request,
        institution_id=roles.institution_of_staff(request.user),
        xlsx_url="statistics:institution_xlsx",
        report_url="reports:institution_report",
    )


@officer_required
def officer_xlsx(request, figure: str):
    return _xlsx(request, figure, institution_id=None)


@institution_required
def institution_xlsx(request, figure: str):
    return _xlsx(request, figure, institution_id=roles.institution_of_staff(request.user))


def _page(request, *, institution_id: int | None, xlsx_url: str, report_url: str):
    form = StatisticsFilterForm(request.GET or None, institution_id=institution_id)
    shown = figures.build(form.scope(), names_assessors=institution_id is None)
    context = {
        "form": form,
        "figures": shown,
        "headline": figures.headline(shown),  # the programme report's opening sentences, same numbers
        "charts": {figure.key: {"title": figure.title, **figure.chart} for figure in shown},
        "query": request.GET.urlencode(),
        "xlsx_url": xlsx_url,
        "report_url": report_url,  # the programme report's PDF (reports.views), same selection
        "all": ALL,
        "for_institution": institution_id is not None,
    }
    return render(request, "statistics/index.html", context)


def _xlsx(request, key: str, *, institution_id: int | None):
    if key != ALL and key not in figures.BUILDERS:
        raise Http404
    form = StatisticsFilterForm(request.GET or None, institution_id=institution_id)
    shown = figures.build(form.scope(), names_assessors=institution_id is None, only=None if key == ALL else key)
    workbook = new_workbook()
    for figure in shown:
        sheet = SafeSheet(workbook, figure.title[:31], figure.headers, text_columns=(0,))
        for row in figure.rows:
            sheet.append(row)
    output = BytesIO()
    workbook.save(output)
    output.seek(0)
    filename = f"statistics-{key}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(output, as_attachment=True, filename=filename, content_type=XLSX)
