"""The office's verification log: every lookup of a certificate, found or not (core.lists)."""

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.listing import ListFilters
from core.lists import Column, ExportColumn, ListSpec, QuickSelect, export_response, list_page
from core.views import officer_required

from ..models import VerificationChannel, VerificationLog

VERIFICATIONS = ListSpec(
    name="verifications",
    sheet_title="verifications",
    columns=(
        Column("when", _("When"), ("created_at",)),
        Column("channel", _("Channel"), ("channel",)),
        Column("query", _("Query")),
        Column("found", _("Found")),
        Column("certificate", _("Certificate")),
        Column("address", _("Address")),
    ),
    default_sort="-when",
    export=(
        ExportColumn(_("When"), lambda v: timezone.localtime(v.created_at).replace(tzinfo=None), width=18),
        ExportColumn(_("Channel"), lambda v: v.get_channel_display()),
        ExportColumn(_("Query"), lambda v: v.query, text=True, width=24),
        ExportColumn(_("Found"), lambda v: bool(v.found)),
        ExportColumn(_("Certificate"), lambda v: v.certificate.number if v.certificate_id else "", text=True, width=24),
        ExportColumn(_("Address"), lambda v: v.ip_address, text=True),
    ),
)


class VerificationFilters(ListFilters):
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("All"))] + list(VerificationChannel.choices),
        widget=QuickSelect,
    )
    found = forms.TypedChoiceField(
        label=_("Found"),
        required=False,
        coerce=lambda value: value == "yes",
        empty_value=None,
        choices=[("", _("All")), ("yes", _("found")), ("no", _("not found"))],
        widget=QuickSelect,
    )

    def __init__(self, data, *, user):
        super().__init__(
            data,
            user=user,
            paths={
                "channel": "channel",
                "found": "found",
                "date": ("created_at", True),
            },
            date_label=_("When"),
        )


def _with_rows(queryset):
    return queryset.select_related("certificate")


@officer_required
def verification_log(request):
    context = list_page(
        request,
        VERIFICATIONS,
        VerificationLog.objects.all(),
        form=VerificationFilters(request.GET, user=request.user),
        decorate=_with_rows,
        export_url=reverse("certificates:verifications_export"),
    )
    return render(request, "certificates/verifications.html", context)


@officer_required
def verification_log_export(request):
    form = VerificationFilters(request.GET, user=request.user)
    return export_response(
        VERIFICATIONS,
        VerificationLog.objects.all(),
        request,
        form=form,
        decorate=_with_rows,
        filename="verification-log.xlsx",
    )
