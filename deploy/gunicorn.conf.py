"""gunicorn settings of a Qabyldau web host: ``gunicorn -c deploy/gunicorn.conf.py run:app``.

Everything a host may want to change comes from the environment (the
systemd unit reads /etc/qabyldau/qabyldau.env):

GUNICORN_BIND            where to listen; default 127.0.0.1:8000 (nginx on the
                         same host). A host that serves an nginx on another
                         host binds its private address, e.g. 10.0.0.11:8000.
GUNICORN_WORKERS         worker processes; default 2 × CPU + 1, at most 12
GUNICORN_THREADS         threads per worker; default 1 (sync worker)
GUNICORN_TIMEOUT         seconds before a silent worker is killed; default 60
GUNICORN_ACCESS_LOG      "-" (stdout, the default) or a file; "off" for none
GUNICORN_LOG_LEVEL       the error log's level; default info
GUNICORN_FORWARDED_ALLOW_IPS  proxies trusted for X-Forwarded-Proto (scheme);
                         default 127.0.0.1,::1 (nginx on the same host)

Why these choices:
- preload_app = False. Each worker imports the app itself, so the SQLAlchemy
  pool, the Redis connections and the rate limiter's storage are never
  shared across a fork, and ``systemctl reload qabyldau-web`` (SIGHUP) starts
  workers on the newly installed code without dropping the listening socket.
  The price is a few seconds of start-up per worker and some memory that a
  preloaded master would share copy-on-write.
- sync workers behind nginx: nginx buffers slow clients and request bodies,
  so a sync worker is only busy for the time the app works. Long work
  (exports, reports, imports) runs on the rq workers, not here.
- max_requests with jitter recycles workers now and then (a slow leak in a
  library cannot grow forever) without restarting them all at once.
- worker_tmp_dir on /dev/shm: the workers' heartbeat files on a tmpfs, so a
  slow or full disk cannot make the master kill healthy workers.
- The access log is one JSON object per line with the request id the app
  echoes in X-Request-ID (nginx's $request_id when it sent one), so a line
  of nginx's log, of gunicorn's and of the app's can be joined. The query
  string is left out: list filters may carry an ИИН or a name.
"""
from __future__ import annotations

import json
import logging
import multiprocessing
import os
from datetime import UTC, datetime
from pathlib import Path

from gunicorn.glogging import Logger


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# The project root (this file is deploy/gunicorn.conf.py), so ``run:app`` imports.
chdir = str(Path(__file__).resolve().parents[1])
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = _int("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 12))
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
preload_app = False
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# A request line or header larger than these is refused before the app sees it.
limit_request_line = 8190
limit_request_field_size = 8190
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "qabyldau-web"

_access = os.environ.get("GUNICORN_ACCESS_LOG", "-")
accesslog = None if _access.lower() in ("off", "none", "") else _access
errorlog = "-"  # stderr: journald keeps it
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
capture_output = False


class _JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "qab_json", None) is not None:
            return record.qab_json
        out = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            out["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


class JsonLogger(Logger):
    """gunicorn's logger with JSON lines for the error log and the access log."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(_JsonLines())

    def access(self, resp, req, environ, request_time) -> None:
        if not (self.cfg.accesslog or self.cfg.logconfig or self.cfg.logconfig_dict or self.cfg.syslog):
            return
        if environ.get("PATH_INFO") == "/health" and resp.status_code < 400:
            return  # the load balancer's probes, every few seconds: logged only when they fail
        headers = {name.lower(): value for name, value in (resp.headers or [])}
        line = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "level": "INFO",
            "logger": "gunicorn.access",
            "message": f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')} {resp.status_code}",
            "request_id": headers.get("x-request-id") or environ.get("HTTP_X_REQUEST_ID") or "-",
            "remote_addr": environ.get("REMOTE_ADDR"),
            "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "status": resp.status_code,
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "user_agent": environ.get("HTTP_USER_AGENT"),
            "pid": os.getpid(),
        }
        try:
            self.access_log.info("", extra={"qab_json": json.dumps(line, ensure_ascii=False)})
        except Exception:  # a log line must never fail a request
            self.exception("access log failed")


logger_class = JsonLogger
