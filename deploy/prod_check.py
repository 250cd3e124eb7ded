#!/usr/bin/env python3
"""``make prod-check``: the production set-up of docs/deployment.md, on loopback.

1. creates a fresh PostgreSQL database (``TEST_PG_URL``'s server);
2. ``flask db upgrade``, ``flask roles sync`` (APP_ENV=production) and
   ``flask demo load --password ...`` (the only step in development mode:
   demo load refuses production);
3. starts gunicorn with deploy/gunicorn.conf.py and 2 workers on a free
   loopback port, and a separate ``rq worker`` on a queue of its own
   (``RQ_QUEUE``), both with APP_ENV=production and REDIS_URL set;
4. walks through it over HTTP: /health, the login form with its CSRF token,
   the appeals list and one appeal, an export job the worker runs, its
   download; every answer must carry an X-Request-ID, and gunicorn's access
   log and the app's log must be JSON lines with that id;
5. stops both processes, drops the database and the queue.

Exits 0 when everything worked, 1 with the failed step and the processes'
log tails otherwise. Run it with the project's venv:
``.venv/bin/python deploy/prod_check.py`` (``--keep`` leaves the database
and the log directory for a look afterwards).
"""
from __future__ import annotations

import argparse
import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("PROD_CHECK_REDIS_URL", os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
PASSWORD = "prod-check-" + secrets.token_hex(4) + "-9"
DEMO_APPEALS = 300  # enough for a list, an appeal and an export; quick to load
START_TIMEOUT = 40
JOB_TIMEOUT = 40


class CheckFailed(Exception):
    pass


_T0 = time.monotonic()


def step(message: str) -> None:
    print(f"prod-check [{time.monotonic() - _T0:5.1f} s]: {message}", flush=True)


def expect(condition, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the database --------------------------------------------------------------


def _admin_conn():
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(PG_ADMIN_URL)
    return psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, password=url.password,
                           dbname=url.database, autocommit=True)


def create_database(name: str) -> str:
    from sqlalchemy.engine import make_url

    with _admin_conn() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    with _admin_conn() as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                     "AND pid <> pg_backend_pid()", (name,))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


# --- an HTTP client that behaves like a browser behind nginx --------------------


