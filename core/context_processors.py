"""The navigation each role sees."""

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

NAVIGATION = {
    "officer": [
        ("dashboard", _("Dashboard")),
        ("officer:institutions", _("Institutions")),
        ("officer:approvals", _("Eligibility approvals")),
        ("enrolments:list", _("Enrolments")),
        ("assessment:queue", _("Assessment")),
        ("officer_publicity:index", _("Public notice")),
        ("certificates:issuance", _("Issue certificates")),
        ("certificates:list", _("Certificates")),
        ("exchange:index", _("Exports")),
        ("statistics:officer", _("Statistics")),
        ("integrations:employers", _("Employers")),
        ("api:keys", _("API keys")),
    ],
    "institution": [
        ("dashboard", _("Dashboard")),
        ("institution:batches", _("Batches")),
        ("institution:trainees", _("Trainees")),
        ("enrolments:list", _("Enrolments")),
        ("exchange:index", _("Excel exchange")),
        ("certificates:list", _("Certificates")),
        ("statistics:institution", _("Statistics")),
        ("integrations:webhooks", _("Webhooks")),
        ("api:keys", _("API keys")),
    ],
    "assessor": [
        ("dashboard", _("Dashboard")),
        ("assessment:queue", _("Review queue")),
        ("assessment:inbox", _("My inbox")),
        ("enrolments:list", _("Candidates")),
        ("assessment:conflicts", _("Conflicts of interest")),
    ],
    "employer": [
        ("dashboard", _("Dashboard")),
        ("integrations:bulk_verify", _("Bulk verification")),
        ("integrations:keys", _("API keys")),
    ],
    "trainee": [
        ("dashboard", _("My progress")),
        ("certificates:mine", _("My certificates")),
    ],
}


# Pages that belong to an entry although their address is not under the entry's.
ALSO_UNDER = {"certificates:issuance": ("/certificates/runs/",)}


def navigation(request):
    """The role's menu; the one entry whose address is the longest start of the page's is active
    (an issuance run under /certificates/runs/ is "Issue certificates", not "Certificates")."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"navigation": []}
    items: list[dict[str, Any]] = []
    for url_name, label in NAVIGATION.get(getattr(user, "role", ""), []):
        try:
            url = reverse(url_name)
        except NoReverseMatch:  # an area not installed; tests check every entry resolves
            continue
        prefixes = (url, *ALSO_UNDER.get(url_name, ()))
        matched = max(
            (len(p) for p in prefixes if request.path == p or (p != "/" and request.path.startswith(p))), default=0
        )
        items.append({"url": url, "label": label, "active": False, "matched": matched})
    best = max(items, key=lambda item: item["matched"], default=None)
    if best is not None and best["matched"]:
        best["active"] = True
    return {"navigation": items}
