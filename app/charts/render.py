"""Charts as matplotlib ``Figure`` objects (never pyplot: no global state,
thread-safe in a web worker), rendered to PNG or SVG bytes. DejaVu Sans —
shipped inside matplotlib — has every Kazakh letter; nothing is fetched.

Every chart lays itself out (constrained layout): tick labels are wrapped,
never cut off by the figure's edge, and a legend stands outside the axes,
never over a bar or a point. SVG keeps its text as text (selectable,
searchable, read by screen readers), not as glyph outlines."""
from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from typing import Optional

import matplotlib

matplotlib.use("Agg")  # no display, ever
matplotlib.rcParams["svg.fonttype"] = "none"  # <text> elements in SVG, not glyph paths
from matplotlib import colormaps  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

FONT = {"family": "DejaVu Sans"}
PALETTE = ["#2c7fb8", "#d95f0e", "#31a354", "#756bb1", "#636363", "#e6550d", "#3182bd"]


def _wrap(title: str, width: int = 60) -> str:
    """Long titles (Kazakh ones are long) go on two lines instead of being clipped."""
    return "\n".join(textwrap.wrap(title, width)) or title


def _tick(label, horizontal: bool) -> str:
    """A tick label on lines of its own instead of running past the figure's
    edge: up to 52 characters a line beside a horizontal bar (the catalogue
    shortens names to 50, so only longer labels wrap), 18 under a column;
    lines the caller already broke stay as they are."""
    width = 52 if horizontal else 18
    return "\n".join(textwrap.fill(part, width, break_on_hyphens=False) or part for part in str(label).split("\n"))


def _figure(width: float = 9, height: float = 4.8) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig


def to_bytes(fig: Figure, fmt: str, dpi: float | None = None) -> bytes:
    """PNG or SVG bytes; ``dpi`` for a sharper PNG (the report's print)."""
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi or "figure", metadata={"Software": None} if fmt == "png" else None)
    return buf.getvalue()


def _legend(fig: Figure, handles=None, labels=None) -> None:
    """The legend under the axes and their tick labels, in one row if it fits:
    outside the plot, so it never hides a bar or a point."""
    if handles is None:
        handles, labels = fig.axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(handles), 3), fontsize=9, frameon=False)


def empty(title: str, message: str) -> Figure:
    fig = _figure(8, 3)
    ax = fig.add_subplot()
    ax.set_axis_off()
    fig.suptitle(_wrap(title), fontsize=13)
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=14, color="#777", fontdict=FONT,
            transform=ax.transAxes)
    return fig


def bars(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    ylabel: str = "",
    horizontal: bool = False,
    stacked: bool = False,
    empty_message: str = "",
) -> Figure:
    if not labels or not any(any(v for v in vals) for _, vals in series):
        return empty(title, empty_message)
    labels = [_tick(x, horizontal) for x in labels]
    lines_of = [x.count("\n") + 1 for x in labels]
    height = max(4.0, sum(0.17 + 0.15 * n for n in lines_of) + 1.8) if horizontal else 4.8 + 0.15 * max(lines_of)
    fig = _figure(9, height)
    ax = fig.add_subplot()
    n = len(series)
    positions = list(range(len(labels)))
    width = 0.8 if stacked or n == 1 else 0.8 / n
    bottom = [0.0] * len(labels)
    for i, (name, values) in enumerate(series):
        values = [v or 0 for v in values]
        offs = positions if stacked or n == 1 else [p - 0.4 + width * (i + 0.5) for p in positions]
        color = PALETTE[i % len(PALETTE)]
        if horizontal:
            ax.barh(offs, values, height=width, left=bottom if stacked else None, label=name, color=color)
        else:
            ax.bar(offs, values, width=width, bottom=bottom if stacked else None, label=name, color=color)
        if stacked:
            bottom = [b + v for b, v in zip(bottom, values)]
    if horizontal:
        ax.set_yticks(positions, labels, fontsize=9)
        ax.invert_yaxis()
        ax.set_xlabel(ylabel)
    else:
        widest = max(len(line) for x in labels for line in x.split("\n"))
        ax.set_xticks(positions, labels, rotation=30 if widest > 8 else 0, ha="right" if widest > 8 else "center",
                      rotation_mode="anchor", fontsize=9)
        ax.set_ylabel(ylabel)
    fig.suptitle(_wrap(title), fontsize=13)
    if n > 1:
        _legend(fig)
    ax.grid(axis="x" if horizontal else "y", alpha=0.3)
    return fig


def lines(
    title: str,
    x: Sequence[str],
    series: Sequence[tuple[str, Sequence[Optional[float]]]],
    ylabel: str = "",
    bars_series: Optional[tuple[str, Sequence[float]]] = None,
    empty_message: str = "",
) -> Figure:
    if not x:
        return empty(title, empty_message)
    fig = _figure()
    ax = fig.add_subplot()
    ax2 = None
    if bars_series is not None:
        ax2 = ax.twinx()
        ax2.bar(range(len(x)), bars_series[1], color="#cccccc", alpha=0.6, label=bars_series[0])
        ax2.set_ylabel(bars_series[0])
        ax.set_zorder(ax2.get_zorder() + 1)
        ax.patch.set_visible(False)
    for i, (name, values) in enumerate(series):
        pts = [(j, v) for j, v in enumerate(values) if v is not None]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=name, color=PALETTE[i % len(PALETTE)])
    ax.set_xticks(range(len(x)), x, rotation=30, ha="right", fontsize=9)
    if ylabel == "%":
        ax.set_ylim(0, 100)
    ax.set_ylabel(ylabel)
    fig.suptitle(_wrap(title), fontsize=13)
    handles, names = ax.get_legend_handles_labels()
    if ax2 is not None:
        more, more_names = ax2.get_legend_handles_labels()
        handles, names = handles + more, names + more_names
    if handles:
        _legend(fig, handles, names)
    ax.grid(alpha=0.3)
    return fig


def heat(title: str, rows: Sequence[str], cols: Sequence[str], matrix: Sequence[Sequence[float]],
         empty_message: str = "") -> Figure:
    if not rows or not cols or not any(any(r) for r in matrix):
        return empty(title, empty_message)
    fig = _figure(max(9, 0.9 * len(cols) + 3), max(4, 0.45 * len(rows) + 2))
    ax = fig.add_subplot()
    top = max(max(r) for r in matrix) or 1
    im = ax.imshow(matrix, cmap=colormaps["YlOrRd"], aspect="auto", vmin=0, vmax=top)
    ax.set_xticks(range(len(cols)), cols, rotation=35, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)), rows, fontsize=9)
    for i, row in enumerate(matrix):
        for j, v in enumerate(row):
            if v:
                ax.text(j, i, f"{v:g}", ha="center", va="center", fontsize=8,
                        color="white" if v > top * 0.6 else "black")
    fig.colorbar(im, ax=ax, shrink=0.8)
    fig.suptitle(_wrap(title), fontsize=13)
    return fig
