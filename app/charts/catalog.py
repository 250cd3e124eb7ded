"""Every chart of the dashboard: name → (figure, data table), from the SQL
aggregates of ``app.services.analytics``; titles and labels in the UI language."""
from __future__ import annotations

import os
from collections.abc import Callable

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _

from app.labels import label
from app.services import analytics as A
from app.services.clock import today

from . import render

MIN_ANSWERS_DEFAULT = 5


def _no_data() -> str:
    return _("No data for the chosen period and filters")


def _short(text, n: int) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return format_decimal(v)
    return str(v)


def chart_map(f: A.Filters, measure: str = "per_10k"):
    rows = A.district_counts(f)
    per_capita = measure != "count"
    legend = _("Appeals per 10,000 residents") if per_capita else _("Appeals")
    year = next((r["district"].population_year for r in rows if r["district"].population_year), None)
    title = _("Problem map: appeals by district (M7.2)")
    if per_capita and year:
        title += " — " + _("population of %(year)s", year=year)
    table = A.Table([_("KATO code"), _("District"), _("Appeals"), _("Per 10,000 residents")],
                    [[r["district"].kato, r["district"].name, r["total"], r["per_10k"]] for r in rows])
    values = {r["district"].kato: (r["district"].name, r["per_10k"] if per_capita else r["total"],
                                   _fmt(r["per_10k"] if per_capita else r["total"])) for r in rows}
    if not any(r["total"] for r in rows):
        return render.empty(title, _no_data()), table
    path = current_app.config.get("DISTRICTS_GEOJSON")
    if path and os.path.exists(path):
        return render.geo_map(title, render.load_geojson(path), values, legend), table
    items = [(r["district"].name, r["district"].lat, r["district"].lon, values[r["district"].kato][1],
              values[r["district"].kato][2]) for r in rows]
    return render.tile_map(title, items, legend), table


def chart_heatmap(f: A.Filters):
    districts, sections, counts = A.heatmap(f)
    matrix = [[counts.get((d.id, s.code), 0) for s in sections] for d in districts]
    title = _("Appeals by district and topic section (M7.1)")
    table = A.Table([_("District")] + [s.code for s in sections],
                    [[d.name] + row for d, row in zip(districts, matrix)])
    return render.heat(title, [d.name for d in districts], [_short(f"{s.code} {s.name}", 28) for s in sections], matrix,
                       _no_data()), table


def chart_rising(f: A.Filters):
    rows = A.rising_topics(f)
    title = _("Topics rising fastest against the previous period")
    table = A.Table([_("District"), _("Category"), _("Now"), _("Before"), _("Growth")],
                    [[r["district"].name, str(r["category"]), r["now"], r["before"], r["growth"]] for r in rows])
    labels = [_short(f"{r['district'].name}: {r['category'].name}", 60) for r in rows[:20]]
    return render.bars(title, labels, [(_("Growth"), [r["growth"] for r in rows[:20]])], _("Appeals"),
                       horizontal=True, empty_message=_no_data()), table


def chart_satisfaction_month(f: A.Filters):
    rows = A.satisfaction_by_month(f)
    title = _("Satisfaction by month (R38)")
    table = A.Table([_("Month"), _("Calls"), _("Reached"), _("Answered"), _("Satisfied, %"), _("Mean score"),
                     _("Response rate, %")],
                    [[r["key"], r["calls"], r["reached"], r["answered"], r["satisfied_share"], r["mean"],
                      r["response_rate"]] for r in rows])
    return render.lines(title, [r["key"] for r in rows],
                        [(_("Satisfied, %"), [r["satisfied_share"] for r in rows]),
                         (_("Response rate, %"), [r["response_rate"] for r in rows])],
                        "%", bars_series=(_("Answered"), [r["answered"] for r in rows]),
                        empty_message=_no_data()), table


def chart_satisfaction_district(f: A.Filters):
    rows = A.satisfaction_by_district(f)
    title = _("Satisfaction by district (R38)")
    table = A.Table([_("District"), _("Answered"), _("Satisfied, %"), _("Mean score")],
                    [[r["key"].name, r["answered"], r["satisfied_share"], r["mean"]] for r in rows])
    labels = [f"{r['key'].name} (n={r['answered']})" for r in rows]
    return render.bars(title, labels, [(_("Satisfied, %"), [r["satisfied_share"] for r in rows])], "%",
                       horizontal=True, empty_message=_no_data()), table


