"""Activation slips (docs/spec.md §6): the institution prints a one-time code for each trainee with an account.

A code exists in plain text only in the response that prints it: the database keeps a hash, and the
page is never cached. Printing a new slip makes the trainee's earlier unused codes stop working.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.cache import never_cache

from certification import accounts, selectors
from certification.forms.institution import SlipForm
from certification.identity import normalise_id_number
from certification.listing import ListFilters
from certification.models import ActivationCode
from core.errors import LifecycleError
from core.lists import Column, ExportColumn, ListSpec, export_response, list_page
from core.views import institution_required

ACTIVATION_PATH_FALLBACK = "/accounts/activate/"


@never_cache
@institution_required
def slips(request):
    form = SlipForm(request.POST or None, trainees_with_account=_trainees_with_account(request.user))
    if request.method == "POST" and request.POST.get("whole_batch"):
        # Every trainee with an account in the chosen batch (and, if asked, only those never printed).
        whole_batch = _whole_batch(request.user, request.POST)
        chosen = whole_batch[2] if whole_batch else None
        if chosen is None or not chosen.exists():
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


SLIPS = ListSpec(
    name="slips",
    sheet_title="slips",
    columns=(
        Column("name", _l("Full name"), ("name",)),
        Column("id", _l("ID number, last 4")),
        Column("password", _l("Password set")),
        Column("last_slip", _l("Last slip")),
        Column("registered", _l("Registered"), ("created_at",)),
    ),
    default_sort="name",
    export=(
        ExportColumn(_l("Full name"), lambda t: t.name),
        ExportColumn(_l("ID number, last 4"), lambda t: t.id_number_last_four, text=True, width=10),
        ExportColumn(_l("Password set"), lambda t: _("yes") if t.user.has_usable_password() else _("not yet")),
        ExportColumn(_l("Last slip"), lambda t: _local_date(t.last_slip_at), width=12),
    ),
)


def _local_date(moment):
    return timezone.localtime(moment).date() if moment else None


def _in_batch(queryset, batch):
    # A trainee enrolled twice in the batch (withdrawn, then again) is listed once.
    return queryset.filter(pk__in=batch.enrolments.values("trainee_id"))


class SlipFilters(ListFilters):
    not_printed = forms.BooleanField(label=_l("Not yet printed"), required=False)


def _never_printed(queryset, chosen: bool):
    # A slip's code row is written when the slip is printed: no row, never printed.
    if not chosen:
        return queryset
    return queryset.exclude(Exists(ActivationCode.objects.filter(user_id=OuterRef("user_id"))))


def _filters(user, data):
    return SlipFilters(
        data,
        user=user,
        paths={
            "q": lambda queryset, text: _matching(queryset, text.strip()),
            "last_four": "id_last_four",
            "batch": _in_batch,
            "date": ("created_at", True),
            "not_printed": _never_printed,
        },
        date_label=_l("Registered"),
    )


def _matching(trainees, text: str):
    if "\x00" in text:
        # No name or ID number holds a NUL, and PostgreSQL refuses one in a query: nothing matches.
        return trainees.none()
    return trainees.filter(selectors.name_contains(text) | Q(id_number=normalise_id_number(text)))


def _with_last_slip(queryset):
    return queryset.select_related("user").annotate(last_slip_at=Max("user__activation_codes__created_at"))


def _whole_batch(user, data):
    """The trainees with an account of the batch chosen in `data` (only those never printed when
    `not_printed` is ticked), or None when no batch of the institution is chosen."""
    form = _filters(user, data)
    if not form.is_valid() or form.cleaned_data.get("batch") is None:
        return None
    batch_only = {name: form.cleaned_data.get(name) for name in ("batch", "not_printed")}
    trainees = _trainees_with_account(user)
    for name, value in batch_only.items():
        if value:
            trainees = form.lookups[name](trainees, value)
    return form.cleaned_data["batch"], batch_only["not_printed"], trainees


def _whole_batch_offer(user, form):
    # The "print the whole batch" button: the batch's trainees whatever the name/ID/date filters say.
    if not form.is_bound or not form.is_valid() or form.cleaned_data.get("batch") is None:
        return None
    batch, not_printed, trainees = _whole_batch(user, form.data)
    count = trainees.count()
    return {"batch": batch, "not_printed": not_printed, "count": count} if count else None


def _render_choice(request, *, error_message="", status=200):
    form = _filters(request.user, request.GET)
    context = list_page(
        request,
        SLIPS,
        _trainees_with_account(request.user).select_related(None),
        form=form,
        decorate=_with_last_slip,
        export_url=reverse("institution:slips_export"),
    )
    context.update(
        error_message=error_message,
        code_days=settings.ACTIVATION_CODE_DAYS,
        whole_batch=_whole_batch_offer(request.user, form),
    )
    return render(request, "institution/slips_choose.html", context, status=status)


@institution_required
def slips_export(request):
    return export_response(
        SLIPS,
        _trainees_with_account(request.user),
        request,
        form=_filters(request.user, request.GET),
        decorate=_with_last_slip,
        filename="activation-slips.xlsx",
    )


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
