"""One mechanism for every list page: sort by column, filter, page size, paging and the xlsx export.

A list declares a `ListSpec` (its columns, which of them sort and by what, the default order, the
page sizes, the export's columns); a view hands it the request, the queryset the user may see and
its filter form, and gets the page's context back (`list_page`) or the workbook (`export_response`).
The page and its export read the same filtered queryset, so an export holds exactly what the page
lists, in the same order, and never more than the user may see.

Sort keys come from the query string (`?sort=name`, `?sort=-name`) and only those the spec names are
used: anything else falls back to the default, as does a page size that is not offered. Every order
ends with the primary key, so that rows with equal values keep one order from page to page.

Pages at depth (OFFSET 100,000) are cheap because the page's rows are found in two steps
(`DeferredJoinPaginator`): the ordered primary keys of the page first, from the filtered table alone,
then those rows with everything the page shows (select_related, annotations). The joins are made for
25 rows, not for every row skipped.
"""

import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.forms.utils import flatatt
from django.http import FileResponse, HttpRequest, QueryDict
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core import spreadsheets

PAGE_SIZES = (25, 50, 100)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """A column of the table. `order` names the fields it sorts by; empty: it does not sort."""

    key: str
    label: Any
    order: tuple[str, ...] = ()
    css: str = ""

    @property
    def sortable(self) -> bool:
        return bool(self.order)


@dataclass(frozen=True)
class ExportColumn:
    header: Any
    value: Callable[[Any], Any]
    text: bool = False
    width: int = 16


@dataclass(frozen=True)
class ListSpec:
    name: str
    columns: tuple[Column, ...]
    default_sort: str
    export: tuple[ExportColumn, ...] = ()
    page_sizes: tuple[int, ...] = PAGE_SIZES
    sheet_title: str = "list"
    # Rows fetched per query while a workbook is written.
    export_chunk: int = 2000

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key and c.sortable), None)

    def sort_of(self, params: QueryDict) -> str:
        """The requested sort when the spec offers it, else the default (`name` or `-name`)."""
        wanted = params.get("sort", "")
        if self.column(wanted.removeprefix("-")) is not None:
            return wanted
        return self.default_sort

    def order_by(self, sort: str) -> list[str]:
        descending = sort.startswith("-")
        column = self.column(sort.removeprefix("-"))
        assert column is not None, sort
        fields = [f"-{name}" if descending != name.startswith("-") else name.removeprefix("-") for name in column.order]
        # The tie-break: one stable order, whatever the column holds.
        fields.append("-pk" if descending else "pk")
        return fields

    def page_size_of(self, params: QueryDict) -> int:
        wanted = params.get("per_page", "")
        return int(wanted) if wanted.isdigit() and int(wanted) in self.page_sizes else self.page_sizes[0]


