"""Charts drawn on the server as inline SVG: the five-year trend and the funnel plot.

Every chart is an ``<svg role="img">`` named by its ``<title>`` and described
by its ``<desc>`` (the text description is also shown on the page), and the
page puts the data table beside it. Nothing relies on colour alone: the area
is a solid line with filled circles and England a dashed line with hollow
squares; on a funnel plot the area is a large diamond with its name written
beside it, the areas of a region are triangles, the 95% limits are dashed
and the 99.8% limits dotted, each named in the legend.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
HEIGHT = 300
LEFT, RIGHT, BOTTOM = 72, 24, 56

INK = "#0b0c0c"
GREY = "#505a5f"
LIGHT = "#b1b4b6"
BLUE = "#1d70b8"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering ``low`` to ``high``."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0, 1.0]
    if high <= low:
        high = low + 1.0
    raw = (high - low) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    tick = start
    while tick < high + step * 0.999:
        ticks.append(round(tick, 10))
        tick += step
    return ticks


def tick_label(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:g}"


def _num(value: float) -> str:
    return f"{value:.1f}"


@dataclass(frozen=True)
class TrendPoint:
    period: str
    value: float | None
    lower: float | None
    upper: float | None
    england: float | None


def trend_chart(
    chart_id: str,
    title: str,
    description: str,
    area_name: str,
    points: Sequence[TrendPoint],
    y_label: str,
    show_england: bool = True,
) -> Markup:
    """The area's value in each year with its 95% interval, and England's value."""
    numbers = [
        figure
        for point in points
        for figure in (point.value, point.lower, point.upper, point.england if show_england
                       else None)
        if figure is not None
    ]
    high = max(numbers, default=1.0)
    ticks = nice_ticks(0.0, high * 1.05 if high > 0 else 1.0)
    y_max = ticks[-1]
    legend = [
        (f'<circle cx="8" cy="0" r="5" fill="{BLUE}" stroke="{INK}"/>'
         f'<path d="M0 0h16" stroke="{BLUE}" stroke-width="2"/>',
         f"{area_name} (bars: 95% confidence interval)"),
    ]
    if show_england:
        legend.append(
            (f'<path d="M0 0h16" stroke="{GREY}" stroke-width="2" stroke-dasharray="6 4"/>'
             f'<rect x="4" y="-4" width="8" height="8" fill="#ffffff" stroke="{GREY}" '
             'stroke-width="2"/>', "England")
        )
    legend_parts, top = _legend(legend)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - top - BOTTOM
    n = max(len(points), 1)

    def x(index: int) -> float:
        return LEFT + plot_w * (index + 0.5) / n

    def y(figure: float) -> float:
        return top + plot_h * (1 - figure / y_max)

    parts = _open(chart_id, title, description)
    parts += _y_axis(ticks, y, y_label, top)
    for index, point in enumerate(points):
        parts.append(
            f'<text x="{_num(x(index))}" y="{HEIGHT - BOTTOM + 20}" text-anchor="middle" '
            f'class="rl-chart__tick">{escape(point.period)}</text>'
        )
    parts.append(
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 8}" text-anchor="middle" '
        'class="rl-chart__label">Financial year</text>'
    )
    if show_england:
        england = [(x(i), y(p.england)) for i, p in enumerate(points) if p.england is not None]
        if len(england) > 1:
            parts.append(_polyline(england, GREY, dash="6 4"))
        for px, py in england:
            parts.append(
                f'<rect x="{px - 4:.1f}" y="{py - 4:.1f}" width="8" height="8" fill="#ffffff" '
                f'stroke="{GREY}" stroke-width="2"/>'
            )
    own = [(i, p) for i, p in enumerate(points) if p.value is not None]
    for i, point in own:
        if point.lower is not None and point.upper is not None:
            px = x(i)
            parts.append(
                f'<path d="M{px:.1f} {y(point.lower):.1f}V{y(point.upper):.1f}'
                f'M{px - 6:.1f} {y(point.lower):.1f}h12M{px - 6:.1f} {y(point.upper):.1f}h12" '
                f'stroke="{INK}" stroke-width="1.5" fill="none"/>'
            )
    if len(own) > 1:
        parts.append(_polyline([(x(i), y(p.value or 0.0)) for i, p in own], BLUE, dash=None))
    for i, point in own:
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(point.value or 0.0):.1f}" r="5" fill="{BLUE}" '
            f'stroke="{INK}" stroke-width="1"/>'
        )
    parts += legend_parts
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class FunnelPoint:
    name: str
    denominator: float
    value: float
    highlight: bool = False
    """The area the page is about: a large labelled diamond."""
    member: bool = False
    """One of the local authorities of the region the page is about: a triangle."""


def funnel_chart(
    chart_id: str,
    title: str,
    description: str,
    points: Sequence[FunnelPoint],
    lines: Mapping[str, Sequence[tuple[float, float]]],
    england_value: float | None,
    x_label: str,
    y_label: str,
    highlight_label: str | None = None,
    member_label: str | None = None,
) -> Markup:
    """Local authorities' values against their denominators, inside the funnel limits."""
    # the axes frame the points and England's value; the limits are clipped to them (near a
    # denominator of 0 they run off towards infinity)
    xs = [p.denominator for p in points]
    ys = [p.value for p in points]
    if england_value is not None:
        ys.append(england_value)
    if not points:
        xs += [d for line in lines.values() for d, _ in line]
        ys += [v for line in lines.values() for _, v in line]
    x_ticks = nice_ticks(0.0, max(xs, default=1.0) or 1.0)
    floor = 0.0 if all(p.value >= 0 for p in points) else None
    y_low = min(ys, default=0.0) if floor is None else max(floor, min(ys, default=0.0))
    y_high = max(ys, default=1.0)
    pad = (y_high - y_low) * 0.05 or 1.0
    y_ticks = nice_ticks(y_low - pad if floor is None else max(floor, y_low - pad), y_high + pad)
    x_max, y_min, y_max = x_ticks[-1], y_ticks[0], y_ticks[-1]
    ordinary = [p for p in points if not (p.highlight or p.member)]
    members = [p for p in points if p.member and not p.highlight]
    chosen = [p for p in points if p.highlight]
    legend_parts, top = _legend(_funnel_legend(chosen, members, highlight_label, member_label))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - top - BOTTOM

    def x(figure: float) -> float:
        return LEFT + plot_w * figure / x_max

    def y(figure: float) -> float:
        return top + plot_h * (1 - (figure - y_min) / (y_max - y_min))

    parts = _open(chart_id, title, description)
    parts += _y_axis(y_ticks, y, y_label, top)
    for tick in x_ticks:
        parts.append(
            f'<text x="{x(tick):.1f}" y="{HEIGHT - BOTTOM + 20}" text-anchor="middle" '
            f'class="rl-chart__tick">{tick_label(tick)}</text>'
        )
    parts.append(
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 8}" text-anchor="middle" '
        f'class="rl-chart__label">{escape(x_label)}</text>'
    )
    styles = {"95": "6 4", "99_8": "2 3"}
    for name, line in sorted(lines.items()):
        level = "99_8" if name.endswith("99_8") else "95"
        if len(line) > 1:
            clipped = [(x(d), y(v)) for d, v in line if d <= x_max and y_min <= v <= y_max]
            parts.append(_polyline(clipped, GREY, dash=styles[level]))
    if england_value is not None:
        parts.append(
            f'<path d="M{LEFT} {y(england_value):.1f}H{WIDTH - RIGHT}" stroke="{INK}" '
            'stroke-width="1.5"/>'
        )
    for point in ordinary:
        parts.append(
            f'<circle cx="{x(point.denominator):.1f}" cy="{y(point.value):.1f}" r="3.5" '
            f'fill="{LIGHT}" stroke="{GREY}" stroke-width="1"/>'
        )
    for point in members:
        parts.append(_triangle(x(point.denominator), y(point.value)))
    for point in chosen:
        px, py = x(point.denominator), y(point.value)
        parts.append(
            f'<path d="M{px:.1f} {py - 9:.1f}L{px + 9:.1f} {py:.1f}L{px:.1f} {py + 9:.1f}'
            f'L{px - 9:.1f} {py:.1f}Z" fill="{BLUE}" stroke="{INK}" stroke-width="2"/>'
        )
        anchor, dx = ("end", -12) if px > LEFT + plot_w * 0.7 else ("start", 12)
        parts.append(
            f'<text x="{px + dx:.1f}" y="{py + 4:.1f}" text-anchor="{anchor}" '
            f'class="rl-chart__callout">{escape(point.name)}</text>'
        )
    parts += legend_parts
    parts.append("</svg>")
    return Markup("".join(parts))


