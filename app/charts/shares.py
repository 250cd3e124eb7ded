"""Charts of shares (on time, satisfied) that show how many cases each
share is of: the sample size next to every bar and under every month, a
scale of 0–100 %, and thin samples greyed and marked instead of ranked —
one late answer of one is not "0 %" beside a unit of six hundred."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from matplotlib.patches import Patch

from .render import PALETTE, _figure, _wrap, empty

THIN = {"facecolor": "#d9d9d9", "edgecolor": "#999999", "hatch": "///"}


@dataclass
class Share:
    """One bar or one month: the share (None: nothing to count), of n cases."""

    label: str
    share: Optional[float]
    n: int
    thin: bool
    text: str  # the share as shown ("72,5 %", "—")


def share_bars(title: str, items: Sequence[Share], thin_note: str, axis: str, empty_message: str = ""):
    """Horizontal bars of shares on 0–100 %, each labelled with its n; thin
    samples hatched grey at the bottom, marked in their label and the legend."""
    if not items:
        return empty(title, empty_message)
    labels = [f"{i.label} (n={i.n})" for i in items]
    fig = _figure(9, max(3.5, 0.3 * len(items) + 1.9))
    ax = fig.add_subplot()
    for pos, item in enumerate(items):
        style = THIN if item.thin else {"color": PALETTE[0]}
        ax.barh(pos, item.share or 0, height=0.7, **style)
        ax.text(min(item.share or 0, 100) + 1, pos, item.text, va="center", fontsize=8,
                color="#777777" if item.thin else "#222222")
    ax.set_yticks(range(len(items)), labels, fontsize=9)
    for tick, item in zip(ax.get_yticklabels(), items):
        if item.thin:
            tick.set_color("#888888")
    ax.invert_yaxis()
    ax.set_xlim(0, 108)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel(axis)
    ax.grid(axis="x", alpha=0.3)
    if any(i.thin for i in items):
        fig.legend(handles=[Patch(**THIN, label=thin_note)], loc="outside lower center", fontsize=9, frameon=False)
    fig.suptitle(_wrap(title), fontsize=13)
    return fig


def share_months(title: str, months: Sequence[str], series: Sequence[tuple[str, Sequence[Share]]],
                 counts: tuple[str, Sequence[int]], thin_note: str, empty_message: str = ""):
    """Shares by month as lines on 0–100 %, the sample behind them as grey
    bars on a second axis, n under each month. A month with too few answers
    is a hollow grey point off the line; a month without any is a gap."""
    if not months:
        return empty(title, empty_message)
    fig = _figure(9, 5.2)
    ax = fig.add_subplot()
    ax2 = ax.twinx()
    ax2.bar(range(len(months)), counts[1], color="#cccccc", alpha=0.6, label=counts[0])
    ax2.set_ylabel(counts[0])
    ax.set_zorder(ax2.get_zorder() + 1)
    ax.patch.set_visible(False)
    any_thin = False
    for i, (name, items) in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        solid = [i_.share if i_.share is not None and not i_.thin else float("nan") for i_ in items]
        ax.plot(range(len(items)), solid, marker="o", color=colour, label=name)
        thin = [(j, it.share) for j, it in enumerate(items) if it.thin and it.share is not None]
        if thin:
            any_thin = True
            ax.scatter([j for j, _v in thin], [v for _j, v in thin], s=36, facecolors="white",
                       edgecolors="#999999", linewidths=1.2, zorder=3)
    ax.set_xticks(range(len(months)), [f"{m}\nn={n}" for m, n in zip(months, counts[1])], fontsize=8,
                  rotation=0 if len(months) <= 12 else 45)
    for tick, n in zip(ax.get_xticklabels(), counts[1]):
        if not n:
            tick.set_color("#999999")
    ax.set_ylim(0, 100)
    ax.set_ylabel("%")
    ax.grid(alpha=0.3)
    handles, names = ax.get_legend_handles_labels()
    more, more_names = ax2.get_legend_handles_labels()
    handles, names = handles + more, names + more_names
    if any_thin:
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor="#999999"))
        names.append(thin_note)
    fig.legend(handles, names, loc="outside lower center", ncols=2, fontsize=9, frameon=False)
    fig.suptitle(_wrap(title), fontsize=13)
    return fig