class DeferredJoinPaginator(Paginator):
    """Django's paginator, whose page rows are found by primary key first (see the module's docstring).
    `decorate` adds what only the page's rows need (select_related, annotations) to the second step."""

    def __init__(self, object_list, per_page, *, decorate: Callable[[QuerySet], QuerySet] | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.decorate = decorate or (lambda queryset: queryset)

    def page(self, number) -> Page:
        if getattr(self.object_list, "_iterable_class", None) is not ModelIterable:
            # values() rows (a grouped count, say) have no primary key to come back by: sliced as usual.
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        queryset: QuerySet = self.object_list  # type: ignore[assignment]
        pks = self._keys(queryset, bottom, top) if top > bottom else []
        rows = {row.pk: row for row in self.decorate(queryset.filter(pk__in=pks)).order_by()} if pks else {}
        return self._get_page([rows[pk] for pk in pks if pk in rows], number, self)  # type: ignore[attr-defined]

    def _keys(self, queryset: QuerySet, bottom: int, top: int) -> list:
        """The page's primary keys in order. Past the middle they are read from the other end, in
        the reversed order, and turned round: the database then skips `count - top` rows instead of
        `bottom` (a sort by a joined column, such as the trainee's name on enrolments, sorted all
        100,000 rows to reach the last page: 146 ms, and the reversed order finds them like the first
        page). Every list's order ends with the primary key, so the reversed order is the exact
        reverse, ties and NULLs included; an unordered queryset has no reverse and is read forwards."""
        keys = queryset.values_list("pk", flat=True)
        if queryset.ordered and bottom > self.count - top:
            return list(keys.reverse()[self.count - top : self.count - bottom])[::-1]
        return list(keys[bottom:top])


class QuickSelect(forms.Select):
    """A select written by joining strings rather than through one template per option: a list's
    batch filter can offer hundreds of batches, which the template way took 100 ms to write."""

    def render(self, name, value, attrs=None, renderer=None):
        values = value if isinstance(value, (list, tuple)) else [value]
        chosen = {"" if v is None else str(v) for v in values}
        options = "".join(
            f'<option value="{escape(option)}"{" selected" if str(option) in chosen else ""}>{escape(label)}</option>'
            for option, label in self.choices
        )
        return mark_safe(
            f'<select name="{escape(name)}"{flatatt(self.build_attrs(self.attrs, attrs))}>{options}</select>'
        )


class FilterForm(forms.Form):
    """A GET form whose fields narrow a queryset: `lookups` maps a field to its ORM lookup, or to a
    function (queryset, value) → queryset. Empty fields filter nothing."""

    lookups: dict[str, Any]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lookups = {}

    def filter(self, queryset: QuerySet) -> QuerySet:
        for name, value in self.cleaned_data.items():
            lookup = self.lookups.get(name)
            if lookup is None or value in (None, "", [], ()):
                continue
            queryset = lookup(queryset, value) if callable(lookup) else queryset.filter(**{lookup: value})
        return queryset


def filtered(queryset: QuerySet, form: FilterForm | None) -> QuerySet:
    """The queryset narrowed by the form's filters. A filter that is not valid (a batch of another
    institution, a malformed date) lists nothing, and the form shows why beside the field: listing
    everything instead would look like an answer to the question asked."""
    if form is None or not form.is_bound:
        return queryset
    if not form.is_valid():
        return queryset.none()
    return form.filter(queryset)


def _query(params: QueryDict, **changes) -> str:
    query = params.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value not in (None, ""):
            query[key] = str(value)
    return query.urlencode()


def headers(spec: ListSpec, params: QueryDict, sort: str, hidden: Iterable[str] = ()) -> list[dict]:
    """Each visible column's heading: its label and, when it sorts, the link and aria-sort value."""
    hidden = set(hidden)
    current, descending = sort.removeprefix("-"), sort.startswith("-")
    result = []
    for column in spec.columns:
        if column.key in hidden:
            continue
        heading: dict[str, Any] = {"key": column.key, "label": column.label, "css": column.css, "url": ""}
        if column.sortable:
            active = column.key == current
            next_sort = column.key if active and descending else ("-" + column.key if active else column.key)
            heading.update(
                url="?" + _query(params, sort=next_sort, page=None),
                active=active,
                aria_sort=("descending" if descending else "ascending") if active else "none",
            )
        result.append(heading)
    return result


def list_page(
    request: HttpRequest,
    spec: ListSpec,
    queryset: QuerySet,
    *,
    form: FilterForm | None = None,
    decorate: Callable[[QuerySet], QuerySet] | None = None,
    hidden: Sequence[str] = (),
    export_url: str = "",
) -> dict:
    """The context of a list page: `page_obj`, `headers`, the filter form, the page sizes and the
    query strings that keep the filters from page to page and into the export."""
    params = request.GET
    sort = spec.sort_of(params)
    per_page = spec.page_size_of(params)
    rows = filtered(queryset, form).order_by(*spec.order_by(sort))
    page_obj = DeferredJoinPaginator(rows, per_page, decorate=decorate).get_page(params.get("page"))
    without_page = _query(params, page=None)
    return {
        "form": form,
        "page_obj": page_obj,
        "headers": headers(spec, params, sort, hidden),
        "sort": sort,
        "per_page": per_page,
        "page_sizes": spec.page_sizes,
        "querystring_without_page": f"{without_page}&" if without_page else "",
        "hidden_params": _hidden_params(params, form),
        "export_url": f"{export_url}?{_query(params, page=None)}" if export_url else "",
        "filters_active": bool(
            form is not None and form.is_bound and form.is_valid() and any(form.cleaned_data.values())
        ),
    }


def _hidden_params(params: QueryDict, form: FilterForm | None) -> list[tuple[str, str]]:
    """Sort and page size kept by the filter form when it is submitted (the page starts again at 1)."""
    own = set(form.fields) if form is not None else set()
    return [(key, str(params.get(key, ""))) for key in ("sort", "per_page") if key in params and key not in own]


def export_response(
    spec: ListSpec,
    queryset: QuerySet,
    request: HttpRequest,
    *,
    form: FilterForm | None = None,
    decorate: Callable[[QuerySet], QuerySet] | None = None,
    filename: str,
) -> FileResponse:
    """The filtered list as xlsx, in the page's order: every row, through the safe writer, streamed."""
    rows = filtered(queryset, form).order_by(*spec.order_by(spec.sort_of(request.GET)))
    if decorate is not None:
        rows = decorate(rows)
    workbook = spreadsheets.new_workbook()
    sheet = spreadsheets.SafeSheet(
        workbook,
        spec.sheet_title,
        [str(column.header) for column in spec.export],
        text_columns=[i for i, column in enumerate(spec.export) if column.text],
        widths=[column.width for column in spec.export],
    )
    for row in rows.iterator(chunk_size=spec.export_chunk):
        sheet.append([column.value(row) for column in spec.export])
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX)