def _funnel_legend(
    chosen: Sequence[FunnelPoint],
    members: Sequence[FunnelPoint],
    highlight_label: str | None,
    member_label: str | None,
) -> list[tuple[str, str]]:
    legend = []
    if chosen:
        legend.append(
            ('<path d="M8 -7L15 0L8 7L1 0Z" fill="' + BLUE + '" stroke="' + INK + '"/>',
             highlight_label or chosen[0].name)
        )
    if members:
        legend.append(
            (_triangle(8, 0, size=6), member_label or "Local authorities in this region")
        )
    legend.append(
        (f'<circle cx="8" cy="0" r="3.5" fill="{LIGHT}" stroke="{GREY}"/>',
         "Other local authorities" if (chosen or members) else "Local authorities")
    )
    legend.append((f'<path d="M0 0h16" stroke="{INK}" stroke-width="1.5"/>', "England"))
    legend.append(
        (f'<path d="M0 0h16" stroke="{GREY}" stroke-width="2" stroke-dasharray="6 4"/>',
         "95% limits")
    )
    legend.append(
        (f'<path d="M0 0h16" stroke="{GREY}" stroke-width="2" stroke-dasharray="2 3"/>',
         "99.8% limits")
    )
    return legend


def _open(chart_id: str, title: str, description: str) -> list[str]:
    cid = escape(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="rl-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{cid}-title {cid}-desc" focusable="false">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]


