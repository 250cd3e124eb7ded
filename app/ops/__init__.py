"""Operations: request ids and structured logs, ``/health``, the proxy in
front, backups. ``install(app)`` is called once at the end of ``create_app``.
"""
from __future__ import annotations

import os

from flask import Flask

# Settings of this package, read from the environment unless the config
# class sets them: LOG_FORMAT json|text|none (default json in production,
# text in development, none in tests), LOG_LEVEL, PROXY_COUNT (how many
# proxies append to X-Forwarded-For in front of gunicorn: 0 none, 1 nginx,
# 2 a load balancer and nginx).
SETTINGS = {"LOG_FORMAT": "", "LOG_LEVEL": "INFO", "PROXY_COUNT": "0"}


def install(app: Flask) -> None:
    from . import health
    from . import logging as ops_logging

    for name, default in SETTINGS.items():
        app.config.setdefault(name, os.environ.get(name, default))

    ops_logging.install(app)
    health.install(app)
    hops = int(app.config.get("PROXY_COUNT") or 0)
    if hops > 0:
        # Behind nginx (and a load balancer): take the client's address, scheme
        # and host from the X-Forwarded-* headers those proxies set, so the
        # login rate limit and the audit log see the client, not the proxy.
        # X-Forwarded-For gets one address per proxy; nginx sets the other two.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=1, x_host=1)
