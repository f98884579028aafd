"""The bell's pages: the list, marking read, preferences, and unsubscribing from an e-mail's link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .forms import PreferencesForm
from .kinds import KINDS, body_of, title_of
from .selectors import notifications_of


@login_required
def notification_list(request):
    page = Paginator(notifications_of(request.user), 50).get_page(request.GET.get("page"))
    items = [{"notification": n, "title": title_of(n.kind, n.params), "body": body_of(n.kind, n.params)} for n in page]
    return render(request, "notifications/list.html", {"page": page, "items": items})


@login_required
@require_POST
def mark_read(request, pk: int):
    if not services.mark_read(user=request.user, notification_id=pk):
        raise Http404
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    services.mark_all_read(user=request.user)
    messages.success(request, _("All notifications are marked read."))
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    preference = services.preference_of(request.user)
    initial = {
        "language": preference.language if preference else "zh-hans",
        "emailed_kinds": [k for k in KINDS if not preference or k not in preference.muted_kinds],
        "digest": bool(preference and preference.digest),
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_preferences(
            user=request.user,
            language=form.cleaned_data["language"],
            muted_kinds=set(KINDS) - set(form.cleaned_data["emailed_kinds"]),
            digest=form.cleaned_data["digest"],
        )
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("notifications:preferences")
    unsubscribed = bool(preference and preference.unsubscribed)
    return render(request, "notifications/preferences.html", {"form": form, "unsubscribed": unsubscribed})


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """From an e-mail's link, without logging in: the signed token says who and which kind."""
    found = services.read_unsubscribe_token(token)
    if found is None:
        raise Http404
    user, kind = found
    done = False
    if request.method == "POST":
        services.unsubscribe(user=user, kind=kind)
        done = True
    label = KINDS[kind].label if kind else ""
    return render(request, "notifications/unsubscribe.html", {"kind_label": label, "done": done})
