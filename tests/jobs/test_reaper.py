"""Faults of the background jobs, on a real Redis with a real ``rq worker``
process: a killed work horse, a worker killed with its horse, a job rq
forgot, an in-process job whose server died. A row always ends finished or
failed, the duplicate guard never blocks on a dead row, ``/health`` says it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Job
from tests.conftest import login
from tests.jobs.test_jobs import REDIS, ROOT, _launch_as, _redis_app


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _wait(predicate, timeout=60.0, step=0.2, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def rq_worker(app, monkeypatch, tmp_path):
    """A real ``rq worker`` on a queue of its own; yields a starter."""
    conn = _redis_app(app)
    queue = f"appeals-reap-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS)
    monkeypatch.setitem(app.config, "RQ_QUEUE", queue)
    monkeypatch.setitem(app.config, "JOB_RETRIES", 0)  # the first attempt is the last retry
    procs = []

    def start():
        env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": REDIS,
               "APP_ENV": "development", "INSTANCE_PATH": str(tmp_path), "PYTHONPATH": str(ROOT),
               "RQ_QUEUE": queue}
        rq = Path(sys.executable).with_name("rq")
        proc = subprocess.Popen([str(rq), "worker", "--url", REDIS, queue], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=open(tmp_path / "worker.log", "ab"),
                                start_new_session=True)
        procs.append(proc)
        return proc

    yield start, conn, queue
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    for key in conn.scan_iter(f"rq:*{queue}*"):
        conn.delete(key)
    with app.app_context():  # the probes of this test, whatever state they reached
        db.session.execute(Job.__table__.delete().where(Job.kind == "probe"))
        db.session.commit()


def _row(app, job_id):
    with app.app_context():
        db.session.expire_all()
        row = db.session.get(Job, job_id)
        return row.status, row.progress, row.error


def _running_with_horse(app, worker, job_id):
    """Wait until the probe runs in a work horse; return the horse's pid."""
    _wait(lambda: _row(app, job_id)[0] == "running" and _row(app, job_id)[1] > 0, 90, what="the job to run")
    return _wait(lambda: (_children(worker.pid) or [None])[0], 10, what="the work horse")


def test_a_horse_killed_on_its_last_retry_ends_the_row_failed_and_frees_the_guard(app, client, rq_worker):
    from rq.job import Job as RqJob
    from rq.job import JobStatus

    start, conn, _ = rq_worker
    worker = start()
    job_id = _launch_as(app, "manager", "probe", {"seconds": 120})
    horse = _running_with_horse(app, worker, job_id)
    os.kill(horse, signal.SIGKILL)
    # the worker survives, sees its horse die and fails the job in rq; the row knew nothing
    _wait(lambda: RqJob.fetch(job_id, connection=conn).get_status() == JobStatus.FAILED, 30, what="rq's failure")
    assert worker.poll() is None
    assert _row(app, job_id)[0] == "running"
    # the Jobs page's polling reconciles the row, and says why in the user's language
    login(client, "manager")
    answer = client.get(f"/jobs/status?ids={job_id}", headers={"Accept-Language": "ru"}).get_json()
    assert answer[job_id]["status"] == "failed"
    assert "Work-horse" not in answer[job_id]["error"] and answer[job_id]["error"]
    status, _, error = _row(app, job_id)
    assert status == "failed" and error.startswith("JobKilled")
    # the same job launched again is not refused as a duplicate
    again = _launch_as(app, "manager", "probe", {"seconds": 120})
    assert again != job_id


