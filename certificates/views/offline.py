"""/verify/offline/: a page that checks a certificate's QR statement with no network (docs/spec.md §12).

The page, its script and styles, the office's public keys and the last status list are kept by a
service worker (scope /verify/offline/) on the first visit; afterwards the page opens and verifies
with no connection. Revocation is the one thing it cannot know offline: it shows the time of the
status list it holds.
"""

import hashlib
import json

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from certification.models import Level

from .. import offline_statement, selectors

# What the page needs offline, besides itself and the two JSON documents.
ASSETS = (
    "css/app.css",
    "js/app.js",
    "img/emblem.svg",
    "certificates/css/certificates.css",
    "certificates/js/offline.js",
    "vendor/tiny-cbor/cbor.js",
    "vendor/tiny-cbor/cbor_internal.js",
    "vendor/noble-ed25519/index.js",
)


def _messages() -> dict:
    """The script's words, translated here (the script has no catalogue of its own)."""
    return {
        "verified": _("Signature verified: these facts were signed by the certification office."),
        "invalid": _("Not verified: this is not a statement the office signed, or it was changed."),
        "unknown_key": _(
            "Not verified: it names a key the office has not published (key %(kid)s). If the office has "
            "just rotated its key, open this page once with a connection."
        ),
        "not_a_statement": _("This is not the text of a certificate's QR code. Paste the whole link or text."),
        "revoked": _("The status list of %(synced)s says this certificate was revoked on %(date)s."),
        "superseded": _("The status list of %(synced)s says this certificate was replaced on %(date)s by %(by)s."),
        "not_listed": _("Not revoked or replaced according to the status list of %(synced)s."),
        "no_status": _("No status list on this device yet: whether it was revoked is unknown."),
        "expired": _("Its validity ended on %(date)s."),
        "never": _("never"),
        "online": _("online"),
        "offline": _("offline: using what this device keeps"),
        "ready": _("ready for use without a network"),
        "not_ready": _("not yet kept on this device"),
        "no_worker": _("this browser cannot keep the page for offline use"),
        "camera_failed": _("The camera could not be opened: paste the text instead."),
        "scanning": _("Point the camera at the certificate's QR code."),
        "number": _("Certificate number"),
        "holder": _("Holder"),
        "track": _("Occupation direction"),
        "level": _("Level"),
        "issue_date": _("Issue date"),
        "valid_until": _("Valid until"),
        "no_end": _("no end date"),
        "key": _("Signed with key"),
        "levels": {str(level.value): str(level.label) for level in Level},
    }


@require_GET
def offline_page(request):
    return render(
        request,
        "certificates/offline/page.html",
        {
            "messages_json": _messages(),
            "keys_url": reverse("certificates:offline_keys"),
            "status_url": reverse("certificates:offline_status"),
            "worker_url": reverse("certificates:offline_worker"),
            "scope": reverse("certificates:offline"),
        },
    )


@require_GET
def service_worker(request):
    """The worker's script, naming the files to keep by their current (hashed) static URLs; a new
    release changes those URLs, hence the script, so browsers install the new one."""
    assets = [static(name) for name in ASSETS]
    page, keys, status = (reverse(f"certificates:{name}") for name in ("offline", "offline_keys", "offline_status"))
    version = hashlib.sha256(" ".join([page, keys, status, *assets]).encode()).hexdigest()[:12]
    # JSON is JavaScript: the URLs go in as JSON strings (ours, from reverse() and static()).
    script = render_to_string(
        "certificates/offline/service-worker.js",
        {
            "version": version,
            "page": json.dumps(page),
            "live": json.dumps([keys, status]),
            "assets": json.dumps(assets),
        },
    )
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    # Browsers check for a new worker on each visit; the script must not be cached on the way.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def public_keys(request):
    """Every public key the office has signed statements with, earlier ones too (a JWK Set)."""
    response = JsonResponse(offline_statement.public_key_set())
    response["Cache-Control"] = "public, max-age=300"
    return response


@never_cache
@require_GET
def status_list(request):
    """The certificates that are no longer valid, for the offline page to keep: revoked ones with
    their date, replaced ones with the date and the new number. Issued, valid ones are not listed."""
    revoked, superseded = {}, {}
    for number, status, revoked_at, superseded_at, superseded_by in selectors.status_changes():
        if status == "revoked":
            revoked[number] = timezone.localdate(revoked_at).isoformat() if revoked_at else None
        else:
            superseded[number] = {
                "on": timezone.localdate(superseded_at).isoformat() if superseded_at else None,
                "by": superseded_by,
            }
    return JsonResponse({"generated_at": timezone.now().isoformat(), "revoked": revoked, "superseded": superseded})
