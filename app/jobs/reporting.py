"""A job's progress, on the row and in rq's meta."""
from __future__ import annotations

import time

from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import Job

_last_progress: dict[str, float] = {}
PROGRESS_EVERY = 1.0
"""Seconds between two progress writes of a job."""


def progress(job_id: str, pct: int, message: str | None = None) -> None:
    """Report progress to the row (read by the Jobs page) and to rq's meta,
    at most once per ``PROGRESS_EVERY`` seconds (the end always).

    The row is written on a connection of its own, never by committing the
    job's session: a task's work (an import) stays one transaction that
    commits or rolls back whole. Progress is best effort: where the
    database lets one writer at a time (SQLite, while the task writes), the
    update is skipped rather than waited for."""
    now = time.monotonic()
    if pct < 100 and not message and now - _last_progress.get(job_id, 0.0) < PROGRESS_EVERY:
        return
    if len(_last_progress) > 1000:
        _last_progress.clear()
    _last_progress[job_id] = now
    values = {"progress": max(0, min(100, int(pct))), **({"message": message} if message else {})}
    with db.engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        try:
            if sqlite:
                conn.exec_driver_sql("PRAGMA busy_timeout = 0")
            conn.execute(update(Job).where(Job.id == job_id).values(**values))
            conn.commit()
        except OperationalError:
            conn.rollback()
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA busy_timeout = 5000")
    try:
        from rq import get_current_job

        current = get_current_job()
        if current is not None:
            current.meta["progress"] = int(pct)
            current.save_meta()
    except Exception:  # not inside rq
        pass
