"""Photos in bulk: upload a zip of photos named by ID number, see what matched."""

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from core.errors import LifecycleError
from core.views import institution_required, render_error

from .. import limits, photo_archive
from ..errors import TOO_LARGE, FileRefused
from ..forms import PhotoArchiveForm
from .imports import MULTIPART_ALLOWANCE, declared_length


@csrf_exempt  # the size is checked before the body is read; CSRF right after
@institution_required
def photo_upload(request):
    if (
        request.method == "POST"
        and declared_length(request) > limits.get("EXCHANGE_PHOTO_ZIP_MAX_BYTES") + MULTIPART_ALLOWANCE
    ):
        error = FileRefused(photo_archive.too_large_message(declared_length(request)), TOO_LARGE)
        return render_error(request, error, "exchange/photos.html", {"form": PhotoArchiveForm()})
    return _photo_upload(request)


@csrf_protect
def _photo_upload(request):
    form = PhotoArchiveForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return render(request, "exchange/photos.html", {"form": form})
    if not form.is_valid():
        return render(request, "exchange/photos.html", {"form": form}, status=400)
    try:
        report = photo_archive.import_photos(staff=request.user, upload=form.cleaned_data["file"])
    except LifecycleError as error:
        return render_error(request, error, "exchange/photos.html", {"form": form})
    return render(request, "exchange/photos.html", {"form": PhotoArchiveForm(), "report": report})
