"""Every chart of the dashboard: name → (figure, data table), from the SQL
aggregates of ``app.services.analytics``; titles, labels, months and
numbers in the UI language, never a raw code. Each table says what its
figures count (``Table.links``: drill-down criteria the dashboard turns into
links to the appeal or call list filtered the same way)."""
from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date

from flask import current_app
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _

from app.labels import label
from app.services import analytics as A
from app.services.clock import today

from . import maps, render, shares

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


def _pct(v) -> str:
    return "—" if v is None else f"{format_decimal(v)} %"


def min_sample() -> int:
    """Below this many cases a share is shown greyed, not compared (``SATISFACTION_MIN_ANSWERS``)."""
    return int(current_app.config.get("SATISFACTION_MIN_ANSWERS", MIN_ANSWERS_DEFAULT))


def month_label(key: str, long: bool = False) -> str:
    """'2025-12' → 'дек. 2025' (or 'декабрь 2025'), in the UI language."""
    try:
        day = date(int(key[:4]), int(key[5:7]), 1)
    except (TypeError, ValueError):
        return str(key)
    return format_date(day, "LLLL yyyy" if long else "LLL yyyy")


def month_ticks(keys: list[str]) -> list[str]:
    """Short month labels for an axis: the year only under its first month
    and under each January ('дек.\n2025', 'янв.\n2026', 'февр.', …)."""
    out = []
    for i, key in enumerate(keys):
        try:
            day = date(int(key[:4]), int(key[5:7]), 1)
        except (TypeError, ValueError):
            out.append(str(key))
            continue
        out.append(format_date(day, "LLL") + (f"\n{day.year}" if i == 0 or day.month == 1 else ""))
    return out


SUFFIXES = (" ауданы", " район", " district")


def district_label(name: str) -> str:
    """A district's name short enough for its tile: 'Аксуский район' →
    'Аксуский', 'Ақсу ауданы' → 'Ақсу', 'Текелі қаласы' → 'Текелі қ.'
    ('г. Текели' stays: it is short and says it is a city)."""
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    if name.endswith(" қаласы"):
        return name[: -len(" қаласы")] + " қ."
    return name


def _thin_note(n: int) -> str:
    return _("fewer than %(n)s cases: too few to compare", n=n)


# --- M7.2: the problem map -------------------------------------------------------
def chart_map(f: A.Filters, measure: str = "per_10k", draw: bool = True):
    rows = A.district_counts(f)
    per_capita = measure != "count"
    legend = _("Appeals per 10,000 residents") if per_capita else _("Appeals")
    year = next((r["district"].population_year for r in rows if r["district"].population_year), None)
    title = _("Problem map: appeals by district (M7.2)")
    if per_capita and year:
        title += " — " + _("population of %(year)s", year=year)
    shown = [r for r in rows if r["in_filter"]]
    table = A.Table([_("KATO code"), _("District"), _("Appeals"), _("Per 10,000 residents")],
                    [[r["district"].kato, r["district"].name, r["total"], r["per_10k"]] for r in shown],
                    links=[[None, {"district": r["district"].id}, {"district": r["district"].id}, None] for r in shown])
    if not draw:
        return None, table
    if not any(r["total"] for r in shown):
        return render.empty(title, _no_data()), table
    places = []
    for r in rows:
        d, value = r["district"], (r["per_10k"] if per_capita else r["total"])
        places.append(maps.Place(
            d.kato, district_label(d.name), d.name, d.lat, d.lon, value if r["in_filter"] else None,
            _fmt(value) if r["in_filter"] else "", r["in_filter"], {"district": d.id} if r["in_filter"] else None))
    notes = maps.Notes(legend, _("Not in the filter"), _("No population figure"), _no_data())
    path = current_app.config.get("DISTRICTS_GEOJSON")
    if path and os.path.exists(path):
        fig, areas = maps.geo_map(title, maps.load_geojson(path), {p.kato: p for p in places}, notes)
    else:
        fig, areas = maps.tile_map(title, places, notes)
    table.areas, table.size = areas, (int(fig.bbox.width), int(fig.bbox.height))
    return fig, table


