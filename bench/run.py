"""``make bench``: the panel at N appeals, against stock Flask-AppBuilder in
the same run, through the real apps with a logged-in Manager.

    python -m bench.run --db postgresql --n 1000000
    python -m bench.run --db sqlite --n 1000000 --reuse

Each scenario is requested ``--requests`` times (25 by default) after two
warm-up requests; the median and p95 of the wall time of the whole request
(routing, security, SQL, templates) and the SQL statements per request are
recorded. The results go to ``bench/results/<db>-<n>.json``; ``python -m
bench.report`` writes them into ``docs/performance.md``.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import event, func, select, text

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-pass-123")
PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/qab_bench")

# p95 targets in ms at 1,000,000 appeals (issue #8); SQLite lists: 100 ms.
TARGETS = {
    "postgresql": {"list": 40, "search": 80, "show": 20, "chart_cold": 300, "heatmap_cold": 800, "chart_cached": 15},
    "sqlite": {"list": 100},
}


def database_url(db: str, n: int) -> str:
    if db == "postgresql":
        return PG_ADMIN if n == 1_000_000 else PG_ADMIN.rsplit("/", 1)[0] + f"/qab_bench_{n}"
    return f"sqlite:///{ROOT / 'instance' / ('bench.db' if n == 1_000_000 else f'bench_{n}.db')}"


def bench_config(url: str):
    from config import Config

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = "bench-secret-key-of-sufficient-length-0123456789"
        WTF_CSRF_ENABLED = False
        RATELIMIT_ENABLED = False
        AUTH_RATE_LIMITED = False
        REDIS_URL = None
        EXPORT_DIR = tempfile.mkdtemp(prefix="qab-bench-exports-")

    return BenchConfig


class Counter:
    """SQL statements sent through an engine while ``n`` is read."""

    def __init__(self, engine):
        self.n = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        self.n += 1


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p / 100 * len(values) + 0.5)) - 1))
    return values[k]


def timed(client, counter, paths: list[str], before=None) -> dict:
    """Time each path of ``paths`` (cycled); ``before`` runs untimed first."""
    times, queries, statuses = [], [], set()
    for path in paths:
        if before:
            before()
        counter.n = 0
        t0 = time.perf_counter()
        r = client.get(path)
        r.get_data()
        times.append((time.perf_counter() - t0) * 1000)
        queries.append(counter.n)
        statuses.add(r.status_code)
    return {
        "p50": round(statistics.median(times), 1), "p95": round(pct(times, 95), 1),
        "queries": int(statistics.median(queries)), "status": sorted(statuses), "requests": len(times),
    }


def login(client, username="manager"):
    r = client.post("/login/", data={"username": username, "password": PASSWORD})
    if r.status_code != 302:
        raise SystemExit(f"login as {username} failed: {r.status_code}")


def rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def sample_values(app, n_requests: int) -> dict:
    """Ids and words the scenarios use, drawn from the data."""
    from app.extensions import db
    from app.models import Appeal, District

    rnd = random.Random(7)
    with app.app_context():
        max_id = db.session.execute(select(func.max(Appeal.id))).scalar_one()
        ids = [rnd.randint(1, max_id) for _ in range(n_requests + 2)]
        district = db.session.execute(
            select(Appeal.district_id, func.count()).group_by(Appeal.district_id).order_by(func.count().desc()).limit(1)
        ).first()[0]
        n_district = db.session.get(District, district).name_ru
    return {"ids": ids, "district": district, "district_name": n_district}


def list_scenarios(view: str, values: dict, our: bool) -> dict[str, list[str]]:
    base = f"/{view.lower()}/list/"
    d = values["district"]
    filt = (f"?_flt_0_status=registered&_flt_0_district={d}&_oc_{view}=due_on&_od_{view}=asc" if our else
            f"?_flt_0_status=registered&_flt_0_district={d}&_oc_{view}=due_on&_od_{view}=asc")
    return {
        "list page 1 (default order)": [base],
        "list newest first": [f"{base}?_oc_{view}=registered_on&_od_{view}=desc"],
        "list filtered (status, district) by due date": [base + filt],
        "list deep page (20,000 rows in)": [f"{base}?page_{view}=800"],
        "text search in the substance": [f"{base}?_flt_2_substance=водоснабж", f"{base}?_flt_2_substance=Жол",
                                         f"{base}?_flt_2_substance=освещение"],
    }


def measure_lists(app, stock, values: dict, requests: int, skip_stock: bool) -> list[dict]:
    from app.extensions import db

    out = []
    with app.app_context():
        ours_counter = Counter(db.engine)
    ours = app.test_client()
    login(ours)
    stock_client = stock_counter = None
    if stock is not None:
        with stock.app_context():
            stock_counter = Counter(stock.extensions["stock_db"].engine)
        stock_client = stock.test_client()
        login(stock_client)
    our_sc = list_scenarios("AppealView", values, True)
    stock_sc = list_scenarios("StockAppealView", values, False)
    ids = values["ids"]
    our_sc["show page"] = [f"/appealview/show/{i}" for i in ids]
    stock_sc["show page"] = [f"/stockappealview/show/{i}" for i in ids]
    for name, paths in our_sc.items():
        cycle = [paths[i % len(paths)] for i in range(requests)]
        for p in paths:  # warm-up
            ours.get(p)
        row = {"scenario": name, "ours": timed(ours, ours_counter, cycle)}
        if stock_client is not None and not skip_stock:
            s_paths = stock_sc[name]
            s_cycle = [s_paths[i % len(s_paths)] for i in range(requests)]
            for p in s_paths:
                stock_client.get(p)
            row["stock"] = timed(stock_client, stock_counter, s_cycle)
        print(f"  {name:50s} ours p50 {row['ours']['p50']:8.1f} p95 {row['ours']['p95']:8.1f} ms "
              f"q={row['ours']['queries']}" + (f" | stock p95 {row['stock']['p95']:9.1f} ms q={row['stock']['queries']}"
                                               if "stock" in row else ""), flush=True)
        out.append(row)
    return out


def measure_charts(app, requests: int) -> list[dict]:
    from app.extensions import db
    from app.services import analytics
    from app.views.dashboard import charts

    client = app.test_client()
    login(client)
    with app.app_context():
        counter = Counter(db.engine)
    with app.test_request_context():
        names = list(charts())
    out = []
    for name in names:
        path = f"/dashboard/chart/{name}.png"
        client.get(path)
        cold = timed(client, counter, [path] * max(5, requests // 5), before=analytics.invalidate)
        cached = timed(client, counter, [path] * requests)
        print(f"  chart {name:28s} cold p95 {cold['p95']:8.1f} ms  cached p95 {cached['p95']:6.1f} ms", flush=True)
        out.append({"scenario": f"chart {name}", "cold": cold, "cached": cached})
    counter.n = 0
    return out


def measure_monitor(app) -> dict:
    from app.services.monitor import run_monitor

    times = []
    with app.app_context():
        for _ in range(3):
            t0 = time.perf_counter()
            created = run_monitor()
            times.append((time.perf_counter() - t0) * 1000)
    steady = max(times[1:])
    print(f"  deadline monitor: first run {times[0]:.0f} ms, then {steady:.0f} ms ({created} new on the last run)")
    return {"scenario": "deadline monitor", "first_ms": round(times[0]), "max_ms": round(steady)}


def _manager_id(app) -> int:

    with app.app_context():
        sm = app.appbuilder.sm
        return sm.find_user(username="manager").id


def measure_export(app, rows: int) -> dict:
    """An export job of the appeals list filtered to about ``rows`` rows."""
    from app.extensions import db
    from app.jobs import launch
    from app.models import Appeal, Job

    with app.app_context():
        total = db.session.execute(select(func.count()).select_from(Appeal)).scalar_one()
        boundary = db.session.execute(
            select(Appeal.registered_on).order_by(Appeal.registered_on.desc(), Appeal.id.desc())
            .offset(min(rows, total - 1)).limit(1)
        ).scalar_one()
        view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "AppealView")
        idx = next(i for i, f in enumerate(view._filters.get_search_filters()["registered_on"])
                   if type(f).__name__ == "FilterGreater")
        args = {f"_flt_{idx}_registered_on": boundary.isoformat()}
        uid = _manager_id(app)
    with app.test_request_context():
        t0 = time.perf_counter()
        job = launch("export", {"register": "Appeal", "format": "csv", "args": args}, user_id=uid)
        elapsed = time.perf_counter() - t0
        job = db.session.get(Job, job.id)
        done = int(job.message or 0) if (job.message or "").isdigit() else 0
        status = job.status
    print(f"  export: {done} rows in {elapsed:.1f} s = {done / elapsed:,.0f} rows/s ({status})", flush=True)
    return {"scenario": "export (CSV job)", "rows": done, "seconds": round(elapsed, 2),
            "rows_per_s": round(done / elapsed), "status": status}


def write_import_file(app, rows: int, path: Path) -> None:
    from app.extensions import db
    from app.models import Category, District, Official, ReceptionPlace

    rnd = random.Random(11)
    with app.app_context():
        districts = db.session.execute(select(District.kato)).scalars().all()
        categories = db.session.execute(select(Category.code).where(Category.parent_id.is_not(None),
                                                                    Category.active.is_(True))).scalars().all()
        officials = db.session.execute(select(Official.full_name).where(Official.active.is_(True))).scalars().all()
        places = db.session.execute(select(ReceptionPlace.id)).scalars().all()
    channels = ["egov_portal", "e_appeals", "post", "by_hand", "oral", "phone", "call_centre"]
    stamp = int(time.time())
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["external_id", "channel", "received_at", "applicant_full_name", "applicant_phone", "district",
                    "category", "official", "reception_place", "substance", "language"])
        for i in range(rows):
            day = date.fromordinal(date.today().toordinal() - rnd.randint(1, 700))
            w.writerow([f"NAT-{stamp}-{i}", rnd.choice(channels), f"{day.isoformat()} {rnd.randint(9, 17):02d}:15",
                        f"Импортов Заявитель {i % 5000}", "", rnd.choice(districts), rnd.choice(categories),
                        rnd.choice(officials), rnd.choice(places),
                        "Прошу рассмотреть вопрос водоснабжения и ремонта дороги", rnd.choice(["kk", "ru"])])


def measure_import(app, rows: int) -> dict:
    from app.extensions import db
    from app.jobs import launch
    from app.models import Job

    path = Path(tempfile.mkdtemp(prefix="qab-bench-import-")) / "national.csv"
    write_import_file(app, rows, path)
    uid = _manager_id(app)
    with app.test_request_context():
        t0 = time.perf_counter()
        job = launch("import", {"path": str(path)}, user_id=uid)
        elapsed = time.perf_counter() - t0
        job = db.session.get(Job, job.id)
        status, message = job.status, job.message or job.error
    shutil.rmtree(path.parent, ignore_errors=True)
    print(f"  import: {rows} rows in {elapsed:.1f} s = {rows / elapsed:,.0f} rows/s ({status}: {message})", flush=True)
    return {"scenario": "import (CSV job)", "rows": rows, "seconds": round(elapsed, 2),
            "rows_per_s": round(rows / elapsed), "status": status, "message": str(message)[:200]}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure_wrk(url: str, seconds: int = 15) -> dict:
    """gunicorn with 2 workers on loopback, 2 connections of a logged-in
    Manager on the appeals list; the workers' peak RSS afterwards."""
    if not shutil.which("wrk"):
        return {"scenario": "wrk", "error": "wrk is not installed (apt-get install wrk)"}
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "APP_ENV": "production",
           "SECRET_KEY": "bench-secret-key-of-sufficient-length-0123456789", "PYTHONPATH": str(ROOT),
           "PROXY_COUNT": "1"}
    env.pop("REDIS_URL", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = open(Path(tempfile.gettempdir()) / "qab-bench-gunicorn.log", "w")
    proc = subprocess.Popen([str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "run:app"],
                            cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/login/", timeout=2)
                break
            except Exception:
                time.sleep(0.2)
        # production marks the session cookie Secure: keep it by hand over loopback HTTP
        cookies: dict[str, str] = {}

        def fetch(path, data=None):
            req = urllib.request.Request(base + path, data=data, headers={
                "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "X-Forwarded-Proto": "https",
                "Referer": "https" + base[len("http"):] + path})
            try:
                resp = urllib.request.build_opener(NoRedirect).open(req)
            except urllib.error.HTTPError as exc:  # a redirect answers as an "error" here
                resp = exc
            for header in resp.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                cookies[name.strip()] = value
            return resp.read().decode()

        page = fetch("/login/")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', page)
        fetch("/login/", urllib.parse.urlencode({"username": "manager", "password": PASSWORD,
                                                 "csrf_token": token.group(1) if token else ""}).encode())
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body = fetch("/appealview/list/")
        if "appealview/show/" not in body:
            raise RuntimeError("the logged-in list page did not render rows under gunicorn")
        out = subprocess.run(["wrk", "-t2", "-c2", f"-d{seconds}s", "-H", f"Cookie: {cookie}",
                              "-H", "X-Forwarded-Proto: https", base + "/appealview/list/"], capture_output=True, text=True, timeout=seconds + 30)
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out.stdout).group(1))
        latency = re.search(r"Latency\s+(\S+)", out.stdout).group(1)
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out.stdout)
        workers = [int(p) for p in subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                                                   text=True).stdout.split()]
        rss = []
        for pid in workers:
            status = Path(f"/proc/{pid}/status").read_text()
            rss.append(int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024)
        print(f"  wrk: {rps:.0f} list pages/s (avg latency {latency}), worker peak RSS "
              f"{', '.join(f'{r:.0f}' for r in rss)} MB", flush=True)
        return {"scenario": "wrk", "rps": rps, "latency": latency, "non2xx": int(non2xx.group(1)) if non2xx else 0,
                "worker_rss_mb": [round(r) for r in rss]}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def appeal_count(app) -> int:
    from app.extensions import db
    from app.models import Appeal

    with app.app_context():
        return db.session.execute(select(func.count()).select_from(Appeal)).scalar_one()


