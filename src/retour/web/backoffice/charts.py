"""Charts drawn on the server as SVG: a line over time and horizontal bars.

Pure string building, no JavaScript and nothing fetched. Each chart is an image to assistive
technology (`role="img"` with a `<title>`); the page puts a table of the same figures beside
it. Every label is escaped. Colours are presentation attributes, not inline styles, so the
back office's CSP (`style-src 'self'`) allows them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

LINE_COLOUR = "#1f5f8b"
BAR_COLOUR = "#1f5f8b"
AXIS_COLOUR = "#6b6b6b"
TEXT_COLOUR = "#222222"


@dataclass(frozen=True)
class Point:
    label: str
    #: None: no figure for this point (nothing sold, say): the line has a gap there.
    value: float | None


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    #: The value as the chart writes it at the end of the bar.
    shown: str


@dataclass(frozen=True)
class LineLayout:
    width: int = 640
    height: int = 240
    left: int = 56
    right: int = 16
    top: int = 16
    bottom: int = 32


def percent(value: float) -> str:
    """0.125 → "12.5 %"; whole percents without decimals."""
    return f"{round(value * 100, 1):g} %"


def nice_ceiling(value: float, step: float = 0.05) -> float:
    """The smallest multiple of `step` at or above `value` (at least one step)."""
    steps = math.ceil(round(value / step, 9))
    return round(max(steps, 1) * step, 9)


def _number(value: float) -> str:
    return f"{round(value, 1):g}"


def _text(x: float, y: float, content: str, anchor: str = "start") -> str:
    return (
        f'<text x="{_number(x)}" y="{_number(y)}" text-anchor="{anchor}" '
        f'fill="{TEXT_COLOUR}" font-size="12">{escape(content)}</text>'
    )


def line_chart(
    points: Sequence[Point],
    title: str,
    *,
    layout: LineLayout = LineLayout(),
    shown: Callable[[float], str] = percent,
) -> Markup:
    """A line through `points` left to right, from 0 up to a round ceiling above the highest
    value; the first and last labels under the axis."""
    plot_width = layout.width - layout.left - layout.right
    plot_height = layout.height - layout.top - layout.bottom
    values = [point.value for point in points if point.value is not None]
    ceiling = nice_ceiling(max(values, default=0.0))
    baseline = layout.top + plot_height

    def x_of(index: int) -> float:
        if len(points) == 1:
            return layout.left + plot_width / 2
        return layout.left + index * plot_width / (len(points) - 1)

    def y_of(value: float) -> float:
        return layout.top + plot_height * (1 - value / ceiling)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {layout.width} {layout.height}" width="{layout.width}" '
        f'height="{layout.height}"><title>{escape(title)}</title>',
        f'<line x1="{layout.left}" y1="{baseline}" x2="{layout.left + plot_width}" '
        f'y2="{baseline}" stroke="{AXIS_COLOUR}"/>',
        f'<line x1="{layout.left}" y1="{layout.top}" x2="{layout.left}" y2="{baseline}" '
        f'stroke="{AXIS_COLOUR}"/>',
        _text(layout.left - 6, baseline + 4, shown(0.0), "end"),
        _text(layout.left - 6, layout.top + 4, shown(ceiling), "end"),
    ]
    for segment in _segments(points):
        coordinates = " ".join(
            f"{_number(x_of(index))},{_number(y_of(value))}" for index, value in segment
        )
        if len(segment) == 1:
            index, value = segment[0]
            parts.append(
                f'<circle cx="{_number(x_of(index))}" cy="{_number(y_of(value))}" r="3" '
                f'fill="{LINE_COLOUR}"/>'
            )
        else:
            parts.append(
                f'<polyline points="{coordinates}" fill="none" stroke="{LINE_COLOUR}" '
                f'stroke-width="2"/>'
            )
    if points:
        label_y = baseline + 18
        parts.append(_text(x_of(0), label_y, points[0].label, "start"))
        if len(points) > 1:
            parts.append(_text(x_of(len(points) - 1), label_y, points[-1].label, "end"))
    parts.append("</svg>")
    return Markup("".join(parts))


def _segments(points: Sequence[Point]) -> list[list[tuple[int, float]]]:
    """Runs of points that have a value, with their positions."""
    segments: list[list[tuple[int, float]]] = [[]]
    for index, point in enumerate(points):
        if point.value is None:
            if segments[-1]:
                segments.append([])
        else:
            segments[-1].append((index, point.value))
    return [segment for segment in segments if segment]


@dataclass(frozen=True)
class BarLayout:
    width: int = 640
    label_width: int = 200
    value_width: int = 72
    row_height: int = 24
    bar_height: int = 16


def bar_chart(bars: Sequence[Bar], title: str, *, layout: BarLayout = BarLayout()) -> Markup:
    """One horizontal bar per entry, top to bottom, the longest for the highest value."""
    height = max(len(bars), 1) * layout.row_height
    track = layout.width - layout.label_width - layout.value_width
    highest = max((bar.value for bar in bars), default=0.0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {layout.width} {height}" width="{layout.width}" height="{height}">'
        f"<title>{escape(title)}</title>"
    ]
    for row, bar in enumerate(bars):
        top = row * layout.row_height
        length = track * bar.value / highest if highest > 0 else 0.0
        middle = top + layout.row_height / 2 + 4
        bar_top = top + (layout.row_height - layout.bar_height) / 2
        parts.append(_text(layout.label_width - 8, middle, bar.label, "end"))
        parts.append(
            f'<rect x="{layout.label_width}" y="{_number(bar_top)}" '
            f'width="{_number(length)}" height="{layout.bar_height}" fill="{BAR_COLOUR}"/>'
        )
        parts.append(_text(layout.label_width + length + 6, middle, bar.shown))
    parts.append("</svg>")
    return Markup("".join(parts))