def chart_heatmap(f: A.Filters, draw: bool = True):
    districts, sections, counts = A.heatmap(f)
    matrix = [[counts.get((d.id, s.code), 0) for s in sections] for d in districts]
    title = _("Appeals by district and topic section (M7.1)")
    table = A.Table([_("District")] + [f"{s.code} {s.name}" for s in sections],
                    [[d.name] + row for d, row in zip(districts, matrix)],
                    links=[[{"district": d.id}] + [{"district": d.id, "section": s.id} for s in sections]
                           for d in districts])
    if not draw:
        return None, table
    return render.heat(title, [d.name for d in districts], [_short(f"{s.code} {s.name}", 28) for s in sections], matrix,
                       _no_data()), table


def chart_rising(f: A.Filters, draw: bool = True):
    rows = A.rising_topics(f)
    title = _("Topics rising fastest against the previous period")
    table = A.Table([_("District"), _("Category"), _("Now"), _("Before"), _("Growth")],
                    [[r["district"].name, str(r["category"]), r["now"], r["before"], r["growth"]] for r in rows],
                    links=[[None, None, {"district": r["district"].id, "category": r["category"].id}, None, None]
                           for r in rows])
    if not draw:
        return None, table
    labels = [_short(f"{r['district'].name}: {r['category'].name}", 60) for r in rows[:20]]
    return render.bars(title, labels, [(_("Growth"), [r["growth"] for r in rows[:20]])], _("Appeals"),
                       horizontal=True, empty_message=_no_data()), table


# --- R38: satisfaction -------------------------------------------------------------
def _calls(**criteria) -> dict:
    return {"target": "calls", **criteria}


def chart_satisfaction_month(f: A.Filters, draw: bool = True):
    rows, least = A.satisfaction_by_month(f), min_sample()
    title = _("Satisfaction by month (R38)")
    table = A.Table([_("Month"), _("Calls"), _("Reached"), _("Answered"), _("Satisfied, %"), _("Mean score"),
                     _("Response rate, %")],
                    [[month_label(r["key"], long=True), r["calls"], r["reached"], r["answered"], r["satisfied_share"],
                      r["mean"], r["response_rate"]] for r in rows],
                    links=[[None, _calls(month=r["key"]), None, _calls(month=r["key"], answer="answered"), None, None,
                            None] for r in rows],
                    thin=[r["answered"] < least for r in rows])
    if not draw:
        return None, table
    satisfied = [shares.Share(r["key"], r["satisfied_share"], r["answered"], r["answered"] < least,
                              _pct(r["satisfied_share"])) for r in rows]
    reached = [shares.Share(r["key"], r["response_rate"], r["calls"], r["calls"] < least, _pct(r["response_rate"]))
               for r in rows]
    fig = shares.share_months(title, month_ticks([r["key"] for r in rows]),
                              [(_("Satisfied, %"), satisfied), (_("Response rate, %"), reached)],
                              (_("Answered"), [r["answered"] for r in rows]), _thin_note(least), _no_data())
    return fig, table


def _share_table(rows, least: int, key_title: str, name, link):
    return A.Table([key_title, _("Answered"), _("Satisfied, %"), _("Mean score")],
                   [[name(r), r["answered"], r["satisfied_share"], r["mean"]] for r in rows],
                   links=[[None, _calls(answer="answered", **link(r)), None, None] for r in rows],
                   thin=[r["answered"] < least for r in rows])


def _share_items(rows, least: int, name, share="satisfied_share", n="answered"):
    return [shares.Share(name(r), r[share], r[n], r[n] < least, _pct(r[share])) for r in rows]


def chart_satisfaction_district(f: A.Filters, draw: bool = True):
    rows, least = A.satisfaction_by_district(f), min_sample()
    title = _("Satisfaction by district (R38)")
    table = _share_table(rows, least, _("District"), lambda r: r["key"].name, lambda r: {"district": r["key"].id})
    if not draw:
        return None, table
    fig = shares.share_bars(title, _share_items(rows, least, lambda r: r["key"].name), _thin_note(least),
                            _("Satisfied, %"), _no_data())
    return fig, table


def chart_satisfaction_department(f: A.Filters, draw: bool = True):
    least = min_sample()
    rows = A.satisfaction_by_department(f, least)
    title = _("Satisfaction by department (at least %(n)s answers to be ranked)", n=least)
    table = _share_table(rows, least, _("Department"), lambda r: str(r["key"]), lambda r: {"department": r["key"].id})
    if not draw:
        return None, table
    fig = shares.share_bars(title, _share_items(rows, least, lambda r: _short(r["key"], 45)), _thin_note(least),
                            _("Satisfied, %"), _no_data())
    return fig, table


