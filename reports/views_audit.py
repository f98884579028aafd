"""The audit view (docs/spec.md §9): every state, score, vetting and certificate change, filterable
and exportable. Office only: it names every institution's people."""

import tempfile

from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.spreadsheets import SafeSheet, new_workbook
from core.views import officer_required

from . import audit
from .forms import AuditFilterForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(form: AuditFilterForm) -> audit.Filters | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    return audit.Filters(
        actor_id=data["actor"].pk if data["actor"] else None,
        institution_id=data["institution"].pk if data["institution"] else None,
        enrolment_id=data["enrolment"],
        kind=data["kind"] or None,
        date_from=data["date_from"],
        date_to=data["date_to"],
    )


@officer_required
def audit_list(request):
    form = AuditFilterForm(request.GET or None, kinds=audit.KINDS)
    filters = _filters(form) if request.GET else audit.Filters()
    after = audit.Cursor.parse(request.GET.get("after", ""))
    entries, next_cursor = audit.page(filters, after) if filters is not None else ([], None)
    params = request.GET.copy()
    params.pop("after", None)
    query = params.urlencode()
    context = {
        "form": form,
        "entries": entries,
        "next_cursor": next_cursor,
        "is_first_page": after is None,
        "query": query,
        "query_prefix": f"{query}&" if query else "",
    }
    return render(request, "reports/audit.html", context, status=200 if filters is not None else 400)


@officer_required
def audit_xlsx(request):
    form = AuditFilterForm(request.GET or None, kinds=audit.KINDS)
    filters = _filters(form) if request.GET else audit.Filters()
    if filters is None:
        return render(request, "reports/audit.html", {"form": form, "entries": []}, status=400)
    headers = [
        _("Time"),
        _("Kind"),
        _("Actor"),
        _("Institution"),
        _("Enrolment"),
        _("Trainee"),
        _("What"),
        _("From"),
        _("To"),
        _("Reason"),
    ]
    workbook = new_workbook()
    sheet = SafeSheet(workbook, str(_("Audit")), headers)
    for entry in audit.every_entry(filters):
        sheet.append(
            [
                timezone.localtime(entry.created_at).replace(tzinfo=None),
                entry.kind_label,
                entry.actor,
                entry.institution,
                entry.enrolment_id,
                entry.trainee,
                entry.what,
                entry.old,
                entry.new,
                entry.reason,
            ]
        )
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output, as_attachment=True, filename=f"audit-{timezone.localdate():%Y%m%d}.xlsx", content_type=XLSX
    )