def versions(app) -> dict:
    import flask_appbuilder
    import sqlalchemy

    from app.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            server = "PostgreSQL " + db.session.execute(text("SHOW server_version")).scalar_one()
        else:
            import sqlite3

            server = "SQLite " + sqlite3.sqlite_version
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "?")
    mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) // 1024 // 1024
    return {"python": sys.version.split()[0], "flask_appbuilder": flask_appbuilder.__version__,
            "sqlalchemy": sqlalchemy.__version__, "database": server, "cpu": cpu, "cores": os.cpu_count(),
            "memory_gb": mem}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--requests", type=int, default=25)
    ap.add_argument("--reuse", action="store_true", help="use the database if it already holds N appeals")
    ap.add_argument("--skip-stock", action="store_true")
    ap.add_argument("--rows", type=int, default=100_000, help="rows of the import and export runs")
    ap.add_argument("--only", default="", help="comma list of parts: lists,charts,monitor,export,import,wrk")
    args = ap.parse_args(argv)
    url = database_url(args.db, args.n)
    parts = set(filter(None, args.only.split(","))) or {"lists", "charts", "monitor", "export", "import", "wrk"}

    from app import create_app

    app = None
    if args.reuse:
        try:
            app = create_app(bench_config(url))
            if appeal_count(app) < args.n:
                app = None
        except Exception:
            app = None
    if app is None:
        print(f"generating {args.n:,} appeals into {url}", flush=True)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bench.generate", "--url", url, "--n", str(args.n), "--fresh",
                        "--password", PASSWORD], cwd=ROOT, check=True)
        print(f"generated in {time.perf_counter() - t0:.0f} s", flush=True)
        app = create_app(bench_config(url))
    n = appeal_count(app)
    print(f"{args.db}: {n:,} appeals", flush=True)
    from bench.stock import create_stock_app

    stock = None if args.skip_stock else create_stock_app(url)
    values = sample_values(app, args.requests)
    result = {"db": args.db, "n": n, "date": datetime.now().isoformat(timespec="minutes"),
              "versions": versions(app), "requests": args.requests, "rows": []}
    if "lists" in parts:
        result["rows"] += measure_lists(app, stock, values, args.requests, args.skip_stock)
    if "charts" in parts:
        result["rows"] += measure_charts(app, args.requests)
    if "monitor" in parts:
        result["rows"].append(measure_monitor(app))
    if "export" in parts:
        result["rows"].append(measure_export(app, args.rows))
    result["bench_rss_mb"] = rss_mb()
    if "wrk" in parts:
        result["rows"].append(measure_wrk(url))
    if "import" in parts:  # last: it adds rows
        result["rows"].append(measure_import(app, args.rows))
    result["bench_rss_mb_after_import"] = rss_mb()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{args.db}-{args.n}.json"
    previous = json.loads(out.read_text()) if out.exists() and parts != {"lists", "charts", "monitor", "export",
                                                                         "import", "wrk"} else None
    if previous:  # a partial run updates the scenarios it measured
        keep = {r["scenario"] for r in result["rows"]}
        result["rows"] = [r for r in previous["rows"] if r["scenario"] not in keep] + result["rows"]
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(f"results: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