# --- deadline compliance (R29, R30) ---------------------------------------------------
def chart_compliance_month(f: A.Filters, draw: bool = True):
    rows = A.compliance_by_month(f, today())
    title = _("Answers on time and late by month of registration (R29, R30)")
    table = A.Table([_("Month"), _("On time"), _("Late (incl. still open past the term)"), _("Term still running"),
                     _("On time, %")],
                    [[month_label(r["key"], long=True), r["on_time"], r["late"], r["pending"], r["on_time_share"]]
                     for r in rows],
                    links=[[{"month": r["key"]}, {"month": r["key"], "term": "on_time"},
                            {"month": r["key"], "term": "late"}, {"month": r["key"], "term": "running"}, None]
                           for r in rows])
    if not draw:
        return None, table
    return render.bars(title, month_ticks([r["key"] for r in rows]),
                       [(_("On time"), [r["on_time"] for r in rows]), (_("Late"), [r["late"] for r in rows]),
                        (_("Term still running"), [r["pending"] for r in rows])],
                       _("Appeals"), stacked=True, empty_message=_no_data()), table


def chart_compliance_department(f: A.Filters, draw: bool = True):
    least = min_sample()
    rows = A.compliance_by_department(f, today())
    # the least on time first; units with too few decided terms after them
    rows = sorted(rows, key=lambda r: (r["n"] < least, r["on_time_share"] if r["on_time_share"] is not None else 101,
                                       str(r["key"])))
    title = _("Share of appeals answered on time, by department (R29, R30)")
    table = A.Table([_("Department"), _("On time"), _("Late"), _("Overdue now"), _("Terms decided (n)"),
                     _("On time, %")],
                    [[str(r["key"]), r["on_time"], r["late"], r["overdue_now"], r["n"], r["on_time_share"]]
                     for r in rows],
                    links=[[None] + [{"department": r["key"].id, "term": t} for t in ("on_time", "late", "overdue")]
                           + [None, None] for r in rows],
                    thin=[r["n"] < least for r in rows])
    if not draw:
        return None, table
    items = _share_items(rows, least, lambda r: _short(r["key"], 45), share="on_time_share", n="n")
    return shares.share_bars(title, items, _thin_note(least), _("On time, %"), _no_data()), table


# --- outcomes and volumes --------------------------------------------------------------
def extension_label(rule) -> str:
    return {"R30a": _("Complex question (R30a)"), "R30b": _("Motivated decision (R30b)")}.get(rule, str(rule))


def chart_outcomes(f: A.Filters, draw: bool = True):
    data = A.outcomes(f)
    rows = ([[_("Extension"), extension_label(rule), n] for rule, n in data["extensions"]]
            + [[_("Refusal"), label(g), n] for g, n in data["refusals"]]
            + [[_("Ending"), label(s), n] for s, n in data["ends"]])
    links = ([{"extended": rule} for rule, _n in data["extensions"]]
             + [{"status": "refused", "ground": str(g)} if g else None for g, _n in data["refusals"]]
             + [{"status": str(s)} for s, _n in data["ends"]])
    title = _("Extensions by kind, refusals by ground, returns (R15, R30)")
    table = A.Table([_("Kind"), _("Item"), _("Appeals")], rows, links=[[None, None, link] for link in links])
    if not draw:
        return None, table
    return render.bars(title, [_short(f"{k}: {i}", 70) for k, i, _n in rows], [(_("Appeals"), [n for *_x, n in rows])],
                       _("Appeals"), horizontal=True, empty_message=_no_data()), table


def _volume_link(by: str, key) -> dict:
    if by == "channel":
        return {"channel": str(key)}
    if by == "month":
        return {"month": key}
    return {"section" if by == "section" else "place": getattr(key, "id", None)}


def _volume(by: str, title: str, key_title: str):
    def build(f: A.Filters, draw: bool = True):
        rows = A.volume(f, by)
        names = month_ticks([k for k, _n in rows]) if by == "month" else [label(k) if by == "channel" else str(k)
                                                                          for k, _n in rows]
        table = A.Table([key_title, _("Appeals")],
                        [[month_label(k, long=True) if by == "month" else nm, n] for nm, (k, n) in zip(names, rows)],
                        links=[[None, _volume_link(by, k)] for k, _n in rows])
        if not draw:
            return None, table
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
