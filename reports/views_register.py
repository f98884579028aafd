"""The provincial register export (docs/spec.md §10): a form for the period, then the file. Office only."""

from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.views import officer_required

from . import register
from .forms import RegisterExportForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("xlsx", "csv")


@officer_required
def register_export(request):
    form = RegisterExportForm(request.GET or None)
    wanted = request.GET.get("format")
    context = {"form": form, "columns": register.layout(), "formats": FORMATS}
    if wanted not in FORMATS or not form.is_valid():
        return render(request, "reports/register.html", context, status=400 if wanted and request.GET else 200)
    data = form.cleaned_data
    selection = register.Selection(
        date_from=data["date_from"],
        date_to=data["date_to"],
        track_id=data["track"].pk if data["track"] else None,
        institution_id=data["institution"].pk if data["institution"] else None,
    )
    incomplete, count = register.incomplete_rows(selection)
    if count:
        context.update(incomplete=incomplete, incomplete_count=count, more=count - len(incomplete))
        context["error_message"] = _(
            "%(count)s rows are incomplete: no file was made. Complete them, then export again."
        ) % {"count": count}
        return render(request, "reports/register.html", context, status=409)
    stamp = f"{data['date_from'] or 'start'}-{data['date_to'] or timezone.localdate()}"
    if wanted == "csv":
        response = StreamingHttpResponse(register.csv_chunks(selection), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="register-{stamp}.csv"'
        return response
    return FileResponse(
        register.xlsx_file(selection), as_attachment=True, filename=f"register-{stamp}.xlsx", content_type=XLSX
    )
