"""R40: the charts of the quarterly report's PDF, each with the line of
figures printed under it (its totals), in the language of the report."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from app.labels import label
from app.services import analytics as A
from app.services.clock import today

from . import render
from .catalog import _fmt, chart_compliance_month, chart_map, chart_satisfaction_month, charts

PRINT_DPI = 200
"""Sharp enough on paper; a chart stays ~150 KB."""


@dataclass
class ChartBlock:
    """A chart as printed: its PNG and the figures under it (label, value)."""

    png: bytes
    totals: list[tuple[str, str]]


def _share(part: int, whole: int) -> str:
    return _fmt(round(100.0 * part / whole, 1)) if whole else "—"


# The figures come from the analytics themselves, not from the charts' tables
# (those are formatted for the screen).
def _map_totals(f: A.Filters) -> list[tuple[str, str]]:
    rows = A.district_counts(f)
    rated = [(r["district"].name, r["per_10k"]) for r in rows if r["per_10k"] is not None and r["total"]]
    out = [(_("Appeals"), _fmt(sum(r["total"] for r in rows)))]
    if rated:
        high, low = max(rated, key=lambda r: r[1]), min(rated, key=lambda r: r[1])
        out += [(_("Highest per 10,000 residents"), f"{high[0]} ({_fmt(high[1])})"),
                (_("Lowest per 10,000 residents"), f"{low[0]} ({_fmt(low[1])})")]
    return out


def _compliance_totals(f: A.Filters) -> list[tuple[str, str]]:
    rows = A.compliance_by_month(f, today())
    ok, late, pending = (sum(r[k] for r in rows) for k in ("on_time", "late", "pending"))
    return [(_("On time"), _fmt(ok)), (_("Late"), _fmt(late)), (_("Term still running"), _fmt(pending)),
            (_("On time, %"), _share(ok, ok + late))]


def _channel_totals(f: A.Filters) -> list[tuple[str, str]]:
    rows = A.volume(f, "channel")
    out = [(_("Appeals"), _fmt(sum(n for _k, n in rows)))]
    if rows:
        key, n = max(rows, key=lambda r: r[1])
        out.append((_("Most often"), f"{label(key)} ({_fmt(n)})"))
    return out


def _satisfaction_totals(f: A.Filters) -> list[tuple[str, str]]:
    rows = A.satisfaction_by_month(f)
    calls, reached, answered = (sum(r[k] for r in rows) for k in ("calls", "reached", "answered"))
    satisfied = sum(round((r["satisfied_share"] or 0) * r["answered"] / 100) for r in rows)
    return [(_("Calls"), _fmt(calls)), (_("Reached"), _fmt(reached)), (_("Answered"), _fmt(answered)),
            (_("Satisfied, %"), _share(satisfied, answered))]


def quarterly(f: A.Filters) -> list[ChartBlock]:
    """The problem map (M7.2), the terms (R29, R30), the channels (R4) and
    satisfaction (R38) — two a page in the PDF, each with its totals."""
    specs = [(chart_map, _map_totals), (chart_compliance_month, _compliance_totals),
             (charts()["volume_channel"][1], _channel_totals), (chart_satisfaction_month, _satisfaction_totals)]
    return [ChartBlock(render.to_bytes(build(f)[0], "png", dpi=PRINT_DPI), totals(f)) for build, totals in specs]
