"""The public notice to print (HTML and PDF) and the office's 受理 details printed on it."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core import error_pages, ratelimit
from core.errors import LifecycleError
from core.views import officer_required
from workflows.forms.publicity import OfficeContactForm
from workflows.publicity import office, printing
from workflows.publicity import services as publicity

TEMPLATES = "workflows/publicity/"
PDFS_PER_HOUR = 30  # each is a WeasyPrint render: cheap for people, not for a script


def _notice_context(request, notice_id: int) -> dict:
    notice = get_object_or_404(publicity.open_notices(), pk=notice_id)
    today = timezone.localdate()
    return {
        "notice": notice,
        "candidates": [publicity.public_candidate(e, today) for e in publicity.public_entries(notice)],
        "office": office.office_contact(),
        "online_url": request.build_absolute_uri(reverse("publicity:notice", args=[notice.pk])),
    }


@require_GET
def notice_print(request, notice_id: int):
    return render(request, TEMPLATES + "notice_print.html", _notice_context(request, notice_id))


@require_GET
def notice_pdf(request, notice_id: int):
    context = _notice_context(request, notice_id)
    if not ratelimit.hit(f"publicity-pdf:{ratelimit.client_ip(request)}", PDFS_PER_HOUR, 3600):
        return error_pages.rate_limited(request, minutes=60, back_url=reverse("publicity:notice", args=[notice_id]))
    response = HttpResponse(printing.notice_pdf(context), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice_id}.pdf"'
    return response


@officer_required
@require_http_methods(["GET", "POST"])
def office_contact(request):
    current = office.office_contact()
    form = OfficeContactForm(request.POST or None, instance=current)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, TEMPLATES + "office_form.html", {"form": form}, status=400)
        try:
            office.update_office_contact(officer=request.user, **form.cleaned_data)
        except LifecycleError as error:
            context = {"form": form, "error_message": error.message}
            return render(request, TEMPLATES + "office_form.html", context, status=error.http_status)
        messages.success(request, _("The office's details are saved; every notice now shows them."))
        return redirect("officer_publicity:office")
    return render(request, TEMPLATES + "office_form.html", {"form": form})