def _y_axis(
    ticks: Sequence[float], y: Callable[[float], float], label: str, top: float
) -> list[str]:
    parts = []
    for tick in ticks:
        py = y(tick)
        parts.append(
            f'<path d="M{LEFT} {py:.1f}H{WIDTH - RIGHT}" stroke="#e0e0e0" stroke-width="1"/>'
            f'<text x="{LEFT - 8}" y="{py + 4:.1f}" text-anchor="end" class="rl-chart__tick">'
            f"{tick_label(tick)}</text>"
        )
    parts.append(
        f'<path d="M{LEFT} {top:.1f}V{HEIGHT - BOTTOM}H{WIDTH - RIGHT}" stroke="{INK}" '
        'stroke-width="1" fill="none"/>'
    )
    middle = top + (HEIGHT - top - BOTTOM) / 2
    parts.append(
        f'<text transform="translate(16 {middle:.1f}) rotate(-90)" text-anchor="middle" '
        f'class="rl-chart__label">{escape(label)}</text>'
    )
    return parts


def _polyline(points: Sequence[tuple[float, float]], colour: str, dash: str | None) -> str:
    coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"{dashed}/>'
    )


def _triangle(px: float, py: float, size: float = 6.5) -> str:
    return (
        f'<path d="M{px:.1f} {py - size:.1f}L{px + size:.1f} {py + size * 0.8:.1f}'
        f'L{px - size:.1f} {py + size * 0.8:.1f}Z" fill="{INK}" stroke="{INK}" stroke-width="1"/>'
    )


def _legend(items: Sequence[tuple[str, str]]) -> tuple[list[str], float]:
    """Legend entries along the top: a sample of each mark and its name; and the plot's top."""
    parts = ['<g class="rl-chart__legend">']
    px, py = 8.0, 14.0
    for sample, text in items:
        width = 24 + 7.0 * len(text) + 18
        if px + width > WIDTH - 8 and px > 8:
            px, py = 8.0, py + 20
        parts.append(
            f'<g transform="translate({px:.1f} {py:.1f})">{sample}'
            f'<text x="22" y="4" class="rl-chart__tick">{escape(text)}</text></g>'
        )
        px += width
    parts.append("</g>")
    return parts, py + 26
