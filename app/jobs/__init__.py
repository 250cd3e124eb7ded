"""Background jobs on rq, with a DB row per job keyed by the rq job id.

With ``REDIS_URL`` set, ``launch()`` enqueues on the ``appeals`` queue and an
``rq worker`` runs the job; unset (the embedded default) the same job runs
in-process before ``launch()`` returns. Either way ``run()`` marks the row
running, reports progress (row and ``job.meta``), and in a ``finally`` ends it
as finished or failed — and when the process dies before its ``finally``,
the reaper (``reaper.py``) ends the row. A worker runs
``app.worker.worker_entry``; progress is written by ``reporting.progress``.
"""
from __future__ import annotations

import os
import threading
import traceback
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime

from flask import current_app, g
from sqlalchemy import select, text

from app.extensions import db
from app.models import Job

from .reporting import progress  # noqa: F401  (tasks report through it)

QUEUE = "appeals"
RUNNING = ("queued", "running")


class JobsUnavailable(Exception):
    """Redis cannot be reached: the job was not queued (its row says failed)."""


class DuplicateJob(Exception):
    """The same job (kind and parameters) is already queued or running."""

    def __init__(self, job_id: str):
        super().__init__(job_id)
        self.job_id = job_id


def _registry() -> dict[str, Callable]:
    from . import tasks

    return tasks.TASKS


def launch(kind: str, params: dict | None = None, user_id: int | None = None, key: str | None = None,
           job_id: str | None = None) -> Job:
    """Create the job's row and run it (rq, or in-process without Redis)."""
    if kind not in _registry():
        raise KeyError(kind)
    params = dict(params or {})
    key = key or f"{kind}:{sorted(params.items())}:{user_id}"
    from .reaper import still_running

    # parallel launches of one key (twenty clicks on "Retrain now", cron on two hosts) take turns here:
    # the first one's row is committed before the next looks, so one row and one rq job are made
    with _one_launch_at_a_time(key):
        for busy in db.session.execute(select(Job).where(Job.key == key, Job.status.in_(RUNNING))).scalars().all():
            if still_running(busy):  # a row whose worker died is ended by the reaper, and blocks nothing
                db.session.rollback()
                raise DuplicateJob(busy.id)
        if job_id is not None and db.session.get(Job, job_id) is not None:
            db.session.rollback()
            raise DuplicateJob(job_id)  # a per-period id already used (cron on several hosts)
        job = Job(id=job_id or uuid.uuid4().hex, kind=kind, key=key[:200], user_id=user_id, params=params,
                  status="queued", progress=0)
        db.session.add(job)
        db.session.commit()
    url = current_app.config.get("REDIS_URL")
    if url:
        from redis import Redis
        from redis.exceptions import RedisError
        from rq import Queue, Retry

        from app.request_id import job_meta

        try:
            Queue(current_app.config.get("RQ_QUEUE", QUEUE),
                  connection=Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)).enqueue(
                "app.worker.worker_entry", job.id, job_id=job.id, retry=_retry(Retry),
                meta=job_meta(),  # the launching request's id, for the job's log lines
                result_ttl=int(current_app.config.get("JOB_RESULT_TTL", 7 * 86400)),
                job_timeout=int(current_app.config.get("JOB_TIMEOUT", 3600)),
            )
        except RedisError as exc:
            # nothing is left "queued" for a worker that will never see it
            current_app.logger.warning("jobs: Redis unreachable, %s job %s not queued: %s", kind, job.id, exc)
            _save(job.id, status="failed", ended_at=datetime.utcnow(), error=f"JobsUnavailable: {type(exc).__name__}")
            raise JobsUnavailable(job.id) from None
    else:
        try:
            run(job.id)
        except Exception:  # already recorded on the row as failed
            pass
        db.session.refresh(job)
    return job


_SQLITE_LAUNCHES = threading.Lock()
"""SQLite (the embedded default: one process) serialises launches in the process."""


@contextmanager
def _one_launch_at_a_time(key: str):
    """PostgreSQL: an advisory lock on the key, held until the launch's commit
    or rollback (any host, any process); SQLite: a lock in the process."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": "job:" + key[:200]})
        yield
    else:
        with _SQLITE_LAUNCHES:
            yield


def _retry(retry_class):
    """rq's retries of a failed job (``JOB_RETRIES``, 2 by default, after 10 s then 60 s)."""
    count = int(current_app.config.get("JOB_RETRIES", 2))
    if count <= 0:
        return None
    return retry_class(max=count, interval=list(current_app.config.get("JOB_RETRY_INTERVALS", [10, 60])))


def _save(job_id: str, **fields) -> None:
    row = db.session.get(Job, job_id)
    for k, v in fields.items():
        setattr(row, k, v)
    db.session.commit()


def run(job_id: str) -> None:
    """Run a job inside an app context, as the user who launched it."""
    row = db.session.get(Job, job_id)
    if row is None:
        raise LookupError(job_id)
    task = _registry()[row.kind]
    _save(job_id, status="running", started_at=datetime.utcnow(), error=None)
    ok = False
    try:
        with current_app.test_request_context("/jobs/run", query_string=(row.params or {}).get("args") or {}):
            user = current_app.appbuilder.sm.get_user_by_id(row.user_id) if row.user_id else None
            if user is not None:  # rights, scope and masking are those of who launched it
                from flask_login import login_user

                login_user(user)
            g.user = user
            g.system_job = user is None  # scheduled jobs (monitor, weekly sample) see every row
            result = task(job_id, dict(row.params or {})) or {}
        ok = True
        _save(job_id, **{k: v for k, v in result.items() if k in ("result_path", "result_name", "message")})
    except Exception as exc:  # the job ends failed with its error, and rq may retry it
        db.session.rollback()
        report = getattr(exc, "path", None)  # e.g. an import's error report
        # the traceback goes to the log, never to the row (the Jobs page shows the row)
        current_app.logger.error("jobs: %s job %s failed\n%s", row.kind, job_id, traceback.format_exc(limit=8))
        _save(job_id, error=f"{type(exc).__name__}: {exc}"[:2000], message=None,
              **({"result_path": report, "result_name": os.path.basename(report)} if report else {}))
        raise
    finally:
        db.session.rollback()
        _save(job_id, status="finished" if ok else "failed", ended_at=datetime.utcnow(),
              **({"progress": 100} if ok else {}))
