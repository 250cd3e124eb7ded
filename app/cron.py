"""Schedules for ``rq cron app/cron.py`` (rq's own cron, rq >= 2.5).

Run exactly one ``rq cron`` process per deployment (next to a worker). Each
entry only enqueues; the worker runs it through ``app.jobs``. Launches are
idempotent per period: the job key names the day (monitor) or the ISO week
(sample), so a second cron process on another host — or a retry — finds the
row queued or running and is refused instead of notifying twice.
"""
from __future__ import annotations

import os

from rq import cron


def deadline_monitor_today() -> None:
    _launch("deadline_monitor", {}, "deadline_monitor")


def compliance_snapshot_today() -> None:
    """The compliance board's daily record: what "a week ago" will show."""
    _launch("compliance_snapshot", {}, "compliance_snapshot")


def survey_sample_this_week() -> None:
    _launch("survey_sample", {"days": 7, "share": 0.1, "not_called_within_days": 90}, "survey_sample")


def systemic_alerts_this_week() -> None:
    """M7.1: the scan of the week that ended on Sunday."""
    _launch("systemic_alerts", {}, "systemic_alerts")


def topic_model_this_week() -> None:
    """Retrain the topic suggestion on the week's newly categorised appeals."""
    _launch("topic_model", {}, "topic_model")


def reap_jobs() -> None:
    """End the rows of jobs whose worker died (app/jobs/reaper.py)."""
    from app import create_app
    from app.jobs.reaper import reconcile

    app = create_app()
    with app.app_context():
        reconcile()


DAILY = ("deadline_monitor", "compliance_snapshot")
"""Jobs launched once a day (their key names the day); the others once a week."""


def _launch(kind: str, params: dict, prefix: str) -> None:
    from datetime import date

    from app import create_app
    from app.jobs import DuplicateJob, launch

    app = create_app()
    with app.app_context():
        year, week, _ = date.today().isocalendar()
        key = f"{prefix}:{date.today().isoformat()}" if kind in DAILY else f"{prefix}:{year}-W{week}"
        try:
            launch(kind, params, user_id=None, key=key, job_id=key.replace(":", "-"))
        except DuplicateJob:
            pass


QUEUE = os.environ.get("RQ_QUEUE", "appeals")  # the queue the workers listen on (config.RQ_QUEUE)
cron.register(deadline_monitor_today, queue_name=QUEUE, cron="0 7 * * 1-5")  # 07:00 on weekdays
cron.register(compliance_snapshot_today, queue_name=QUEUE, cron="30 6 * * *")  # 06:30 every day
cron.register(reap_jobs, queue_name=QUEUE, cron="*/10 * * * *")  # every ten minutes
cron.register(survey_sample_this_week, queue_name=QUEUE, cron="0 8 * * 1")  # Mondays 08:00
cron.register(topic_model_this_week, queue_name=QUEUE, cron="0 3 * * 0")  # Sundays 03:00 (17.3)
cron.register(systemic_alerts_this_week, queue_name=QUEUE, cron="30 7 * * 1")  # Mondays 07:30 (M7.1)
