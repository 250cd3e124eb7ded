"""The reaper: a job row always ends ``finished`` or ``failed``.

``run()`` ends its row in a ``finally``, but a ``finally`` does not run when
the process running it dies: a work horse killed by the kernel or by rq's own
timeout, a worker and its horse killed together, a server restarted in the
middle of an in-process job, a Redis flushed of its queue. ``reconcile()``
compares each row still ``queued`` or ``running`` with what rq knows and
corrects the row:

- rq says the job failed (the horse was killed on its last retry, the job
  timed out, it was abandoned) → the row is ``failed`` with that reason;
- rq says it finished → the row is ``finished``;
- rq has put it back in the queue for a retry → the row is ``queued``;
- rq says it is running, but the worker running it is dead (its Redis key
  expired, its heartbeat is past due, or it ran on this host and its process
  is gone) → rq's job is failed as rq's own abandoned-job cleanup would do,
  and the row is ``failed``;
- rq has no trace of the job at all → the row is ``failed``;
- without Redis (jobs in-process) a row older than the job timeout is
  ``failed``: the process that ran it is gone.

It runs where somebody would otherwise see a stale row: the duplicate guard
of ``launch()`` (a row that is not really running never blocks a new
launch), the Jobs page and its progress polling, ``/health`` (at most every
``REAP_EVERY`` seconds per process), ``flask jobs reap`` and a cron entry.
The reason is stored as a code (``WorkerLost: …``) the Jobs page translates.
"""
from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Job

log = logging.getLogger("qabyldau.jobs")

RUNNING = ("queued", "running")
GRACE = timedelta(seconds=60)
"""A row younger than this may not have reached rq yet (commit, then enqueue)."""
REAP_EVERY = 30.0
"""Seconds between two reconciliations triggered by ``/health`` in one process."""

WORKER_LOST = "WorkerLost"
JOB_LOST = "JobLost"
JOB_KILLED = "JobKilled"
CODES = (WORKER_LOST, JOB_LOST, JOB_KILLED)


@dataclass
class Reconciled:
    checked: int = 0
    changed: dict[str, str] = field(default_factory=dict)
    """Row id → its new status."""
    workers: int | None = None
    """Live workers on the queue (``None`` without Redis or when it is down)."""


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by somebody else
        return True
    return True


def _worker_dead(conn, job, now_ts: float) -> str | None:
    """Why the worker running ``job`` is dead, or ``None`` if it seems alive."""
    from rq.registry import StartedJobRegistry
    from rq.worker import Worker

    registry = StartedJobRegistry(job.origin, connection=conn)
    if job.id in registry.get_expired_job_ids(now_ts):
        return "its heartbeat is past due"
    if not job.worker_name:
        return None  # just taken, the name is written with the status
    worker = Worker.find_by_key(Worker.redis_worker_namespace_prefix + job.worker_name, connection=conn)
    if worker is None:
        return "its worker is gone"
    if worker.hostname == socket.gethostname() and worker.pid and not _pid_alive(worker.pid):
        return "its worker process is gone"
    return None


def _fail_in_rq(conn, job, why: str) -> None:
    """What rq's abandoned-job cleanup does, for one job whose worker is dead."""
    from rq.job_lifecycle import record_job_failure
    from rq.registry import StartedJobRegistry

    with conn.pipeline() as pipe:
        record_job_failure(job, f"AbandonedJobError: {why}", pipe)
        StartedJobRegistry(job.origin, connection=conn).remove_executions(job, pipeline=pipe)
        pipe.execute()


def _rq_failure(job) -> str:
    result = job.latest_result()
    text = (getattr(result, "exc_string", None) or "").strip()
    last = text.splitlines()[-1] if text else "failed"
    return f"{JOB_KILLED}: {last}"[:2000]


def verdict(row: Job, conn, now: datetime, now_ts: float) -> tuple[str, str | None] | None:
    """The status (and error code) the row should have, or ``None`` if right."""
    if conn is None:
        timeout = timedelta(seconds=int(current_app.config.get("JOB_TIMEOUT", 3600)))
        since = row.started_at or row.created_at or now
        if now - since > timeout + GRACE:
            return "failed", f"{WORKER_LOST}: not ended within the job timeout"
        return None
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RqJob
    from rq.job import JobStatus

    try:
        job = RqJob.fetch(row.id, connection=conn)
    except NoSuchJobError:
        if row.created_at and now - row.created_at < GRACE:
            return None
        return "failed", f"{JOB_LOST}: the queue has no trace of it"
    status = job.get_status(refresh=False)
    if status == JobStatus.FINISHED:
        return ("finished", None) if row.status != "finished" else None
    if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
        return "failed", _rq_failure(job)
    if status in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED):
        return ("queued", None) if row.status != "queued" else None
    if status == JobStatus.STARTED:
        why = _worker_dead(conn, job, now_ts)
        if why is None:
            return None
        _fail_in_rq(conn, job, why)
        return "failed", f"{WORKER_LOST}: {why}"
    return None


def reconcile(ids: list[str] | None = None, now: datetime | None = None, now_ts: float | None = None,
              limit: int = 500) -> Reconciled:
    """Correct the rows still queued or running (those of ``ids`` only, if
    given) and commit. Redis down: nothing is changed (nothing is known)."""
    from redis.exceptions import RedisError

    now = now or datetime.utcnow()
    now_ts = now_ts if now_ts is not None else time.time()
    query = select(Job).where(Job.status.in_(RUNNING)).order_by(Job.created_at).limit(limit)
    if ids is not None:
        if not ids:
            return Reconciled()
        query = query.where(Job.id.in_(ids))
    rows = db.session.execute(query).scalars().all()
    out = Reconciled(checked=len(rows))
    try:
        conn = _redis()
        if conn is not None:
            out.workers = _live_workers(conn)
        for row in rows:
            new = verdict(row, conn, now, now_ts)
            if new is None:
                continue
            status, error = new
            row.status = status
            if status in ("finished", "failed"):
                row.ended_at = row.ended_at or now
            if status == "finished":
                row.progress = 100
            if error:
                row.error = error
            out.changed[row.id] = status
            log.warning("jobs: %s job %s was %s, now %s (%s)", row.kind, row.id, "in rq" if conn else "in-process",
                        status, error or "reconciled")
    except RedisError as exc:
        db.session.rollback()
        log.warning("jobs: reconciliation skipped, Redis unreachable: %s", type(exc).__name__)
        return Reconciled(checked=len(rows))
    if out.changed:
        db.session.commit()
    return out


def _live_workers(conn) -> int:
    from rq import Queue
    from rq.worker import Worker

    queue = Queue(current_app.config.get("RQ_QUEUE") or "appeals", connection=conn)
    return len(Worker.all(queue=queue))


def still_running(row: Job) -> bool:
    """The duplicate guard's question: is this queued or running row real?"""
    result = reconcile([row.id])
    return row.id not in result.changed or result.changed[row.id] == "queued"


_last_run = {"at": 0.0, "result": None}


def reconcile_now_and_then() -> Reconciled | None:
    """For ``/health``: reconcile at most every ``REAP_EVERY`` seconds."""
    clock = time.monotonic()
    if _last_run["result"] is None or clock - _last_run["at"] >= REAP_EVERY:
        _last_run["at"] = clock
        _last_run["result"] = reconcile()
    return _last_run["result"]