class Client:
    """urllib without redirects; cookies kept by hand, because production
    marks the session cookie Secure and urllib would not send it back over
    the loopback's plain HTTP. ``X-Forwarded-Proto: https`` is what nginx
    sends; gunicorn trusts it from 127.0.0.1."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}
        self.request_ids: list[tuple[str, str]] = []

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, method: str, path: str, data: dict | None = None, request_id: str | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method=method)
        req.add_header("X-Forwarded-Proto", "https")
        req.add_header("Accept-Language", "ru")
        # A browser's Referer: Flask-WTF checks it on HTTPS (the scheme nginx reports).
        req.add_header("Referer", "https" + self.base[len("http"):] + path)
        if request_id:
            req.add_header("X-Request-ID", request_id)
        if self.cookies:
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            resp = self.opener.open(req, timeout=30)
        except urllib.error.HTTPError as err:  # 3xx (not followed), 4xx, 5xx
            resp = err
        payload = resp.read()
        for header in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "expires=thu, 01 jan 1970" in header.lower() or not value:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        rid = resp.headers.get("X-Request-ID")
        expect(rid, f"{method} {path}: the answer has no X-Request-ID header")
        self.request_ids.append((path, rid))
        return resp.status, resp.headers, payload

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post(self, path: str, data: dict, **kw):
        return self.request("POST", path, data=data, **kw)


def csrf_token(page: bytes) -> str:
    m = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        rb'value="([^"]+)"[^>]*name="csrf_token"', page)
    expect(m, "no CSRF token in the page")
    return html.unescape(m.group(1).decode())


# --- the processes -------------------------------------------------------------


def start(name: str, cmd: list[str], env: dict, logdir: Path) -> subprocess.Popen:
    out = open(logdir / f"{name}.out", "wb")
    err = open(logdir / f"{name}.err", "wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=err, start_new_session=True)
    step(f"started {name} (pid {proc.pid}): {' '.join(cmd)}")
    return proc


def stop(proc: subprocess.Popen | None, sig: int = signal.SIGTERM) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # its own session: gunicorn's workers, rq's work horse
        proc.wait(timeout=5)


def run_flask(args: list[str], env: dict) -> str:
    done = subprocess.run([str(BIN / "flask"), "--app", "run", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise CheckFailed(f"flask {' '.join(args)} failed:\n{done.stdout[-1500:]}\n{done.stderr[-2500:]}")
    return done.stdout


def wait_healthy(client: Client, proc: subprocess.Popen) -> dict:
    deadline = time.monotonic() + START_TIMEOUT
    last = None
    while time.monotonic() < deadline:
        expect(proc.poll() is None, f"gunicorn exited with code {proc.returncode}")
        try:
            status, _, body = client.get("/health", request_id="prod-check-health-1")
            if status == 200:
                return json.loads(body)
            last = f"{status} {body[:200]!r}"
        except (urllib.error.URLError, ConnectionError, OSError) as exc:
            last = repr(exc)
        time.sleep(0.3)
    raise CheckFailed(f"/health did not answer 200 within {START_TIMEOUT} s (last: {last})")


# --- the journey ---------------------------------------------------------------


def journey(client: Client) -> None:
    health = wait_healthy(client, GUNICORN)
    jobs = health.pop("jobs", {})
    expect(health == {"status": "ok", "database": "ok", "redis": "ok"}, f"/health: {health}")
    expect(jobs.get("status") == "ok" and "workers" in jobs, f"/health jobs: {jobs}")
    status, headers, _ = client.get("/health", request_id="prod-check-0001")
    expect(headers.get("X-Request-ID") == "prod-check-0001", "the request id sent is not echoed back")
    step("/health: 200, database ok, redis ok, jobs ok; X-Request-ID echoed")

    status, _, _ = client.get("/static/appbuilder/css/bootstrap.min.css")
    expect(status == 200, f"FAB's static files: {status}")

    status, headers, page = client.get("/login/", request_id="prod-check-0002")
    expect(status == 200, f"GET /login/: {status}")
    expect(headers.get("X-Request-ID") == "prod-check-0002", "the request id sent is not echoed back")
    status, headers, body = client.post("/login/", {"username": "manager", "password": PASSWORD,
                                                    "csrf_token": csrf_token(page)})
    expect(status == 302 and "/login" not in headers.get("Location", ""),
           f"login as manager failed: {status} {headers.get('Location')} {body[:300]!r}")
    expect(any(k == "session" for k in client.cookies), "no session cookie after the login")
    step("logged in as manager through the login form (CSRF token)")

    status, _, page = client.get("/appealview/list/")
    expect(status == 200, f"the appeals list: {status}")
    ids = re.findall(rb"/appealview/show/(\d+)", page)
    expect(ids, "the appeals list shows no appeal")
    status, _, show = client.get(f"/appealview/show/{ids[0].decode()}")
    expect(status == 200, f"an appeal's page: {status}")
    step(f"appeals list: {len(set(ids))} appeals on the first page; appeal #{ids[0].decode()} opens")

    status, headers, _ = client.post("/jobs/export/Appeal/csv", {"csrf_token": csrf_token(page)})
    expect(status == 302, f"launching the export: {status}")
    status, _, jobs = client.get("/jobs/")
    expect(status == 200, f"the jobs page: {status}")
    m = re.search(rb'data-job="([0-9a-f]+)"', jobs)
    expect(m, "the jobs page lists no job")
    job_id = m.group(1).decode()
    JOB_IDS.append(job_id)
    step(f"export job {job_id} queued; waiting for the rq worker")
    deadline = time.monotonic() + JOB_TIMEOUT
    state = {}
    while time.monotonic() < deadline:
        expect(WORKER.poll() is None, f"the rq worker exited with code {WORKER.returncode}")
        status, _, body = client.get(f"/jobs/status?ids={job_id}")
        state = json.loads(body).get(job_id, {})
        if state.get("status") in ("finished", "failed"):
            break
        time.sleep(0.3)
    expect(state.get("status") == "finished", f"the export job did not finish: {state}")
    status, headers, data = client.get(f"/jobs/download/{job_id}")
    expect(status == 200, f"downloading the export: {status}")
    lines = data.decode("utf-8-sig").splitlines()
    expect(len(lines) > 1, "the export has no rows")
    step(f"the worker ran the export: {len(lines) - 1} appeals downloaded as CSV")

    status, _, _ = client.get("/logout/")
    expect(status == 302, f"logout: {status}")


def check_logs(logdir: Path, client: Client) -> None:
    """gunicorn's access log (stdout) and the app's log (stderr) are JSON lines with request ids."""
    access = [json.loads(line) for line in (logdir / "gunicorn.out").read_text().splitlines() if line.strip()]
    expect(access, "gunicorn wrote no access log")
    ids = {entry.get("request_id") for entry in access}
    expect("prod-check-0002" in ids, "the access log lacks the request id sent")
    expect(not any(entry.get("path") == "/health" for entry in access), "healthy probes are in the access log")
    missing = [path for path, rid in client.request_ids if rid not in ids and path != "/health"]
    expect(not missing, f"requests missing from the access log: {missing[:5]}")
    app_lines = []
    for line in (logdir / "gunicorn.err").read_text().splitlines():
        try:
            app_lines.append(json.loads(line))
        except ValueError:
            raise CheckFailed(f"a log line on stderr is not JSON: {line[:200]}") from None
    requests_logged = [e for e in app_lines if e.get("logger") == "qabyldau.request"]
    expect(requests_logged and all(e.get("request_id") for e in requests_logged),
           "the app's request log lines lack request ids")
    expect(any(e.get("user_id") for e in requests_logged), "no request log line names the logged-in user")
    step(f"logs: {len(access)} JSON access lines, {len(app_lines)} JSON app lines, all with request ids")


GUNICORN: subprocess.Popen | None = None
WORKER: subprocess.Popen | None = None
JOB_IDS: list[str] = []


def main() -> int:
    global GUNICORN, WORKER
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs")
    args = parser.parse_args()

    started = time.monotonic()
    tag = uuid.uuid4().hex[:8]
    db_name, queue = f"qab_prodcheck_{tag}", f"appeals-prodcheck-{tag}"
    workdir = Path(tempfile.mkdtemp(prefix="qab-prodcheck-"))
    logdir = workdir / "logs"
    logdir.mkdir()
    port = free_port()
    ok, created = False, False
    try:
        url = create_database(db_name)
        created = True
        step(f"database {db_name} created; queue {queue}; logs in {logdir}")
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "LOG_", "PROXY_"))},
            "APP_ENV": "production",
            "DATABASE_URL": url,
            "REDIS_URL": REDIS_URL,
            "RQ_QUEUE": queue,
            "SECRET_KEY": secrets.token_hex(32),
            "INSTANCE_PATH": str(workdir / "instance"),
            "EXPORT_DIR": str(workdir / "exports"),
            "PYTHONPATH": str(ROOT),
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        # the release steps, as docs/deployment.md has them
        run_flask(["db", "upgrade"], env)
        run_flask(["roles", "sync"], env)
        step("migrated (flask db upgrade), roles synced (flask roles sync)")
        # The processes boot while the demo data loads (they only read at boot).
        GUNICORN = start("gunicorn", [str(BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                                      "run:app"],
                         {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2"}, logdir)
        WORKER = start("worker", [str(BIN / "rq"), "worker", "--url", REDIS_URL, "--name",
                                  f"prodcheck-{tag}", queue], env, logdir)
        run_flask(["demo", "load", "--password", PASSWORD, "--appeals", str(DEMO_APPEALS)],
                  {**env, "APP_ENV": "development"})
        step("demo data loaded (flask demo load, APP_ENV=development)")
        client = Client(f"http://127.0.0.1:{port}")
        journey(client)
        stop(GUNICORN, signal.SIGINT)  # quick shutdown (no request is running); flushes the logs
        check_logs(logdir, client)
        ok = True
    except CheckFailed as exc:
        print(f"prod-check: FAILED: {exc}", file=sys.stderr)
    except Exception as exc:  # an unexpected error is a failure with its reason too
        print(f"prod-check: FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
    finally:
        stop(GUNICORN, signal.SIGINT)
        stop(WORKER)  # SIGTERM: rq's warm shutdown
        if not ok:
            for name in ("gunicorn.err", "gunicorn.out", "worker.err", "worker.out"):
                path = logdir / name
                if path.exists() and path.stat().st_size:
                    print(f"--- {name} (last lines) ---", file=sys.stderr)
                    print("\n".join(path.read_text(errors="replace").splitlines()[-25:]), file=sys.stderr)
        try:
            from redis import Redis

            conn = Redis.from_url(REDIS_URL)
            keys = list(conn.scan_iter(match=f"*{queue}*")) + list(conn.scan_iter(match=f"*prodcheck-{tag}*"))
            keys += [key for job_id in JOB_IDS for key in conn.scan_iter(match=f"rq:*{job_id}*")]
            if keys:
                conn.delete(*set(keys))  # the queue, its registries, the worker, the job and its result
            conn.close()
        except Exception:
            pass
        if not args.keep:
            if created:
                drop_database(db_name)
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            step(f"kept: database {db_name}, directory {workdir}")
    step(("OK" if ok else "FAILED") + f" in {time.monotonic() - started:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
