"""The bulk verification page: upload a file of numbers, download the statuses as xlsx."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from core import roles
from core.errors import LifecycleError
from core.views import render_error, role_required

from .. import bulk
from ..forms import BulkVerifyForm


@never_cache
@role_required(roles.is_employer, roles.is_officer)
def bulk_verify(request):
    form = BulkVerifyForm(request.POST or None, request.FILES or None)
    context = {"form": form, "limit": bulk.max_numbers()}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "integrations/bulk_verify.html", context, status=400)
        try:
            bulk.check_allowed(request.user)
            entries = bulk.read_upload(form.cleaned_data["file"])
            results = bulk.verify(user=request.user, entries=entries, request=request)
        except LifecycleError as error:
            return render_error(request, error, "integrations/bulk_verify.html", context)
        response = HttpResponse(bulk.workbook(results), content_type=bulk.XLSX_TYPE)
        filename = f"verification-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return render(request, "integrations/bulk_verify.html", context)
