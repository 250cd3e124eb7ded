"""Measure the topic suggestion (issue 17.3) — not part of the test suite.

    python -m bench.topics [--n 100000 1000000] [--cap 200000] [--pg URL] [--out bench/topics_results.json]

For each N: N labelled appeals from ``bench/topic_texts.py`` (oldest
first); the service's own procedure on the most recent ``--cap`` of them
(``TOPIC_TRAIN_MAX``): the latest 15 % held out, the pipeline fitted on the
rest and measured (top-1, top-3, temperature), fitted again on all; then
the latency of single suggestions (``TopicClassifier.top``, p50/p95 over
500 held-out texts) and the pickled size.

With ``--pg`` (an admin URL of a PostgreSQL server) the N rows are also
copied into a scratch database (``qab_topics_bench``, dropped at the end)
shaped as the appeal columns training reads, with the same
``(registered_on, id)`` index, and the service's query is timed: the newest
``cap`` rows and all N rows, streamed in batches of 10,000.
"""
from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from datetime import date, timedelta


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def measure(n: int, cap: int, test_share: float = 0.15, seed: int = 1) -> dict:
    import joblib

    from app.services import topic_suggest as ts
    from bench.topic_texts import labelled

    t0 = time.monotonic()
    rows = list(labelled(n, seed))
    gen = time.monotonic() - t0
    codes = sorted({c for _, _, c in rows})
    ids = {c: i for i, c in enumerate(codes)}
    rows = rows[-cap:]
    cut = round(len(rows) * (1 - test_share))
    tr, te = rows[:cut], rows[cut:]
    cols = lambda part: ([t for t, _, _ in part], [lang for _, lang, _ in part], [ids[c] for *_, c in part])  # noqa: E731
    t0 = time.monotonic()
    first = ts.fit(*cols(tr))
    t_fit = time.monotonic() - t0
    t0 = time.monotonic()
    top1, top3 = ts.evaluate(first, *cols(te), calibrate=True)
    t_eval = time.monotonic() - t0
    t0 = time.monotonic()
    final = ts.fit(*cols(rows))
    final.scale = first.scale
    t_refit = time.monotonic() - t0
    buf = io.BytesIO()
    t0 = time.monotonic()
    joblib.dump(final, buf, compress=1)
    t_dump = time.monotonic() - t0
    t0 = time.monotonic()
    joblib.load(io.BytesIO(buf.getvalue()))
    t_load = time.monotonic() - t0
    lat = []
    for text, lang, _ in te[:500]:
        s = time.perf_counter()
        first.top(text, lang, 8)
        lat.append((time.perf_counter() - s) * 1000)
    lat.sort()
    out = {"n": n, "trained_on": len(rows), "held_out": len(te), "topics": len(codes),
           "top1": round(top1, 4), "top3": round(top3, 4), "scale": first.scale,
           "seconds": {"generate": round(gen, 1), "fit_train_part": round(t_fit, 1), "measure": round(t_eval, 1),
                       "fit_all": round(t_refit, 1), "dump": round(t_dump, 1), "load": round(t_load, 2),
                       "training_total": round(t_fit + t_eval + t_refit + t_dump, 1)},
           "model_mb": round(len(buf.getvalue()) / 1048576, 1),
           "suggest_ms": {"p50": round(statistics.median(lat), 2), "p95": round(lat[int(0.95 * len(lat)) - 1], 2)}}
    log(json.dumps(out))
    return out


def pg_read(admin_url: str, n: int, cap: int, seed: int = 1) -> dict:
    import psycopg
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from bench.topic_texts import labelled

    admin = make_url(admin_url)
    name = "qab_topics_bench"
    eng = create_engine(admin, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    eng.dispose()
    url = admin.set(database=name)
    dsn = f"host={url.host} port={url.port or 5432} user={url.username} dbname={name}" + (
        f" password={url.password}" if url.password else "")
    try:
        with psycopg.connect(dsn) as conn:
            conn.execute("CREATE TABLE appeal (id integer PRIMARY KEY, registered_on date NOT NULL, "
                         "category_id integer NOT NULL, substance text NOT NULL, language varchar(2) NOT NULL)")
            start = date.today() - timedelta(days=3 * 365)
            t0 = time.monotonic()
            with conn.cursor().copy("COPY appeal (id, registered_on, category_id, substance, language) FROM STDIN") as cp:
                for i, (t, lang, code) in enumerate(labelled(n, seed), start=1):
                    cp.write_row((i, start + timedelta(days=i * 3 * 365 // n), int(code.replace(".", "")), t, lang))
            conn.execute("CREATE INDEX ix_appeal_registered ON appeal (registered_on, id)")
            conn.commit()
            conn.autocommit = True
            conn.execute("VACUUM ANALYZE appeal")
            load = time.monotonic() - t0
        eng = create_engine(url.render_as_string(hide_password=False))
        out = {"rows": n, "load_s": round(load, 1)}
        for label, limit in (("newest_cap", cap), ("all", n)):
            best = None
            for _ in range(2):
                with eng.connect() as c:
                    t0 = time.monotonic()
                    got = sum(1 for _ in c.execution_options(yield_per=10_000).execute(text(
                        "SELECT substance, language, category_id FROM appeal "
                        "ORDER BY registered_on DESC, id DESC LIMIT :n"), {"n": limit}))
                    s = time.monotonic() - t0
                best = s if best is None else min(best, s)
            out[f"read_{label}_s"] = round(best, 2)
            out[f"read_{label}_rows"] = got
        eng.dispose()
        log(json.dumps(out))
        return out
    finally:
        eng = create_engine(admin, isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        eng.dispose()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.topics", description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, nargs="+", default=[100_000, 1_000_000])
    p.add_argument("--cap", type=int, default=200_000, help="TOPIC_TRAIN_MAX: the most recent appeals trained on")
    p.add_argument("--pg", help="admin URL of a PostgreSQL server: also time reading the rows from it")
    p.add_argument("--out", default="bench/topics_results.json")
    a = p.parse_args(argv)
    from app import create_app
    from config import TestingConfig

    with create_app(TestingConfig).app_context():
        results = {"cap": a.cap, "runs": [measure(n, a.cap) for n in a.n]}
        if a.pg:
            results["postgresql"] = pg_read(a.pg, max(a.n), a.cap)
    with open(a.out, "w", encoding="utf-8") as fh:
        json.dump(results, fh, indent=1)
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
