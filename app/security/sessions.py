"""Browser sessions the server can end: Flask's session is a signed cookie,
so without this a cookie captured before a logout would still log in.

Each login through the form records a ``user_session`` row and puts its id
in the cookie; a logout ends the row; every request of a logged-in browser
whose session row is missing or ended is logged out. The REST API's JWTs
are not cookies and are not concerned (their lifetime is bounded)."""
from __future__ import annotations

import secrets
from datetime import datetime

from flask import Flask, current_app, g, has_request_context, redirect, request, session
from flask_login import user_logged_in, user_logged_out

KEY = "q_sid"


def _record_login(app, user, **_extra) -> None:
    from app.extensions import db
    from app.models import UserSession

    if not has_request_context() or request.path == "/jobs/run":  # a job runs as its user: no browser
        return
    sid = secrets.token_urlsafe(32)
    db.session.add(UserSession(id=sid, user_id=user.id, created_at=datetime.utcnow()))
    db.session.commit()
    session[KEY] = sid


def _record_logout(app, user, **_extra) -> None:
    from app.extensions import db
    from app.models import UserSession

    sid = session.pop(KEY, None) if has_request_context() else None
    if sid:
        row = db.session.get(UserSession, sid)
        if row is not None and row.ended_at is None:
            row.ended_at = datetime.utcnow()
            db.session.commit()


def _check_session():
    """Before a request: a logged-in browser whose session was ended is logged out."""
    from flask_login import current_user, logout_user

    from app.extensions import db
    from app.models import UserSession

    if request.path.startswith("/static/") or "_user_id" not in session:
        return None
    sid = session.get(KEY)
    row = db.session.get(UserSession, sid) if sid else None
    if row is not None and row.ended_at is None and str(row.user_id) == str(session.get("_user_id")):
        return None
    if getattr(current_user, "is_authenticated", False) or "_user_id" in session:
        session.pop(KEY, None)
        logout_user()
        g.user = None
    if request.path.startswith("/api/"):
        return None  # the API answers 401 itself for a request that is no longer logged in
    return redirect(current_app.appbuilder.get_url_for_login)


def install(app: Flask) -> None:
    user_logged_in.connect(_record_login, app)
    user_logged_out.connect(_record_logout, app)
    app.before_request(_check_session)
