"""Public verification (docs/spec.md §6): by number, as JSON, by the QR code's token, by name + ID number.

Every lookup is rate-limited per client address and logged. An unknown number, a malformed one and
a certificate still being issued all get the same response, after the same single query.
"""

from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from certification.photos import content_type_of

from .. import numbering, public_pages, qr, selectors, verification
from ..forms import NumberForm, PersonQueryForm
from ..models import VerificationChannel


def _too_many(request, *, as_json: bool = False):
    message = _("Too many lookups from your address. Please wait a minute and try again.")
    if as_json:
        return JsonResponse({"error": "rate_limited", "message": message}, status=429)
    return render(
        request,
        "certificates/verify/query.html",
        {"number_form": NumberForm(), "person_form": PersonQueryForm(), "error_message": message},
        status=429,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def verify_query(request):
    """The query page: a number (sent on to its page) or, by POST, a full name with an ID number."""
    number_form = NumberForm(request.GET or None)
    if request.method == "GET" and number_form.is_valid():
        return redirect("certificates:verify", number=numbering.normalise_number(number_form.cleaned_data["number"]))
    person_form = PersonQueryForm(request.POST or None)
    context = {"number_form": number_form if request.GET else NumberForm(), "person_form": person_form}
    if request.method == "POST":
        if not verification.rate_limit_allows(request, scope="query"):
            return _too_many(request)
        if person_form.is_valid():
            results = selectors.certificates_of_person(
                name=person_form.cleaned_data["name"], id_number=person_form.cleaned_data["id_number"]
            )
            # The log keeps how many matched, never the name or ID number that was asked; one row per
            # certificate found, so that each holder sees the query among the checks of theirs.
            for certificate in results or [None]:
                verification.log(
                    channel=VerificationChannel.QUERY,
                    query=str(len(results)),
                    certificate=certificate,
                    found=bool(results),
                    request=request,
                )
            context.update(queried=True, results=[verification.public_facts(c) for c in results])
        else:
            return render(request, "certificates/verify/query.html", context, status=400)
    return render(request, "certificates/verify/query.html", context)


def _lookup(request, number: str, channel: str):
    return verification.looked_up(numbering.normalise_number(number), channel=channel, request=request)


def _not_found(request):
    return render(request, "certificates/verify/not_found.html", {"number_form": NumberForm()}, status=404)


@never_cache
@require_GET
def verify_number(request, number):
    if not verification.rate_limit_allows(request, scope="lookup"):
        return _too_many(request)
    certificate = _lookup(request, number, VerificationChannel.PAGE)
    if certificate is None:
        return public_pages.not_found_page(request)
    return public_pages.certificate_page(request, verification.public_facts(certificate))


@never_cache
@require_GET
def verify_json(request, number):
    if not verification.rate_limit_allows(request, scope="lookup"):
        return _too_many(request, as_json=True)
    certificate = _lookup(request, number, VerificationChannel.JSON)
    if certificate is None:
        return JsonResponse({"found": False}, status=404)
    facts = verification.public_facts(certificate)
    facts["found"] = True
    facts["verify_url"] = request.build_absolute_uri(reverse("certificates:verify", args=[certificate.number]))
    return JsonResponse(facts, json_dumps_params={"ensure_ascii": False})


@never_cache
@require_GET
def verify_qr(request, number, token):
    """The page the QR code opens: the public facts and, because the token is right, the photo."""
    if not verification.rate_limit_allows(request, scope="lookup"):
        return _too_many(request)
    normalised = numbering.normalise_number(number)
    certificate = selectors.public_certificate(normalised)
    if certificate is not None and not qr.token_matches(certificate.number, token):
        certificate = None
    verification.log(
        channel=VerificationChannel.QR,
        query=normalised,
        certificate=certificate,
        found=certificate is not None,
        request=request,
    )
    if certificate is None:
        return _not_found(request)
    photo_url = reverse("certificates:verify_qr_photo", args=[certificate.number, token]) if certificate.photo else ""
    return render(
        request,
        "certificates/verify/certificate.html",
        {"facts": verification.public_facts(certificate), "photo_url": photo_url, "from_qr": True},
    )


@never_cache
@require_GET
def verify_shared(request, token):
    """A holder's share link: the certificate's public page while the link lives, counted as a
    check through a share link; an ended or revoked link says so and shows nothing of it."""
    if not verification.rate_limit_allows(request, scope="lookup"):
        return _too_many(request)
    link = selectors.share_link(token)
    if link is None:
        verification.log(channel=VerificationChannel.SHARE_LINK, query=token[:64], request=request)
        return _not_found(request)
    if not link.is_active():
        return render(
            request,
            "certificates/verify/share_ended.html",
            {"revoked": link.revoked_at is not None, "link": link, "number_form": NumberForm()},
            status=410,
        )
    certificate = selectors.public_certificate(link.certificate.number)
    verification.record_check(certificate, VerificationChannel.SHARE_LINK, request=request)
    return render(
        request,
        "certificates/verify/certificate.html",
        {"facts": verification.public_facts(certificate), "shared": True},
    )


@never_cache
@require_GET
def verify_qr_photo(request, number, token):
    certificate = selectors.public_certificate(numbering.normalise_number(number))
    if certificate is None or not certificate.photo or not qr.token_matches(certificate.number, token):
        raise Http404
    response = FileResponse(certificate.photo.open("rb"), content_type=content_type_of(certificate.photo.name))
    response["Cache-Control"] = "private, no-store"
    return response
