"""Write ``docs/performance.md`` from ``bench/results/*.json`` and the
hand-written notes in ``bench/notes.md``: ``python -m bench.report``."""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "performance.md"

LIST_TARGET = {"postgresql": 40, "sqlite": 100}


def target_of(db: str, scenario: str) -> float | None:
    if scenario.startswith("list"):
        return LIST_TARGET[db]
    if db != "postgresql":
        return None
    return {"text search in the substance": 80, "show page": 20}.get(scenario)


def ratio_target(scenario: str) -> float | None:
    if scenario.startswith("list"):
        return 5
    if scenario.startswith("text search"):
        return 25
    return None


def mark(ok: bool | None) -> str:
    return "" if ok is None else ("yes" if ok else "**no**")


def section(r: dict) -> list[str]:
    db, n = r["db"], r["n"]
    v = dict(r["versions"])
    if db == "postgresql" and not v["database"].startswith("PostgreSQL"):
        v["database"] = "PostgreSQL " + v["database"]
    out = [f"## {'PostgreSQL' if db == 'postgresql' else 'SQLite'}, {n:,} appeals", "",
           f"Measured {r['date']} on {v['cpu']} ({v['cores']} cores, {v['memory_gb']} GB); "
           f"{v['database']}, Python {v['python']}, Flask-AppBuilder {v['flask_appbuilder']}, "
           f"SQLAlchemy {v['sqlalchemy']}. {r['requests']} requests per scenario after 2 warm-ups, "
           f"through the app's WSGI stack (Flask test client) as a logged-in Manager.", ""]
    rows = [x for x in r["rows"] if "ours" in x]
    if rows:
        out += ["| scenario | ours p50 ms | ours p95 ms | SQL / request | stock FAB p50 ms | stock FAB p95 ms "
                "| stock SQL / request | × faster (p95) | target p95 | met |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|"]
        for x in rows:
            o, s = x["ours"], x.get("stock")
            t = target_of(db, x["scenario"])
            factor = round(s["p95"] / o["p95"], 1) if s and o["p95"] else None
            need = ratio_target(x["scenario"]) if db == "postgresql" else None
            ok = None
            if t is not None:
                ok = o["p95"] <= t and (need is None or factor is None or factor >= need)
            if x["scenario"].startswith("list") and o["queries"] > 6:
                ok = False
            target = (f"≤ {t}" + (f", ≥ {need}×" if need else "")) if t else ""
            out.append(
                f"| {x['scenario']} | {o['p50']} | {o['p95']} | {o['queries']} | "
                f"{s['p50'] if s else '—'} | {s['p95'] if s else '—'} | {s['queries'] if s else '—'} | "
                f"{factor if factor else '—'} | {target} | {mark(ok)} |")
        out.append("")
    charts = [x for x in r["rows"] if "cold" in x]
    if charts:
        out += ["| chart (PNG) | cold p50 ms | cold p95 ms | cached p95 ms | SQL cold | target cold / cached | met |",
                "|---|---:|---:|---:|---:|---:|:---:|"]
        for x in charts:
            cold_t = 800 if x["scenario"] == "chart heatmap" else 300
            ok = x["cold"]["p95"] <= cold_t and x["cached"]["p95"] <= 15 if db == "postgresql" else None
            out.append(f"| {x['scenario'][6:]} | {x['cold']['p50']} | {x['cold']['p95']} | {x['cached']['p95']} | "
                       f"{x['cold']['queries']} | " + (f"≤ {cold_t} / ≤ 15" if db == "postgresql" else "") +
                       f" | {mark(ok)} |")
        out.append("")
    jobs = {x["scenario"]: x for x in r["rows"]}
    lines = []
    if "deadline monitor" in jobs:
        m = jobs["deadline monitor"]
        lines.append(f"| deadline monitor (one INSERT…SELECT): the daily run / the first run over the whole "
                     f"backlog | {m['max_ms']} ms / {m['first_ms']} ms | < 2000 ms | {mark(m['max_ms'] < 2000)} |")
    for key, target in (("export (CSV job)", 20000), ("import (CSV job)", 5000)):
        if key in jobs and "rows_per_s" in jobs[key]:
            j = jobs[key]
            lines.append(f"| {key}, {j['rows']:,} rows | {j['seconds']} s = {j['rows_per_s']:,} rows/s ({j['status']}) "
                         f"| ≥ {target:,} rows/s | {mark(j['rows_per_s'] >= target and j['status'] == 'finished')} |")
    if "wrk" in jobs and "rps" in jobs["wrk"]:
        w = jobs["wrk"]
        lines.append(f"| wrk, 15 s, 2 connections, gunicorn 2 workers: appeals list | {w['rps']:.0f} pages/s, "
                     f"avg latency {w['latency']}, non-2xx {w['non2xx']} | ≥ 60 pages/s | {mark(w['rps'] >= 60)} |")
        lines.append(f"| web worker peak RSS after wrk | {', '.join(str(x) for x in w['worker_rss_mb'])} MB "
                     f"| ≤ 300 MB | {mark(max(w['worker_rss_mb']) <= 300)} |")
    if "bench_rss_mb" in r:
        lines.append(f"| bench process peak RSS (both apps, all scenarios, export) | {r['bench_rss_mb']} MB "
                     f"| ≤ 300 MB | {mark(r['bench_rss_mb'] <= 300)} |")
    if lines:
        out += ["| job / load | measured | target | met |", "|---|---|---|:---:|"] + lines + [""]
    return out


