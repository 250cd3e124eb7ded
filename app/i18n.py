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


class RequestCachedDomain:
    """Flask-Babel's message domain, with the translations of the current
    locale kept on the request context: Flask-Babel looks them up by
    ``str(locale)`` on every one of the few hundred strings a page shows.
    ``force_locale`` (letters in the applicant's language) changes the
    locale object, so the cache follows it."""

    @staticmethod
    def install(app) -> None:
        from flask_babel import Domain, _get_current_context, get_locale

        class _Domain(Domain):
            def get_translations(self):
                ctx = _get_current_context()
                if ctx is None:
                    return super().get_translations()
                locale = get_locale()
                hit = getattr(ctx, "_qab_translations", None)
                if hit is not None and hit[0] is self and hit[1] is locale:
                    return hit[2]
                translations = super().get_translations()
                ctx._qab_translations = (self, locale, translations)
                return translations

        babel = app.extensions["babel"].instance
        babel.domain_instance = _Domain(domain=app.extensions["babel"].default_domain)
