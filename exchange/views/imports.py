"""Import pages: the hub, template downloads, upload → preview → confirm, the error report."""

import tempfile

from django.contrib import messages
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from certification import permissions
from core.errors import LifecycleError
from core.views import institution_required, paginate, render_error, role_required

from .. import background, blanks, limits, progress, reading, reports, services
from ..columns import KINDS
from ..forms import ConfirmForm, ExportFilterForm, UploadForm
from ..handlers import Options
from ..models import ImportStatus
from ..selectors import imports_visible_to

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Room for the form fields and multipart boundaries around the file itself.
MULTIPART_ALLOWANCE = 64 * 1024
RECENT_IMPORTS = 10


def declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def spooled():
    """Where a workbook is written before it is sent: memory first, disk when large."""
    return tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)


def xlsx_response(out, filename: str) -> FileResponse:
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX)


def _url_or_empty(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:  # the certificates app owns its register; absent, no link
        return ""


def _kind(name: str):
    if name not in KINDS:
        raise Http404
    return KINDS[name]


@role_required(permissions.is_institution_staff, permissions.is_officer)
def index(request):
    context = {
        "kinds": list(KINDS.values()),
        "filter_form": ExportFilterForm(user=request.user),
        "certificate_register_url": _url_or_empty("certificates:register_xlsx"),
    }
    if permissions.is_institution_staff(request.user):
        recent = list(imports_visible_to(request.user).select_related("progress")[:RECENT_IMPORTS])
        for session in recent:  # a running upload is listed with its bar and a link back to its page
            session.seen = progress.seen(session) if session.is_running else None
        context["recent"] = recent
    return render(request, "exchange/index.html", context)


@institution_required
def template_download(request, kind):
    kind = _kind(kind)
    out = spooled()
    blanks.write_template(kind, out, institution=request.user.institution)
    return xlsx_response(out, f"{kind.sheet}-模板.xlsx")


def _upload_context(kind, form, **extra):
    return {"kind": kind, "form": form, "max_rows": limits.max_rows(), "max_bytes": limits.max_file_bytes(), **extra}


@csrf_exempt  # the size is checked before the body is read; CSRF right after (see _upload)
@institution_required
def upload(request, kind):
    kind = _kind(kind)
    length = declared_length(request)
    if request.method == "POST" and length > limits.max_file_bytes() + MULTIPART_ALLOWANCE:
        # Refused before Django reads and spools the body.
        error = reading.too_large(length)
        return render_error(request, error, "exchange/upload.html", _upload_context(kind, UploadForm(kind=kind)))
    return _upload(request, kind)


@csrf_protect
def _upload(request, kind):
    form = UploadForm(request.POST or None, request.FILES or None, kind=kind)
    if request.method != "POST":
        return render(request, "exchange/upload.html", _upload_context(kind, form))
    if not form.is_valid():
        return render(request, "exchange/upload.html", _upload_context(kind, form), status=400)
    upload, submit = form.cleaned_data["file"], form.cleaned_data.get("submit", False)
    try:
        if background.belongs_in_background(upload):
            session = background.start_background_import(
                staff=request.user, kind=kind.name, upload=upload, submit=submit
            )
            return redirect("exchange:preview", pk=session.pk)
        session = services.start_import(staff=request.user, kind=kind.name, upload=upload, submit=submit)
    except LifecycleError as error:
        return render_error(request, error, "exchange/upload.html", _upload_context(kind, form))
    summary = session.result
    return render(
        request,
        "exchange/preview.html",
        preview_context(session, request=request),
        status=200 if summary.is_clean else 400,
    )


ROWS_PER_PAGE = 50


def _listed_rows(request, summary) -> dict:
    """The rows to create, update or reject, one outcome at a time (?rows=…), 50 to a page."""
    shown = request.GET.get("rows", "")
    rows = [r for r in summary.listed_rows if not shown or r[1] == shown]
    reasons: dict[int, str] = {}
    for problem in summary.problems:
        reasons.setdefault(problem.row, problem.message)
    context = paginate(request, rows, per_page=ROWS_PER_PAGE)
    context["row_list"] = [
        {"row": r[0], "outcome": r[1], "who": r[2], "what": r[3], "reason": reasons.get(r[0], "")}
        for r in context["page_obj"].object_list
    ]
    context["rows_shown"] = shown
    context["rows_not_listed"] = max(summary.listed_count - len(summary.listed_rows), 0)
    return context


def preview_context(session, summary=None, request=None) -> dict:
    summary = summary or session.result
    return {
        **(_listed_rows(request, summary) if request is not None else {}),
        "session": session,
        "kind": KINDS[session.kind],
        "summary": summary,
        "more_problems": max(summary.problem_count - len(summary.problems), 0),
        "valid_rows": summary.changes,
        "confirm_form": ConfirmForm(),
    }


@institution_required
def preview(request, pk):
    session = get_object_or_404(imports_visible_to(request.user).select_related("progress"), pk=pk)
    if session.status in (*background.RUNNING, ImportStatus.REFUSED, ImportStatus.FAILED):
        return render(request, "exchange/progress.html", progress_context(session))
    context = preview_context(session, request=request)
    if session.message:  # a background import that could write nothing says why
        context["error_message"] = session.message
    return render(request, "exchange/preview.html", context)


def progress_context(session) -> dict:
    return {"session": session, "kind": KINDS[session.kind], "progress": progress_of(session)}


def progress_of(session) -> dict:
    seen = progress.seen(session)
    stalled = background.is_stalled(session, seen)
    return {
        "status": session.status,
        "label": session.get_status_display(),
        "done": seen.done,
        "total": seen.total,
        "percent": seen.percent,
        "finished": not session.is_running,
        "stalled": stalled,
        "may_start_again": stalled or session.status == ImportStatus.FAILED,
        "summary": _("%(label)s: step %(done)s of %(total)s (a row read, then a row checked and written).")
        % {"label": session.get_status_display(), "done": seen.done, "total": seen.total or "…"},
    }


@institution_required
def progress_json(request, pk):
    session = get_object_or_404(imports_visible_to(request.user).select_related("progress"), pk=pk)
    return JsonResponse(progress_of(session))


@require_POST
@institution_required
def start_again(request, pk):
    session = get_object_or_404(imports_visible_to(request.user), pk=pk)
    try:
        background.start_again(staff=request.user, session_id=session.pk)
    except LifecycleError as error:
        return render_error(request, error, "exchange/progress.html", progress_context(session))
    messages.success(request, _("The upload is queued again."))
    return redirect("exchange:preview", pk=session.pk)


@require_POST
@institution_required
def confirm(request, pk):
    session = get_object_or_404(imports_visible_to(request.user), pk=pk)
    form = ConfirmForm(request.POST)
    valid_only = form.is_valid() and form.cleaned_data["mode"] == ConfirmForm.VALID_ONLY
    if session.in_background:
        try:
            background.confirm_in_background(staff=request.user, session_id=session.pk, valid_rows_only=valid_only)
        except LifecycleError as error:
            return render_error(request, error, "exchange/preview.html", preview_context(session))
        messages.success(request, _("The import runs in the background: you may leave this page and come back."))
        return redirect("exchange:preview", pk=session.pk)
    try:
        session, summary = services.confirm_import(
            staff=request.user, session_id=session.pk, valid_rows_only=valid_only
        )
    except LifecycleError as error:
        return render_error(request, error, "exchange/preview.html", preview_context(session, request=request))
    if session.is_imported:
        messages.success(
            request,
            _("Imported: %(create)s created, %(update)s updated, %(unchanged)s unchanged, %(rejected)s left out.")
            % summary.counts,
        )
        return redirect("exchange:preview", pk=session.pk)
    # Something changed since the preview (another user, a full batch): nothing was written.
    context = {
        **preview_context(session, summary, request=request),
        "error_message": summary.refusal or _("Nothing was imported: rows were rejected since the preview."),
    }
    return render(request, "exchange/preview.html", context, status=summary.refusal_status or 409)


@institution_required
def error_report(request, pk):
    session = get_object_or_404(imports_visible_to(request.user), pk=pk)
    out = spooled()
    try:
        with session.file.open("rb") as fileobj:
            reports.write_error_report(
                staff=request.user, kind=session.kind, fileobj=fileobj, out=out, options=Options(submit=session.submit)
            )
    except LifecycleError as error:
        return render_error(request, error, "exchange/preview.html", preview_context(session, request=request))
    stem = session.original_name.rsplit(".", 1)[0] or session.kind
    return xlsx_response(out, f"{stem}-错误报告.xlsx")
