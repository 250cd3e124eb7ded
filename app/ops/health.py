"""``GET /health`` for load balancers and monitoring.

No login, no CSRF (GET only), no rate limit, no personal data: the database
answers ``SELECT 1``; Redis answers ``PING`` when ``REDIS_URL`` is set.
200 ``{"status": "ok", ...}`` when every configured dependency answers,
503 ``{"status": "fail", ...}`` otherwise. ``jobs`` reports the background
jobs (the reaper runs first, at most every 30 s per process): ``workers``
live on the queue, ``unfinished`` rows, ``reaped`` rows it just ended; with
rows waiting and no worker alive, ``jobs.status`` is ``"no worker"`` — told,
not failed (the panel itself still serves). Errors go to the log, never into
the answer (they could name hosts or users).
"""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from app.extensions import db

log = logging.getLogger("qabyldau.health")
bp = Blueprint("health", __name__)
_redis_clients: dict[str, object] = {}
TIMEOUT_S = 2


def _check_database() -> str:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1")).scalar_one()
        return "ok"
    except Exception as exc:
        log.error("health: database check failed: %s: %s", type(exc).__name__, exc)
        return "fail"


def _check_redis(url: str | None) -> str:
    if not url:
        return "disabled"
    try:
        client = _redis_clients.get(url)
        if client is None:  # one client (and its small pool) per process
            from redis import Redis

            client = Redis.from_url(url, socket_connect_timeout=TIMEOUT_S, socket_timeout=TIMEOUT_S)
            _redis_clients[url] = client
        client.ping()
        return "ok"
    except Exception as exc:
        log.error("health: redis check failed: %s: %s", type(exc).__name__, exc)
        return "fail"


def _jobs(redis_ok: bool) -> dict:
    from app.jobs.reaper import reconcile_now_and_then

    try:
        result = reconcile_now_and_then()
    except Exception as exc:
        db.session.rollback()
        log.error("health: job reconciliation failed: %s: %s", type(exc).__name__, exc)
        return {"status": "fail"}
    left = result.checked - sum(1 for s in result.changed.values() if s in ("finished", "failed"))
    out = {"unfinished": left, "reaped": len(result.changed)}
    if result.workers is not None:
        out["workers"] = result.workers
        out["status"] = "no worker" if left and not result.workers else "ok"
    else:
        out["status"] = "ok" if redis_ok or not current_app.config.get("REDIS_URL") else "unknown"
    return out


@bp.route("/health", methods=["GET", "HEAD"])
def health():
    result = {
        "database": _check_database(),
        "redis": _check_redis(current_app.config.get("REDIS_URL")),
    }
    ok = all(v in ("ok", "disabled") for v in result.values())
    if result["database"] == "ok":
        result["jobs"] = _jobs(result["redis"] == "ok")
    response = jsonify({"status": "ok" if ok else "fail", **result})
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def install(app) -> None:
    app.register_blueprint(bp)
    limiter = getattr(getattr(app, "appbuilder", None), "sm", None)
    limiter = getattr(limiter, "limiter", None)
    if limiter is not None:  # never rate-limited, even if a default limit is configured one day
        try:
            limiter.exempt(bp)
        except Exception:  # an older Flask-Limiter without blueprint exemption
            log.debug("health: could not exempt the blueprint from the rate limiter")
