"""The id of the request (or job) being handled: kept on ``flask.g`` in a
request and in a context variable outside one (an rq job), so that logs
(``app.ops.logging``) and jobs (``app.jobs``, ``app.worker``) share it
without depending on each other."""
from __future__ import annotations

import contextvars
import re
import uuid

from flask import g, has_request_context

_SANE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$")
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def sane_request_id(value: str | None) -> str | None:
    """The proxy's id if it is short and made of safe characters, else None."""
    if value and _SANE.match(value):
        return value
    return None


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The id of the request (or job) being handled, if any."""
    if has_request_context():
        rid = g.get("request_id")
        if rid:
            return rid
    return _request_id.get()


def set_request_id(value: str | None):
    """Bind an id outside a request (a job); returns a token for ``reset_request_id``."""
    return _request_id.set(value)


def reset_request_id(token) -> None:
    _request_id.reset(token)


def job_meta() -> dict:
    """rq meta for a job enqueued now: the id of the request that launched it."""
    rid = current_request_id()
    return {"request_id": rid} if rid else {}


def bind_job_request_id(job_id: str):
    """In an rq job: log with the launching request's id (else ``job-<id>``).
    Returns the token for ``reset_request_id``."""
    rid = None
    try:
        from rq import get_current_job

        current = get_current_job()
        rid = (current.meta or {}).get("request_id") if current is not None else None
    except Exception:  # not inside rq
        pass
    return set_request_id(sane_request_id(rid) or f"job-{job_id}")
