"""An institution's webhooks: register endpoints, see every delivery attempt, switch them off."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import LifecycleError
from core.views import institution_required, paginate, render_error

from .. import selectors, services
from ..forms import EndpointForm
from ..models import EventType
from ..webhooks import signing


@institution_required
def endpoint_list(request):
    form = EndpointForm(request.POST or None)
    context = {
        "form": form,
        "endpoints": selectors.endpoints_visible_to(request.user),
        "labels": dict(EventType.choices),
    }
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "integrations/webhooks.html", context, status=400)
        try:
            endpoint, secret = services.register_endpoint(
                staff=request.user, url=form.cleaned_data["url"], events=form.cleaned_data["events"]
            )
        except LifecycleError as error:
            return render_error(request, error, "integrations/webhooks.html", context)
        # Shown on this response only: the page after it no longer has it.
        return render(
            request,
            "integrations/webhook_secret.html",
            {"endpoint": endpoint, "secret": secret, "headers": _header_names()},
        )
    return render(request, "integrations/webhooks.html", context)


def _header_names() -> dict:
    return {
        "signature": signing.SIGNATURE_HEADER,
        "timestamp": signing.TIMESTAMP_HEADER,
        "event": signing.EVENT_HEADER,
        "id": signing.ID_HEADER,
    }


@institution_required
def endpoint_detail(request, pk):
    endpoint = get_object_or_404(selectors.endpoints_visible_to(request.user), pk=pk)
    context = paginate(request, selectors.deliveries_of(endpoint))
    deliveries = list(context["page_obj"].object_list)
    attempts = selectors.attempts_of(deliveries)
    context.update(
        endpoint=endpoint,
        rows=[(delivery, attempts[delivery.pk]) for delivery in deliveries],
        labels=dict(EventType.choices),
        headers=_header_names(),
    )
    return render(request, "integrations/webhook_detail.html", context)


@institution_required
@require_POST
def endpoint_active(request, pk):
    endpoint = get_object_or_404(selectors.endpoints_visible_to(request.user), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.set_endpoint_active(staff=request.user, endpoint_id=endpoint.pk, active=active)
    except LifecycleError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The endpoint is on.") if active else _("The endpoint is off: nothing more is sent to it.")
        )
    return redirect("integrations:webhook_detail", pk=endpoint.pk)