def test_a_worker_killed_with_its_horse_leaves_no_row_running(app, client, rq_worker):
    from rq.job import Job as RqJob
    from rq.job import JobStatus
    from rq.registry import StartedJobRegistry

    start, conn, queue = rq_worker
    worker = start()
    job_id = _launch_as(app, "manager", "probe", {"seconds": 120})
    _running_with_horse(app, worker, job_id)
    os.killpg(worker.pid, signal.SIGKILL)  # the worker and its horse die together
    worker.wait(10)
    assert RqJob.fetch(job_id, connection=conn).get_status() == JobStatus.STARTED  # rq still believes it runs
    # the duplicate guard asks the reaper, which finds the worker's process gone
    again = _launch_as(app, "manager", "probe", {"seconds": 120})
    assert again != job_id
    status, _, error = _row(app, job_id)
    assert status == "failed" and error.startswith("WorkerLost")
    assert RqJob.fetch(job_id, connection=conn).get_status() == JobStatus.FAILED
    assert job_id not in StartedJobRegistry(queue, connection=conn).get_job_ids()
    page = client.get("/jobs/", headers={"Accept-Language": "kk"})  # not logged in: redirected, never a 500
    assert page.status_code in (302, 303)


def test_a_dead_worker_on_another_host_is_found_by_its_heartbeat(app, rq_worker, monkeypatch):
    """Where the reaper cannot see the worker's process, the heartbeat rq
    keeps for each running job tells: alive until it is past due."""
    from app.jobs import reaper

    start, conn, _ = rq_worker
    worker = start()
    job_id = _launch_as(app, "manager", "probe", {"seconds": 120})
    _running_with_horse(app, worker, job_id)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(10)
    monkeypatch.setattr(reaper.socket, "gethostname", lambda: "another-host")
    with app.app_context():
        assert reaper.reconcile([job_id]).changed == {}  # its heartbeat is still due: maybe alive
        later = time.time() + 30 + 60 + 5  # the job monitoring interval + rq's 60 s margin have passed
        assert reaper.reconcile([job_id], now_ts=later).changed == {job_id: "failed"}
    status, _, error = _row(app, job_id)
    assert status == "failed" and "heartbeat" in error


def test_a_live_worker_keeps_its_row_running_and_the_guard_refuses_a_duplicate(app, rq_worker):
    from app.jobs import DuplicateJob
    from app.jobs.reaper import reconcile

    start, _, _ = rq_worker
    worker = start()
    job_id = _launch_as(app, "manager", "probe", {"seconds": 120})
    _running_with_horse(app, worker, job_id)
    with app.app_context():
        assert reconcile().changed == {}
    with pytest.raises(DuplicateJob):
        _launch_as(app, "manager", "probe", {"seconds": 120})
    assert _row(app, job_id)[0] == "running"


def test_a_row_rq_has_no_trace_of_ends_failed_once_past_the_grace(app, monkeypatch):
    from app.jobs.reaper import GRACE, reconcile

    _redis_app(app)
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS)
    with app.app_context():
        old, new = uuid.uuid4().hex, uuid.uuid4().hex
        db.session.add_all([
            Job(id=old, kind="probe", key=f"lost:{old}", params={}, status="queued", progress=0,
                created_at=datetime.utcnow() - GRACE - timedelta(seconds=5)),
            Job(id=new, kind="probe", key=f"lost:{new}", params={}, status="queued", progress=0,
                created_at=datetime.utcnow()),  # may be between its commit and its enqueue
        ])
        db.session.commit()
        assert reconcile([old, new]).changed == {old: "failed"}
        assert db.session.get(Job, old).error.startswith("JobLost")
        assert db.session.get(Job, new).status == "queued"
        db.session.delete(db.session.get(Job, new))
        db.session.commit()


def test_redis_down_the_reaper_changes_nothing(app, monkeypatch):
    from app.jobs.reaper import reconcile

    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    with app.app_context():
        job = Job(id=uuid.uuid4().hex, kind="probe", key="down", params={}, status="running", progress=10,
                  created_at=datetime.utcnow() - timedelta(hours=3))
        db.session.add(job)
        db.session.commit()
        assert reconcile([job.id]).changed == {}
        db.session.refresh(job)
        assert job.status == "running"
        db.session.delete(job)
        db.session.commit()


