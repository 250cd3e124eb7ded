"""Qabyldau: the admin panel of the appeals-control department.

``create_app(config)`` is the one factory; nothing else builds an app.
"""
from __future__ import annotations

import logging

from flask import Flask

from config import BASE_DIR, INSTANCE_DIR, Config, config_for_env

from .extensions import db, migrate


def create_app(config: type[Config] | None = None) -> Flask:
    config = config or config_for_env()
    config.validate()
    app = Flask(__name__, instance_path=str(INSTANCE_DIR), instance_relative_config=False)
    app.config.from_object(config)
    logging.getLogger("flask_appbuilder").setLevel(logging.WARNING)
    # FAB warns for every Time column it cannot filter on; we never offer one.
    logging.getLogger("flask_appbuilder.models.filters").setLevel(logging.ERROR)

    from .services import audit_log  # noqa: F401  (registers the audit listener)

    _engine_options(app)
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True, compare_type=True
    )

    with app.app_context():
        from flask_appbuilder import AppBuilder

        from .fab import rison
        from .views.index import HomeView

        rison.install()

        appbuilder = AppBuilder(indexview=HomeView)  # one per app: FAB keeps its views on it
        appbuilder.init_app(app, db.session)
        from .i18n import RequestCachedDomain, select_locale

        app.extensions["babel"].locale_selector = select_locale
        RequestCachedDomain.install(app)
        from . import api, views

        views.register(appbuilder)
        api.register(appbuilder)
        appbuilder.post_init()
        from . import http_errors

        http_errors.register(app)

    from .labels import TERM_LABELS, label

    app.jinja_env.filters["enum_label"] = label
    app.jinja_env.globals["appeal_term_labels"] = TERM_LABELS
    app.jinja_env.filters["isodate"] = _isodate
    from .services.clock import fmt_local

    app.jinja_env.filters["localtime"] = fmt_local  # a UTC timestamp in local time
    from .security.privacy import personal

    app.jinja_env.filters["personal"] = personal
    from flask_babel import format_decimal

    app.jinja_env.filters["number"] = lambda v: format_decimal(v)
    from .i18n import current_locale

    app.jinja_env.globals["current_locale_code"] = current_locale
    from .views.jobs import notification_count

    app.jinja_env.globals["notification_count"] = notification_count
    from .views.menu import navbar_menu

    app.jinja_env.globals["navbar_menu"] = navbar_menu
    from .services.region import region_words

    app.jinja_env.globals["region"] = region_words  # the region's names in the page's language (region.json)

    app.before_request(_sanitize_paging_args)
    app.before_request(_refuse_nul_in_forms)
    from .security import hardening

    hardening.install(app)
    from . import ops

    ops.install(app)  # request ids and logs, /health, proxy headers

    from .cli import register_cli

    register_cli(app)
    return app


def _isodate(value) -> str:
    """"2026-10-10" or a date → "10.10.2026" (letters and history payloads)."""
    from datetime import date

    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return value.strftime("%d.%m.%Y") if value else ""


MAX_PAGE_SIZE = 100


def _refuse_nul_in_forms():
    """A NUL byte in a field of a page's form is no text anyone typed, and
    PostgreSQL would refuse it at the commit: the 400 page, nothing saved.
    (The API has its own reader, ``app.api.handling``.)"""
    from flask import abort, request

    if (request.method in ("POST", "PUT", "PATCH") and not request.path.startswith("/api/")
            and any("\x00" in k or "\x00" in v for k, v in request.form.items(multi=True))):
        abort(400)
    return None


def _sanitize_paging_args():
    """FAB reads ``page_<View>`` / ``psize_<View>`` with a bare int(): text
    or a negative page would answer 500. Redirect to the same list with
    those arguments made sane (dropped, or clamped to 1..100 rows)."""
    from flask import redirect, request

    if request.method != "GET" or request.path.startswith("/api/"):
        return None
    fixed, changed = [], False
    for key, value in request.args.items(multi=True):
        if key.startswith(("page_", "psize_")):
            try:
                number = int(value)
            except ValueError:
                changed = True
                continue
            low, high = (0, 10**6) if key.startswith("page_") else (1, MAX_PAGE_SIZE)
            if not low <= number <= high:
                number, changed = min(max(number, low), high), True
            value = str(number)
        fixed.append((key, value))
    if not changed:
        return None
    from urllib.parse import urlencode

    return redirect(request.path + ("?" + urlencode(fixed) if fixed else ""))


def _engine_options(app: Flask) -> None:
    """PostgreSQL: connections are checked before reuse (a restarted server
    or a failover), and JIT is off — it adds 40 ms of compilation to a
    dashboard query that reads an index in 50."""
    if not str(app.config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("pool_pre_ping", True)
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault("options", "-c jit=off")
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
