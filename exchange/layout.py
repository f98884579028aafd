"""Finding the columns of an upload from its header rows.

Row 1 holds the headers (Chinese, as in the template; the English key or label works too), row 2
the template's key row when it was kept. Columns are matched by name, so they may be moved; an
unknown, repeated or missing column refuses the file with a message naming it.
"""

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from .cells import Cell, is_blank
from .columns import KINDS, REASON_HEADER, REASON_KEY, Column, Kind
from .errors import FileRefused

Row = tuple[int, dict[int, Cell]]


@dataclass
class Layout:
    kind: Kind
    columns: dict[int, Column]
    # The error report's reason column: ignored when a corrected report comes back.
    ignored: set[int] = field(default_factory=set)
    header_rows: list[Row] = field(default_factory=list)

    def in_template_order(self) -> list[tuple[int, Column]]:
        order = {column.key: index for index, column in enumerate(self.kind.columns)}
        return sorted(self.columns.items(), key=lambda item: order[item[1].key])

    def column_of(self, key: str) -> int | None:
        return next((number for number, column in self.columns.items() if column.key == key), None)


def _normalised(value) -> str:
    text = unicodedata.normalize("NFKC", str(value)).strip().rstrip("*").strip()
    return "".join(text.split()).casefold()


def _names(kind: Kind) -> dict[str, Column]:
    names = {}
    for column in kind.columns:
        for language in ("en", "zh-hans"):
            with translation.override(language):
                names[_normalised(column.label)] = column
        names[_normalised(column.header)] = column
        names[_normalised(column.key)] = column
    return names


def _is_reason(text: str) -> bool:
    return _normalised(text) in {_normalised(REASON_HEADER), _normalised(REASON_KEY)}


def _header_texts(cells: dict[int, Cell]) -> dict[int, str]:
    return {number: str(cell.value) for number, cell in sorted(cells.items()) if not is_blank(cell.value)}


def read_layout(kind: Kind, rows: Iterator[Row]) -> tuple[Layout, list[Row]]:
    """The layout, and the rows read past the headers that turned out to be data (to process next)."""
    first = next(rows, None)
    if first is None:
        raise FileRefused(_("The sheet is empty: copy your data into the template under its headers."))
    layout = _match_headers(kind, first)
    second = next(rows, None)
    if second is None:
        return layout, []
    if second[0] == first[0] + 1 and _is_key_row(second[1], layout):
        layout.header_rows.append(second)
        return layout, []
    return layout, [second]


def _match_headers(kind: Kind, row: Row) -> Layout:
    names = _names(kind)
    texts = _header_texts(row[1])
    layout = Layout(kind=kind, columns={}, header_rows=[row])
    unknown = []
    for number, text in texts.items():
        column = names.get(_normalised(text))
        if _is_reason(text):
            layout.ignored.add(number)
        elif column is None:
            unknown.append((number, text))
        elif column.key in {c.key for c in layout.columns.values()}:
            first = layout.column_of(column.key)
            raise FileRefused(
                _("Column %(column)s repeats the column “%(header)s” (already in column %(first)s).")
                % {"column": get_column_letter(number), "header": column.header, "first": get_column_letter(first)}
            )
        else:
            layout.columns[number] = column
    if not layout.columns or unknown:
        _refuse_another_template(kind, texts)
    if not layout.columns:
        raise FileRefused(
            _(
                "Row 1 must hold the column headers of the %(kind)s template (%(headers)s): download the template and copy your data into it."
            )
            % {"kind": kind.title, "headers": "、".join(c.header for c in kind.columns)}
        )
    if unknown:
        number, text = unknown[0]
        raise FileRefused(
            _("Column %(column)s: “%(header)s” is not a column of the %(kind)s template. Its columns are: %(headers)s.")
            % {
                "column": get_column_letter(number),
                "header": text,
                "kind": kind.title,
                "headers": "、".join(c.header for c in kind.columns),
            }
        )
    present = {c.key for c in layout.columns.values()}
    missing = [c for c in kind.columns if c.required and c.key not in present]
    if missing:
        raise FileRefused(
            _("Required columns are missing: %(columns)s.")
            % {"columns": "、".join(f"{c.header} ({c.key})" for c in missing)}
        )
    return layout


def _refuse_another_template(kind: Kind, texts: dict[int, str]) -> None:
    """Headers that all belong to another kind's template: the file was uploaded in the wrong place."""
    for other in KINDS.values():
        names = _names(other)
        if other is not kind and texts and all(_normalised(t) in names or _is_reason(t) for t in texts.values()):
            raise FileRefused(
                _("This is the %(other)s template: upload it as %(other)s, not as %(kind)s.")
                % {"other": other.title, "kind": kind.title}
            )


def _is_key_row(cells: dict[int, Cell], layout: Layout) -> bool:
    texts = _header_texts(cells)
    keys = {c.key for c in layout.kind.columns} | {REASON_KEY}
    if not texts or not all(str(t).strip() in keys for t in texts.values()):
        return False
    for number, text in texts.items():
        column = layout.columns.get(number)
        expected = REASON_KEY if number in layout.ignored else (column.key if column else None)
        if text.strip() != expected:
            raise FileRefused(
                _(
                    "Column %(column)s: the header row says “%(header)s” but the key row says “%(key)s”: the columns were moved apart."
                )
                % {
                    "column": get_column_letter(number),
                    "header": _header_texts(layout.header_rows[0][1]).get(number, ""),
                    "key": text,
                }
            )
    return True
