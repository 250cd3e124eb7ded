"""Security headers (with a CSP nonce for every script), the password policy."""
from __future__ import annotations

import secrets

from flask import Flask, g, request
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import gettext
from flask_wtf.csrf import CSRFProtect

COMMON_PASSWORDS = frozenset(
    ["password", "password1", "password123", "passw0rd", "qwerty", "qwerty123", "qwertyuiop", "qwerty12345", "1234567890", "12345678910", "123456789", "12345678", "111111111", "0000000000", "1q2w3e4r5t", "1qaz2wsx3edc", "admin", "admin123", "admin12345", "administrator", "welcome", "welcome123", "letmein", "iloveyou", "abc123456", "zaq12wsx", "asdfghjkl", "zxcvbnm123", "kazakhstan", "qazaqstan", "astana", "almaty", "taldykorgan", "zhetysu", "akimat", "parol", "parol123", "privet123", "password2024", "password2025", "password2026"]
)
MIN_LENGTH = 10


def password_policy(password: str) -> None:
    """FAB_PASSWORD_COMPLEXITY_VALIDATOR: at least 10 characters with
    letters and digits, not a common password, not the user's name."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        raise PasswordComplexityValidationError(
            gettext("The password must have at least %(n)s characters.", n=MIN_LENGTH)
        )
    if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
        raise PasswordComplexityValidationError(gettext("The password must contain letters and digits."))
    if password.lower() in COMMON_PASSWORDS:
        raise PasswordComplexityValidationError(gettext("This password is too common."))
    names = set()
    try:
        names.add((request.form.get("username") or "").lower())
        user = getattr(g, "user", None)
        names.add((getattr(user, "username", "") or "").lower())
    except RuntimeError:  # outside a request
        pass
    names.discard("")
    if any(name in password.lower() for name in names):
        raise PasswordComplexityValidationError(gettext("The password must not contain the user name."))


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _security_headers(response):
    nonce = g.get("csp_nonce")
    script_src = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; "
        f"script-src {script_src}; "
        "style-src 'self' 'unsafe-inline'; "  # FAB's templates use style attributes
        "img-src 'self' data:; font-src 'self' data:; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


csrf = CSRFProtect()


def _csrf_for_the_ui():
    """Every state-changing request of the UI carries a CSRF token (forms,
    list actions, approve, rework…); the REST API authenticates with JWT."""
    from flask import current_app

    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and not request.path.startswith("/api/"):
        csrf.protect()


def install(app: Flask) -> None:
    app.config.setdefault("FAB_PASSWORD_COMPLEXITY_VALIDATOR", password_policy)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked below, API excepted
    csrf.init_app(app)
    app.before_request(_csrf_for_the_ui)
    from . import sessions

    sessions.install(app)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(_security_headers)
