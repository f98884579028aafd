"""The holder's pages: every check of their certificates (when and how, never who) and their share
links. Trainees only, and only their own certificates: anyone else's is not found."""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from certification import permissions
from core.errors import LifecycleError
from core.views import paginate, render_error, role_required

from .. import selectors, sharing
from ..forms import ShareLinkForm
from ..models import VerificationChannel

trainee_required = role_required(permissions.is_trainee)


@trainee_required
def my_checks(request):
    checks = selectors.checks_of_holder(request.user)
    context = paginate(request, checks)
    labels = dict(VerificationChannel.choices)
    for check in context["page_obj"]:
        check["channel_label"] = labels.get(check["channel"], check["channel"])
    return render(request, "certificates/holder/checks.html", context)


def _own(request, pk):
    return get_object_or_404(selectors.certificates_visible_to(request.user), pk=pk)


def _share_context(request, certificate, form) -> dict:
    links = list(selectors.share_links_of(certificate))
    for link in links:
        link.url = request.build_absolute_uri(reverse("certificates:verify_shared", args=[link.token]))
    return {"certificate": certificate, "links": links, "form": form}


@trainee_required
def share_links(request, pk):
    certificate = _own(request, pk)
    form = ShareLinkForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(
                request, "certificates/holder/share.html", _share_context(request, certificate, form), status=400
            )
        try:
            sharing.create_share_link(holder=request.user, certificate_id=certificate.pk, **form.service_arguments())
        except LifecycleError as error:
            return render_error(
                request, error, "certificates/holder/share.html", _share_context(request, certificate, form)
            )
        return redirect("certificates:share_links", pk=certificate.pk)
    return render(request, "certificates/holder/share.html", _share_context(request, certificate, form))


@trainee_required
@require_POST
def revoke_share_link(request, pk, link_pk):
    certificate = _own(request, pk)
    get_object_or_404(selectors.share_links_of(certificate), pk=link_pk)
    sharing.revoke_share_link(holder=request.user, certificate_id=certificate.pk, link_id=link_pk)
    return redirect("certificates:share_links", pk=certificate.pk)
