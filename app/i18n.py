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
