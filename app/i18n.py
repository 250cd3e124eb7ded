"""Locale helpers usable in and outside a request."""
from __future__ import annotations

from flask import current_app, has_app_context, has_request_context


def current_locale() -> str:
    """The UI locale of this request, or the configured default."""
    if has_request_context():
        from flask_babel import get_locale

        loc = get_locale()
        if loc is not None:
            return loc.language
    if has_app_context():
        return current_app.config.get("BABEL_DEFAULT_LOCALE", "ru")
    return "ru"


def select_locale() -> str:
    """The locale of a request: ``?_l_=``, then for the REST API the
    Accept-Language header (integrations have no session), then the language
    the user chose in the menu, then ``BABEL_DEFAULT_LOCALE``."""
    from flask import request, session

    languages = current_app.config.get("LANGUAGES", {})
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "ru")
    if not has_request_context():
        return default
    asked = request.args.get("_l_")
    if asked in languages:
        return asked
    if request.path.startswith("/api/"):
        best = request.accept_languages.best_match(list(languages))
        if best:
            return best
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    session["locale"] = default  # FAB's language menu shows the session's flag
    return default
