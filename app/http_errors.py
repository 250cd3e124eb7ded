"""HTTP errors as people read them: under /api/ a JSON answer (the API's
own), elsewhere a page inside the panel's layout, translated, with the way
back — never Werkzeug's bare English page, never a stack."""
from __future__ import annotations

import logging

from flask import Flask, make_response, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

CODES = (400, 403, 404, 405, 409, 413, 429, 500)


def N_(msgid: str) -> str:
    return msgid


PAGES = {
    400: (N_("The request could not be read"), N_("Something in the address or the form was not what the page expects. Go back and try again.")),
    403: (N_("You may not open this page"), N_("Your role does not give access to it. If your work needs it, ask the administrator.")),
    404: (N_("Page not found"), N_("There is no such page, or the record is not in what you may see. Check the address, or find the record from the menu.")),
    405: (N_("This method is not allowed here"), N_("The page does not accept this kind of request. Go back and use the buttons of the page.")),
    409: (N_("The record was changed by someone else"), N_("Reload it to see the current version, then make your change again.")),
    413: (N_("The file or the form is too large"), N_("Send a smaller file, or split it.")),
    429: (N_("Too many attempts"), N_("Wait a minute and try again.")),
    500: (N_("Something went wrong on our side"), N_("Nothing of your request was saved. The error is logged; if it happens again, tell the administrator the number below.")),
}


def error_page(exc):
    code = exc.code if isinstance(exc, HTTPException) and exc.code else 500
    if request.path.startswith("/api/"):
        from app.api import json_error

        return json_error(exc)
    if code == 429:  # the login limit has its own page, with the way back to the login
        from flask import current_app

        appbuilder = current_app.appbuilder
        return render_template("qabyldau/too_many.html", appbuilder=appbuilder,
                               base_template=appbuilder.base_template), 429
    from app.request_id import current_request_id

    title, text = PAGES.get(code, PAGES[500])
    try:
        from flask import current_app

        appbuilder = current_app.appbuilder
        body = render_template("qabyldau/error.html", appbuilder=appbuilder, base_template=appbuilder.base_template,
                               code=code, title=gettext(title), text=gettext(text),
                               request_id=current_request_id() if code == 500 else None)
    except Exception:  # the layout itself failed (the database is down): a page that needs nothing
        log.exception("error page could not be rendered in the layout")
        body = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{gettext(title)}</title></head>'
                f'<body><h1>{gettext(title)}</h1><p>{gettext(text)}</p><p><a href="/">{gettext("Home page")}</a>'
                f"</p></body></html>")
    response = make_response(body, code)
    if code == 405 and getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def unexpected(exc):
    """Any exception no handler took: logged with its stack, answered as a 500
    (an HTTP error of another code keeps Werkzeug's own answer, a redirect included)."""
    if isinstance(exc, HTTPException):
        return error_page(exc) if exc.code in CODES else exc
    log.exception("unhandled error")
    from app.extensions import db

    try:
        db.session.rollback()
    except Exception:  # pragma: no cover - the session is already gone
        pass
    return error_page(InternalServerError(original_exception=exc))


def register(app: Flask) -> None:
    for code in CODES:
        app.register_error_handler(code, error_page)
    if not app.debug and not app.testing:
        app.register_error_handler(Exception, unexpected)