def test_in_process_a_row_left_running_past_the_timeout_is_ended_and_blocks_nothing(app, monkeypatch):
    """Without Redis a job runs inside a request; a server killed meanwhile
    leaves its row running. Past the job timeout, it is ended."""
    from app.jobs.reaper import GRACE

    monkeypatch.setitem(app.config, "REDIS_URL", None)
    monkeypatch.setitem(app.config, "JOB_TIMEOUT", 600)
    with app.app_context():
        stale = Job(id=uuid.uuid4().hex, kind="probe", key="probe:[('seconds', 0)]:None", params={"seconds": 0},
                    status="running", progress=40, started_at=datetime.utcnow() - timedelta(seconds=600) - GRACE
                    - timedelta(seconds=1), created_at=datetime.utcnow() - timedelta(hours=1))
        db.session.add(stale)
        db.session.commit()
        from app.jobs import launch

        fresh = launch("probe", {"seconds": 0})
        assert fresh.status == "finished"
        db.session.refresh(stale)
        assert stale.status == "failed" and stale.error.startswith("WorkerLost") and stale.ended_at


def test_health_reports_the_jobs_and_reaps(app, client, rq_worker, monkeypatch):
    from app.jobs import reaper

    start, conn, _ = rq_worker
    monkeypatch.setattr(reaper, "_last_run", {"at": 0.0, "result": None})
    with app.app_context():
        lost = Job(id=uuid.uuid4().hex, kind="probe", key="health-lost", params={}, status="running", progress=5,
                   created_at=datetime.utcnow() - timedelta(minutes=5))
        db.session.add(lost)
        db.session.commit()
        lost_id = lost.id
    body = client.get("/health").get_json()
    assert body["jobs"]["reaped"] >= 1 and body["jobs"]["workers"] == 0
    assert _row(app, lost_id)[0] == "failed"
    # a queued job and no worker: the health says so (without failing the panel)
    monkeypatch.setattr(reaper, "_last_run", {"at": 0.0, "result": None})
    job_id = _launch_as(app, "manager", "probe", {"seconds": 1})
    body = client.get("/health").get_json()
    assert body["status"] == "ok" and body["jobs"]["status"] == "no worker" and body["jobs"]["unfinished"] >= 1
    worker = start()
    _wait(lambda: _row(app, job_id)[0] == "finished", 90, what="the probe to finish")

    def live():
        monkeypatch.setattr(reaper, "_last_run", {"at": 0.0, "result": None})
        body = client.get("/health").get_json()
        return body if body["jobs"].get("workers") else None

    body = _wait(live, 20, what="the worker in /health")
    assert body["status"] == "ok" and body["jobs"]["status"] == "ok" and worker.poll() is None


def test_the_jobs_page_tells_why_a_job_failed_in_kazakh_never_the_exception(app, client):
    """A failed job shows a sentence in the user's language, in local time;
    never the exception's text or a traceback (they may hold SQL or paths)."""
    from app.services.clock import fmt_local

    job_id = _launch_as(app, "manager", "crash", {"why": "SELECT secret FROM ab_user"})
    with app.app_context():
        lost = Job(id=uuid.uuid4().hex, kind="export", key="page-lost", params={"register": "District", "format": "csv"},
                   status="failed", progress=40, error="WorkerLost: its worker process is gone",
                   user_id=db.session.get(Job, job_id).user_id, created_at=datetime(2026, 12, 1, 4, 5))
        db.session.add(lost)
        db.session.commit()
        lost_id = lost.id
    login(client, "manager")
    client.get("/lang/kk")
    page = client.get("/jobs/", headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert "SELECT secret" not in page and "Traceback" not in page and "RuntimeError" not in page
    assert "Тапсырма қатемен аяқталды" in page and job_id[:8] in page
    assert "Тапсырманы орындаған өңдеуші ол аяқталмай тұрып тоқтады" in page
    assert "01.12.2026 09:05" in page  # 04:05 UTC is 09:05 in Almaty
    with app.app_context():
        assert fmt_local(datetime(2026, 12, 1, 4, 5)) == "01.12.2026 09:05"
        db.session.execute(Job.__table__.delete().where(Job.id.in_([job_id, lost_id])))
        db.session.commit()
