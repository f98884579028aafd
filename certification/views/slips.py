"""Activation slips (docs/spec.md §6): the institution prints a one-time code for each trainee with an account.

A code exists in plain text only in the response that prints it: the database keeps a hash, and the
page is never cached. Printing a new slip makes the trainee's earlier unused codes stop working.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from certification import accounts, selectors
from certification.forms.institution import SlipForm
from certification.identity import normalise_id_number
from certification.models import ActivationCode
from core.errors import LifecycleError
from core.views import institution_required, paginate

ACTIVATION_PATH_FALLBACK = "/accounts/activate/"


@never_cache
@institution_required
def slips(request):
    form = SlipForm(request.POST or None, trainees_with_account=_trainees_with_account(request.user))
    if request.method == "POST" and request.POST.get("whole_batch"):
        # Every trainee with an account in the chosen batch (and, if asked, only those never printed).
        chosen = _filtered(request.user, request.POST)
        if not request.POST.get("batch", "").isdigit() or not chosen.exists():
            return _render_choice(request, error_message=_("No trainee of this batch needs a slip."), status=400)
        form = SlipForm({"trainees": list(chosen.values_list("pk", flat=True))}, trainees_with_account=chosen)
    if request.method == "POST":
        if not form.is_valid():
            return _render_choice(request, error_message=form.errors["trainees"][0], status=400)
        try:
            slips = _issue_slips(request, form.cleaned_data["trainees"].order_by("name", "pk"))
        except LifecycleError as error:
            return _render_choice(request, error_message=error.message, status=error.http_status)
        context = {"slips": slips, "institution": request.user.institution}
        return render(request, "institution/slips_print.html", context)
    return _render_choice(request)


def _trainees_with_account(user):
    """The institution's trainees who were approved at least once, and so have an account that is
    active (a deactivated account gets no slip: accounts.issue_activation_code)."""
    return selectors.trainees_visible_to(user).filter(user__is_active=True).select_related("user")


def _filtered(user, params):
    """The trainees with an account, of one batch (?batch=) and never printed (?not_printed=1) when asked.
    A slip's code row is written when the slip is printed: its created_at is the printed-at time."""
    trainees = _trainees_with_account(user)
    batch = params.get("batch", "")
    if batch.isdigit():
        trainees = trainees.filter(
            enrolments__batch_id=int(batch), enrolments__batch__institution_id=user.institution_id
        )
    if params.get("not_printed"):
        trainees = trainees.exclude(Exists(ActivationCode.objects.filter(user_id=OuterRef("user_id"))))
    return trainees.distinct()


def _render_choice(request, *, error_message="", status=200):
    text = request.GET.get("q", "").strip()
    trainees = _filtered(request.user, request.GET)
    if "\x00" in text:
        # No name or ID number holds a NUL, and PostgreSQL refuses one in a query: nothing matches.
        trainees = trainees.none()
    elif text:
        trainees = trainees.filter(Q(name__icontains=text) | Q(id_number=normalise_id_number(text)))
    trainees = trainees.annotate(last_slip_at=Max("user__activation_codes__created_at")).order_by("name", "pk")
    batch = request.GET.get("batch", "")
    context = {
        "q": text,
        "batches": selectors.batches_visible_to(request.user).order_by("-start_date", "name"),
        "batch": int(batch) if batch.isdigit() else None,
        "not_printed": bool(request.GET.get("not_printed")),
        "error_message": error_message,
        "code_days": settings.ACTIVATION_CODE_DAYS,
        **paginate(request, trainees),
    }
    return render(request, "institution/slips_choose.html", context, status=status)


def _issue_slips(request, trainees) -> list[dict]:
    activation_url = request.build_absolute_uri(_activation_path())
    expires_on = timezone.localdate(timezone.now() + timedelta(days=settings.ACTIVATION_CODE_DAYS))
    return [
        {
            "trainee": trainee,
            "login": trainee.id_number,
            "code": _grouped(accounts.issue_activation_code(staff=request.user, trainee_id=trainee.pk)),
            "expires_on": expires_on,
            "activation_url": activation_url,
        }
        for trainee in trainees
    ]


def _grouped(code: str) -> str:
    # Typed from paper: groups of five are easier to read back. A no-break space keeps the code on
    # one line; activation ignores spaces of every kind (identity.normalise_id_number).
    return "\u00a0".join(code[i : i + 5] for i in range(0, len(code), 5))


def _activation_path() -> str:
    try:
        return reverse("activate")
    except NoReverseMatch:  # the activation page ships separately; its address is fixed by convention
        return ACTIVATION_PATH_FALLBACK
