"""Bar charts as inline SVG geometry: the template draws the rectangles, no JavaScript and no style attributes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 320
HEIGHT = 160
LABEL_SPACE = 20
# Room above the tallest bar for its value, so every bar can say its number.
VALUE_SPACE = 10


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    label: str
    value: int
    text_x: int


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    baseline: int


def bar_chart(values: Sequence[tuple[str, int]], *, width: int = WIDTH, height: int = HEIGHT) -> BarChart:
    """Bars scaled to the largest value (a chart of zeros draws flat bars)."""
    plot = height - LABEL_SPACE
    top = max((value for _label, value in values), default=0) or 1
    slot = width // max(len(values), 1)
    bar_width = min(max(slot - 6, 2), 48)
    bars = []
    for index, (label, value) in enumerate(values):
        bar_height = round((plot - VALUE_SPACE) * max(value, 0) / top)
        x = index * slot + (slot - bar_width) // 2
        bars.append(Bar(x, plot - bar_height, bar_width, bar_height, label, value, x + bar_width // 2))
    return BarChart(width, height, bars, plot)
