"""The institution's import history: every upload, its kind, who uploaded and imported it (core.lists)."""

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.listing import ListFilters
from core.lists import Column, ExportColumn, ListSpec, QuickSelect, export_response, list_page
from core.views import institution_required

from ..models import ImportKind, ImportStatus
from ..selectors import imports_visible_to

IMPORTS = ListSpec(
    name="imports",
    sheet_title="imports",
    columns=(
        Column("file", _("File"), ("original_name",)),
        Column("kind", _("Kind"), ("kind",)),
        Column("uploaded", _("Uploaded"), ("created_at",)),
        Column("by", _("By")),
        Column("status", _("Status"), ("status",)),
        Column("imported", _("Imported"), ("imported_at",)),
    ),
    default_sort="-uploaded",
    export=(
        ExportColumn(_("File"), lambda s: s.original_name, width=30),
        ExportColumn(_("Kind"), lambda s: s.get_kind_display()),
        ExportColumn(_("Uploaded"), lambda s: timezone.localtime(s.created_at).replace(tzinfo=None), width=18),
        ExportColumn(_("By"), lambda s: s.uploaded_by.display_name if s.uploaded_by_id else ""),
        ExportColumn(_("Status"), lambda s: s.get_status_display()),
        ExportColumn(
            _("Imported"), lambda s: timezone.localtime(s.imported_at).replace(tzinfo=None) if s.imported_at else None
        ),
    ),
)


class ImportFilters(ListFilters):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All"))] + list(ImportKind.choices), widget=QuickSelect
    )

    def __init__(self, data, *, user):
        super().__init__(
            data,
            user=user,
            paths={"kind": "kind", "status": "status", "date": ("created_at", True)},
            statuses=ImportStatus.choices,
            date_label=_("Uploaded"),
        )


@institution_required
def import_history(request):
    context = list_page(
        request,
        IMPORTS,
        imports_visible_to(request.user),
        form=ImportFilters(request.GET, user=request.user),
        export_url=reverse("exchange:history_export"),
    )
    return render(request, "exchange/history.html", context)


@institution_required
def import_history_export(request):
    form = ImportFilters(request.GET, user=request.user)
    return export_response(IMPORTS, imports_visible_to(request.user), request, form=form, filename="imports.xlsx")
