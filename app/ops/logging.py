"""Logs with request ids: JSON lines in production, readable text in development.

Every request gets an id: the ``X-Request-ID`` the proxy sent when it looks
sane (nginx passes its ``$request_id``), otherwise a fresh one. It is kept on
``flask.g.request_id`` and in a context variable (so code outside a request
context, e.g. an rq job, can carry one too), echoed in the response header
and added to every log record by a filter on our handler — whichever logger
wrote the record (ours, SQLAlchemy's, rq's).

``LOG_FORMAT`` chooses the handler installed on the root logger: ``json``
(production default: one JSON object per line on stderr), ``text``
(development default) or ``none`` (leave logging alone, as the tests do).
"""
from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime

from flask import Flask, current_app, g, has_request_context, request

from app.request_id import current_request_id, new_request_id, sane_request_id

HEADER = "X-Request-ID"
# Load-balancer probes every few seconds would drown the log: logged at DEBUG when healthy.
QUIET_PATHS = ("/health",)
TEXT_FORMAT = "%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s"
CONTEXT_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user_id")

log = logging.getLogger("qabyldau.request")


def _user_id():
    # Only a user Flask-Login has already loaded: never a query of our own.
    user = g.get("_login_user")
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


class ContextFilter(logging.Filter):
    """Adds the request id (and, inside a request, method, path, user) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id() or "-"
        if has_request_context():
            if not hasattr(record, "method"):
                record.method = request.method
            if not hasattr(record, "path"):
                record.path = request.path
            if not hasattr(record, "user_id"):
                record.user_id = _user_id()
        return True


_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request fields, extras."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in CONTEXT_FIELDS:
            value = getattr(record, key, None)
            if value is not None:
                out[key] = value
        for key, value in vars(record).items():  # extra={...} of the caller
            if key not in _RESERVED and key not in out and not key.startswith("_"):
                out[key] = value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)
        if record.exc_info:
            out["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure_logging(fmt: str, level: str = "INFO") -> None:
    """Install one stderr handler on the root logger (replacing ours if already there)."""
    fmt = (fmt or "none").lower()
    if fmt == "none":
        return
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_qabyldau", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._qabyldau = True
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level.upper())
    from flask.logging import default_handler

    # Flask's own handler on app.logger would print every app record a second time.
    logging.getLogger("app").removeHandler(default_handler)


def _begin() -> None:
    rid = sane_request_id(request.headers.get(HEADER)) or new_request_id()
    g.request_id = rid
    g._request_started = time.perf_counter()


def _end(response):
    rid = g.get("request_id")
    if rid:
        response.headers[HEADER] = rid
    started = g.get("_request_started")
    duration = round((time.perf_counter() - started) * 1000, 1) if started else None
    # Development: werkzeug already prints a line per request. Probes: DEBUG when healthy.
    quiet = current_app.config.get("LOG_FORMAT") == "text" or (
        request.path in QUIET_PATHS and response.status_code < 400)
    log.log(
        logging.DEBUG if quiet else logging.INFO,
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={"status": response.status_code, "duration_ms": duration},
    )
    return response


def install(app: Flask) -> None:
    default = "json" if app.config.get("APP_ENV") == "production" else "text"
    if app.config.get("TESTING"):
        default = "none"
    app.config["LOG_FORMAT"] = (app.config.get("LOG_FORMAT") or default).lower()
    configure_logging(app.config["LOG_FORMAT"], app.config.get("LOG_LEVEL") or "INFO")
    # First of the before_request hooks, so every other hook's records carry the id.
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.after_request(_end)