def chart_satisfaction_department(f: A.Filters):
    minimum = int(current_app.config.get("SATISFACTION_MIN_ANSWERS", MIN_ANSWERS_DEFAULT))
    rows = A.satisfaction_by_department(f, minimum)
    title = _("Satisfaction by department (at least %(n)s answers to be ranked)", n=minimum)
    table = A.Table([_("Department"), _("Answered"), _("Satisfied, %"), _("Mean score"), _("Ranked")],
                    [[str(r["key"]), r["answered"], r["satisfied_share"], r["mean"],
                      _("Yes") if r["ranked"] else _("No")] for r in rows])
    ranked = [r for r in rows if r["ranked"]]
    return render.bars(title, [f"{_short(r['key'], 45)} (n={r['answered']})" for r in ranked],
                       [(_("Satisfied, %"), [r["satisfied_share"] for r in ranked])], "%", horizontal=True,
                       empty_message=_no_data()), table


def chart_compliance_month(f: A.Filters):
    rows = A.compliance_by_month(f, today())
    title = _("Answers on time and late by month of registration (R29, R30)")
    table = A.Table([_("Month"), _("On time"), _("Late (incl. still open past the term)"), _("Term still running"),
                     _("On time, %")],
                    [[r["key"], r["on_time"], r["late"], r["pending"], r["on_time_share"]] for r in rows])
    return render.bars(title, [r["key"] for r in rows],
                       [(_("On time"), [r["on_time"] for r in rows]), (_("Late"), [r["late"] for r in rows]),
                        (_("Term still running"), [r["pending"] for r in rows])],
                       _("Appeals"), stacked=True, empty_message=_no_data()), table


def chart_compliance_department(f: A.Filters):
    rows = A.compliance_by_department(f, today())
    title = _("Answers on time and late by department")
    table = A.Table([_("Department"), _("On time"), _("Late"), _("Overdue now"), _("On time, %")],
                    [[str(r["key"]), r["on_time"], r["late"], r["overdue_now"], r["on_time_share"]] for r in rows])
    top = rows[:20]
    return render.bars(title, [_short(r["key"], 50) for r in top],
                       [(_("On time"), [r["on_time"] for r in top]), (_("Late"), [r["late"] for r in top])],
                       _("Appeals"), horizontal=True, stacked=True, empty_message=_no_data()), table


def chart_outcomes(f: A.Filters):
    data = A.outcomes(f)
    rows = ([[_("Extension"), rule, n] for rule, n in data["extensions"]]
            + [[_("Refusal"), label(g), n] for g, n in data["refusals"]]
            + [[_("Ending"), label(s), n] for s, n in data["ends"]])
    title = _("Extensions by kind, refusals by ground, returns (R15, R30)")
    table = A.Table([_("Kind"), _("Item"), _("Appeals")], rows)
    return render.bars(title, [_short(f"{k}: {i}", 70) for k, i, _n in rows], [(_("Appeals"), [n for *_x, n in rows])],
                       _("Appeals"), horizontal=True, empty_message=_no_data()), table


def _volume(by: str, title: str, key_title: str):
    def build(f: A.Filters):
        rows = A.volume(f, by)
        names = [label(k) if by == "channel" else str(k) for k, _n in rows]
        table = A.Table([key_title, _("Appeals")], [[nm, n] for nm, (_k, n) in zip(names, rows)])
        return render.bars(title, [_short(n, 50) for n in names], [(_("Appeals"), [n for _k, n in rows])], _("Appeals"),
                           horizontal=by in ("section", "place", "channel"), empty_message=_no_data()), table

    return build


def charts() -> dict[str, tuple[Callable[[], str], Callable]]:
    """name → (title getter, builder); built per request so titles translate."""
    return {
        "map": (lambda: _("Problem map"), chart_map),
        "heatmap": (lambda: _("District × topic"), chart_heatmap),
        "rising": (lambda: _("Rising topics"), chart_rising),
        "satisfaction_month": (lambda: _("Satisfaction by month"), chart_satisfaction_month),
        "satisfaction_district": (lambda: _("Satisfaction by district"), chart_satisfaction_district),
        "satisfaction_department": (lambda: _("Satisfaction by department"), chart_satisfaction_department),
        "compliance_month": (lambda: _("Deadline compliance by month"), chart_compliance_month),
        "compliance_department": (lambda: _("Deadline compliance by department"), chart_compliance_department),
        "outcomes": (lambda: _("Extensions, refusals, returns"), chart_outcomes),
        "volume_channel": (lambda: _("Appeals by channel"),
                           _volume("channel", _("Appeals by channel (R4)"), _("Channel"))),
        "volume_section": (lambda: _("Appeals by topic section"),
                           _volume("section", _("Appeals by topic section"), _("Section"))),
        "volume_month": (lambda: _("Appeals by month"), _volume("month", _("Appeals by month"), _("Month"))),
        "volume_place": (lambda: _("Appeals by reception place"),
                         _volume("place", _("Appeals by reception place"), _("Reception place"))),
    }
