"""Chart geometry for server-rendered SVG: bars (one or two series side by side), a value axis
and an optional reference line. Pure arithmetic; templates/merchant/reports/_chart.html draws
it with classes (the content security policy allows no inline styles)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from memberportal.reports.rules import nice_ceiling

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 12, 36
TICKS = 4
MAX_LABELS = 8


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    series: int
    title: str  # "2026-06, this period: 120": read by screen readers and shown on hover


@dataclass(frozen=True)
class Tick:
    y: int
    text: str


@dataclass(frozen=True)
class Label:
    x: int
    text: str


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    series: list[str]
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[Label]
    line: Tick | None  # a reference line (the healthy redemption rate)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    base: int = HEIGHT - BOTTOM


def bar_chart(
    key: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int | None]]],
    fmt: Callable[[int], str] = str,
    reference: tuple[int, str] | None = None,
) -> Chart:
    """Bars for each label, one per series, scaled to a rounded top (at least the reference)."""
    values = [v for _name, vs in series for v in vs if v is not None]
    top = nice_ceiling(max([*values, reference[0] if reference else 0, 0]))
    plot_w, plot_h, base = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM, HEIGHT - BOTTOM
    slot = plot_w // max(len(labels), 1)
    bar_w = max((slot * 3 // 4) // max(len(series), 1), 1)
    pad = (slot - bar_w * len(series)) // 2

    def y_of(v: int) -> int:
        return base - v * plot_h // top

    bars = []
    for s, (name, vs) in enumerate(series):
        for i, v in enumerate(vs):
            if v is None:
                continue
            x = LEFT + i * slot + pad + s * bar_w
            said = f"{labels[i]}, {name}: {fmt(v)}"
            bars.append(Bar(x, y_of(max(v, 0)), bar_w, base - y_of(max(v, 0)), s, said))
    ticks = [Tick(y_of(top * t // TICKS), fmt(top * t // TICKS)) for t in range(TICKS + 1)]
    # More than 8 labels do not fit side by side: every other one, ending with the last.
    step = 2 if len(labels) > MAX_LABELS else 1
    label_x = [
        Label(LEFT + i * slot + slot // 2, text)
        for i, text in enumerate(labels)
        if (len(labels) - 1 - i) % step == 0
    ]
    line = Tick(y_of(reference[0]), reference[1]) if reference else None
    names = [name for name, _vs in series]
    return Chart(key, title, description, names, bars, ticks, label_x, line)
