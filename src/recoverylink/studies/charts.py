"""Charts for study reports: matplotlib drawn to inline SVG (no files, no scripts)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

plt.rcParams.update({"font.family": "sans-serif", "font.size": 10, "svg.fonttype": "none"})


def _svg(fig: plt.Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    ylabel: str,
    lower: Sequence[float] | None = None,
    upper: Sequence[float] | None = None,
) -> str:
    """Vertical bars with optional error bars (lower/upper limits)."""
    fig, ax = plt.subplots(figsize=(7, 3.5))
    err = None
    if lower is not None and upper is not None:
        err = [
            [v - lo for v, lo in zip(values, lower, strict=True)],
            [up - v for v, up in zip(values, upper, strict=True)],
        ]
    ax.bar(list(labels), list(values), color="#1d70b8", yerr=err, capsize=3)
    ax.axhline(0, color="#0b0c0c", linewidth=0.8)
    ax.set_ylabel(ylabel)
    ax.tick_params(axis="x", labelrotation=20)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def step_chart(
    series: Mapping[str, tuple[Sequence[float], Sequence[float]]], xlabel: str, ylabel: str
) -> str:
    """Step lines (e.g. Kaplan-Meier curves): ``{name: (x, y)}``."""
    fig, ax = plt.subplots(figsize=(7, 3.8))
    for name, (x, y) in series.items():
        ax.step(list(x), list(y), where="post", label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)
