"""What an rq worker runs: ``worker_entry(job_id)`` builds the app once per
worker process and runs the job through ``app.jobs.run``.

It sits beside ``create_app`` (it needs the whole app, as ``run.py`` does),
so that ``app.jobs`` itself never imports the app package that imports it.
"""
from __future__ import annotations

from flask import has_app_context

from app.jobs import run

_WORKER_APP = None


def worker_entry(job_id: str) -> None:
    """What an rq worker runs: the app is built once per worker process."""
    global _WORKER_APP
    from app.request_id import bind_job_request_id, reset_request_id

    token = bind_job_request_id(job_id)
    try:
        if has_app_context():
            return run(job_id)
        if _WORKER_APP is None:
            from app import create_app

            _WORKER_APP = create_app()
        with _WORKER_APP.app_context():
            run(job_id)
    finally:
        reset_request_id(token)
