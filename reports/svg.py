"""Bar charts as SVG, drawn on the server for the programme report's PDF (WeasyPrint runs no
JavaScript, so the page's ECharts cannot draw there). Each chart is drawn from the same `chart`
dict the page gives ECharts (workflows.figures.Figure.chart): categories, series (with an optional
`stack`), horizontal or not. Plain bars, a legend and a value axis: the numbers themselves are in
the table printed under every chart.
"""

from dataclasses import dataclass
from math import ceil, floor, log10

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ["#3d6a9e", "#8fb3d1", "#c49a3a", "#6f9a7c", "#9a7bb0", "#b8665e", "#7d8790", "#d6c38a"]
FONT = 'font-family="Cert Serif, Noto Serif CJK SC, serif"'
WIDTH = 680


@dataclass(frozen=True)
class _Bar:
    """One bar of a category: the series drawn in it, bottom to top."""

    series: list[int]


def _bars(series: list[dict]) -> list[_Bar]:
    """Series with the same `stack` share a bar; a series without one has a bar of its own."""
    bars: list[_Bar] = []
    stacks: dict[str, _Bar] = {}
    for index, one in enumerate(series):
        stack = one.get("stack")
        if stack is None:
            bars.append(_Bar([index]))
        elif stack in stacks:
            stacks[stack].series.append(index)
        else:
            stacks[stack] = _Bar([index])
            bars.append(stacks[stack])
    return bars


def _value(series: dict, category: int) -> float:
    value = series["data"][category]
    return float(value) if value else 0.0


def _nice_top(largest: float) -> tuple[float, float]:
    """An axis end at or above `largest`, and the step of its four or five gridlines."""
    if largest <= 0:
        return 1.0, 0.25
    magnitude = 10 ** floor(log10(largest / 4))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if largest / (m * magnitude) <= 5)
    return ceil(largest / step) * step, step


def _number(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:g}"


def _text(x: float, y: float, text: str, *, size: int = 10, anchor: str = "start", fill: str = "#333") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" {FONT}>'
        f"{escape(text)}</text>"
    )


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _legend(series: list[dict]) -> tuple[list[str], float]:
    parts, x, y = [], 0.0, 10.0
    for index, one in enumerate(series):
        label = _shorten(str(one["name"]), 24)
        width = 18 + 11 * len(label)
        if x and x + width > WIDTH:
            x, y = 0.0, y + 16
        parts.append(f'<rect x="{x:.1f}" y="{y - 8:.1f}" width="10" height="10" fill="{_colour(index)}"/>')
        parts.append(_text(x + 14, y + 1, label, size=9))
        x += width
    return parts, y + 12


def _colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def bar_chart(chart: dict) -> SafeString:
    """The chart as an <svg> element (empty when it has no category)."""
    categories = [str(c) for c in chart.get("categories", [])]
    series = chart.get("series", [])
    if not categories or not series:
        return mark_safe("")
    bars = _bars(series)
    largest = max(
        (sum(_value(series[s], c) for s in bar.series) for bar in bars for c in range(len(categories))), default=0
    )
    top, step = _nice_top(largest)
    legend, legend_height = _legend(series)
    if chart.get("horizontal"):
        body, height = _horizontal(categories, series, bars, top, step, legend_height, chart.get("unit", ""))
    else:
        body, height = _vertical(categories, series, bars, top, step, legend_height, chart.get("unit", ""))
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" role="img">' + "".join(legend + body) + "</svg>"
    )


def _vertical(categories, series, bars, top, step, legend_height, unit) -> tuple[list[str], float]:
    left, plot_height = 44.0, 170.0
    plot_top = legend_height + 8
    plot_width = WIDTH - left - 8
    parts = _value_grid(top, step, unit, lambda v: plot_top + plot_height * (1 - v / top), left, WIDTH - 8)
    slot = plot_width / len(categories)
    bar_width = max(1.0, min(28.0, slot * 0.8 / len(bars)))
    # Every category's label when they fit, else every n-th one (months over several years).
    every = max(1, ceil(len(categories) * 7 * max(len(c) for c in categories) / plot_width / 1.4))
    for c, category in enumerate(categories):
        x0 = left + slot * c + (slot - bar_width * len(bars)) / 2
        for b, bar in enumerate(bars):
            base = 0.0
            for s in bar.series:
                value = _value(series[s], c)
                if value:
                    y = plot_top + plot_height * (1 - (base + value) / top)
                    h = plot_height * value / top
                    parts.append(
                        f'<rect x="{x0 + b * bar_width:.1f}" y="{y:.1f}" width="{bar_width * 0.92:.1f}" '
                        f'height="{h:.1f}" fill="{_colour(s)}"/>'
                    )
                base += value
        if c % every == 0:
            parts.append(_text(left + slot * (c + 0.5), plot_top + plot_height + 13, category, size=9, anchor="middle"))
    return parts, plot_top + plot_height + 20


def _horizontal(categories, series, bars, top, step, legend_height, unit) -> tuple[list[str], float]:
    left, row = 170.0, 12.0 * len(bars) + 8
    plot_top = legend_height + 8
    plot_width = WIDTH - left - 16
    plot_height = row * len(categories)
    parts = _value_grid(top, step, unit, None, left, WIDTH - 16, plot_top=plot_top, plot_height=plot_height)
    for c, category in enumerate(categories):
        y0 = plot_top + row * c + 4
        parts.append(_text(left - 6, y0 + row / 2, _shorten(category, 16), size=9, anchor="end"))
        for b, bar in enumerate(bars):
            base = 0.0
            for s in bar.series:
                value = _value(series[s], c)
                if value:
                    parts.append(
                        f'<rect x="{left + plot_width * base / top:.1f}" y="{y0 + b * 12:.1f}" '
                        f'width="{plot_width * value / top:.1f}" height="10" fill="{_colour(s)}"/>'
                    )
                base += value
    return parts, plot_top + plot_height + 18


def _value_grid(top, step, unit, y_of, start, end, *, plot_top=0.0, plot_height=0.0) -> list[str]:
    """Gridlines and their values: horizontal lines for a vertical chart (`y_of`), else vertical ones."""
    parts, value = [], 0.0
    suffix = "%" if unit == "%" else ""
    while value <= top + step / 2:
        label = _number(value) + suffix
        if y_of is not None:
            y = y_of(value)
            parts.append(
                f'<line x1="{start}" y1="{y:.1f}" x2="{end}" y2="{y:.1f}" stroke="#dde3ea" stroke-width="0.6"/>'
            )
            parts.append(_text(start - 4, y + 3, label, size=8, anchor="end", fill="#666"))
        else:
            x = start + (end - start) * value / top
            parts.append(
                f'<line x1="{x:.1f}" y1="{plot_top}" x2="{x:.1f}" y2="{plot_top + plot_height:.1f}" '
                'stroke="#dde3ea" stroke-width="0.6"/>'
            )
            parts.append(_text(x, plot_top + plot_height + 12, label, size=8, anchor="middle", fill="#666"))
        value += step
    return parts