def growth(results: list[dict]) -> list[str]:
    out = []
    for db in ("postgresql", "sqlite"):
        runs = sorted((r for r in results if r["db"] == db), key=lambda r: r["n"])
        if len(runs) < 2:
            continue
        small, big = runs[0], runs[-1]
        out += [f"### {db}: {small['n']:,} → {big['n']:,} appeals (p95 ms)", "",
                "| scenario | ours small | ours big | growth | stock small | stock big | growth |",
                "|---|---:|---:|---:|---:|---:|---:|"]
        by = {x["scenario"]: x for x in small["rows"]}
        for x in big["rows"]:
            y = by.get(x["scenario"])
            if not y:
                continue
            if "ours" in x:
                g = round(x["ours"]["p95"] / max(y["ours"]["p95"], 0.1), 1)
                s1, s2 = y.get("stock"), x.get("stock")
                sg = round(s2["p95"] / max(s1["p95"], 0.1), 1) if s1 and s2 else "—"
                out.append(f"| {x['scenario']} | {y['ours']['p95']} | {x['ours']['p95']} | {g}× | "
                           f"{s1['p95'] if s1 else '—'} | {s2['p95'] if s2 else '—'} | {sg}{'×' if s1 and s2 else ''} |")
            elif "cold" in x:
                g = round(x["cold"]["p95"] / max(y["cold"]["p95"], 0.1), 1)
                out.append(f"| {x['scenario']} (cold) | {y['cold']['p95']} | {x['cold']['p95']} | {g}× | | | |")
        out.append("")
    return out


def main() -> int:
    results = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json"))]
    results.sort(key=lambda r: (r["db"] != "postgresql", -r["n"]))
    lines = ["# Performance", "",
             "Generated by `make bench` (`python -m bench.run`, then `python -m bench.report`) from "
             "`bench/results/*.json`; the text after the tables is `bench/notes.md`. "
             "*Stock FAB* is a plain `ModelView` over the same `Appeal` model in a plain "
             "Flask-AppBuilder app (`bench/stock.py`) on the same database, measured in the same run.", ""]
    for r in results:
        lines += section(r)
    g = growth(results)
    if g:
        lines += ["## How the cost grows with N", ""] + g
    notes = ROOT / "bench" / "notes.md"
    if notes.exists():
        lines += [notes.read_text().strip(), ""]
    DOC.write_text("\n".join(lines))
    print(f"wrote {DOC.relative_to(ROOT)} from {len(results)} run(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
