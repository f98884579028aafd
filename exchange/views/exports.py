"""Export downloads: rosters, results, statistics and the certificate register, as xlsx."""

from django.http import Http404

from certification import permissions
from core.views import role_required

from .. import exports
from ..forms import ExportFilterForm
from .imports import spooled, xlsx_response

staff_or_officer = role_required(permissions.is_officer, permissions.is_institution_staff)

FILENAMES = {"roster": "花名册", "results": "成绩", "statistics": "统计"}


@staff_or_officer
def export(request, name):
    if name not in FILENAMES:
        raise Http404
    out = spooled()
    if name in ("roster", "results"):
        filters = ExportFilterForm(request.GET or None, user=request.user).filters()
        writer = exports.write_roster if name == "roster" else exports.write_results
        writer(request.user, out, filters)
    else:
        exports.write_statistics(request.user, out)
    return xlsx_response(out, f"{FILENAMES[name]}.xlsx")
