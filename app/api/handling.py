"""The API edge: one reader of request bodies and one map from every error
to its HTTP answer. Nothing below it knows HTTP; nothing above it answers
an error any other way.

- ``read_body(schema_cls)``: the JSON object of the request loaded by a
  marshmallow schema (unknown fields, wrong types, out-of-range integers,
  NUL bytes → ``BadRequest``);
- ``error_answer(api, exc)``: ``BadRequest``/``ValidationError`` → 400,
  ``OutsideScope`` → 403, ``LookupError`` → 404, ``Conflict`` → 409,
  ``DataRefused`` → its status, ``RuleViolation`` → 422 ``{"message", "rule"}``;
  every answer a translated sentence, never SQL, a stack or a row.
"""
from __future__ import annotations

from flask import request
from flask_babel import gettext
from marshmallow import ValidationError, fields

from app.services.errors import Conflict, DataRefused, RuleViolation


class OutsideScope(Exception):
    """Creating or moving a record outside the user's scope (HTTP 403)."""


class BadRequest(Exception):
    """A body that is not what the endpoint reads (HTTP 400)."""

    def __init__(self, messages) -> None:
        super().__init__(str(messages))
        self.messages = messages


def json_object():
    """The request's JSON object, or ``BadRequest``."""
    payload = request.get_json(silent=True) if request.is_json else None
    if not isinstance(payload, dict):
        raise BadRequest(gettext("The request body must be a JSON object."))
    return payload


def read_body(schema_cls) -> dict:
    """The request body loaded by ``schema_cls``, or ``BadRequest``."""
    try:
        return schema_cls().load(json_object())
    except ValidationError as err:
        raise BadRequest(err.messages) from None


HANDLED = (BadRequest, ValidationError, OutsideScope, LookupError, Conflict, DataRefused, RuleViolation)


def error_answer(api, exc: Exception):
    """The answer of ``api`` (a FAB BaseApi) to one of the ``HANDLED`` errors;
    the session is rolled back first: nothing of the request is kept."""
    from app.extensions import db

    db.session.rollback()
    if isinstance(exc, BadRequest):
        return api.response_400(message=exc.messages)
    if isinstance(exc, ValidationError):
        return api.response_400(message=exc.messages)
    if isinstance(exc, OutsideScope):
        return api.response_403()
    if isinstance(exc, LookupError):
        return api.response_404()
    if isinstance(exc, Conflict):
        return api.response(409, message=gettext("The appeal was changed by someone else: reload it and try again."))
    if isinstance(exc, DataRefused):
        return api.response(exc.status, message=str(exc.message))
    return api.response(422, message=str(exc.message), rule=exc.rule)


def guarded(api, call):
    """``call()``'s answer, or the answer to the error it raised."""
    try:
        return call()
    except HANDLED as exc:
        return error_answer(api, exc)


# --- hygiene of every API request, before any endpoint reads it ------------------
MAX_INT = 2**31 - 1
"""Every integer column is 32-bit: a larger number fits no field."""


def _bad_value(value, depth: int = 0):
    """Why ``value`` (decoded JSON or rison) cannot be read, or None."""
    if depth > 20:
        return gettext("The input is nested too deeply.")
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return None
    if isinstance(value, int):
        return None if -MAX_INT - 1 <= value <= MAX_INT else gettext("A number is out of range.")
    if isinstance(value, str):
        if "\x00" in value:
            return gettext("A text contains a NUL character.")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return gettext("A text is not valid Unicode.")
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            problem = _bad_value(key, depth + 1) or _bad_value(item, depth + 1)
            if problem:
                return problem
        return None
    if isinstance(value, list):
        for item in value:
            problem = _bad_value(item, depth + 1)
            if problem:
                return problem
        return None
    return gettext("The input has a value of an unknown type.")


_BROKEN = object()


def _decode_q(q: str):
    """``q`` as FAB reads it: rison, or JSON (``FAB_API_ALLOW_JSON_QS``);
    ``_BROKEN`` when it is neither, or not an object (prison raises more
    than its own ParserException on broken input, which FAB answers with a
    500, and every endpoint reads ``q`` as an object)."""
    import json

    import prison

    try:
        decoded = prison.loads(q)
    except prison.decoder.ParserException:
        try:
            decoded = json.loads(q)
        except ValueError:
            return _BROKEN
    except Exception:  # FAB would let this one through as a 500
        return _BROKEN
    return decoded if isinstance(decoded, dict) else _BROKEN


def check_request():
    """A ``before_request`` for /api/: a ``q`` that is not rison, or any
    value — in ``q`` or in a JSON body — that no field can hold (an integer
    beyond 32 bits, a NUL byte, a lone surrogate) is a 400 before an
    endpoint, a filter or the database sees it."""
    from flask import jsonify

    if not request.path.startswith("/api/"):
        return None
    problem = None
    q = request.args.get("q")
    if q:
        decoded = _decode_q(q)
        problem = gettext("The q parameter is not valid rison.") if decoded is _BROKEN else _bad_value(decoded)
        if problem is None and any(isinstance(decoded.get(k), int) and decoded[k] < 0 for k in ("page", "page_size")):
            problem = gettext("A page number is never negative.")
    if problem is None and request.method in ("POST", "PUT", "PATCH") and request.is_json:
        body = request.get_json(silent=True)
        if body is None and request.get_data():
            problem = gettext("The request body must be a JSON object.")
        else:
            problem = _bad_value(body)
    if problem is None:
        return None
    response = jsonify({"message": problem})
    response.status_code = 400
    return response


# --- dates within sane bounds ---------------------------------------------------
EARLIEST_YEAR, LATEST_YEAR = 2000, 2099


def sane_date(value) -> None:
    """A marshmallow validator for every date a client sends: in 2000–2099
    (year 0001 or 9999-12-31 is a typing error, never a receipt, a term or a
    reception; a receipt in the future is R25's own 422)."""
    import datetime as dt

    day = value.date() if isinstance(value, dt.datetime) else value
    if day is None:
        return
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise ValidationError(gettext("The date %(day)s is out of range.", day=day.isoformat()))


def strict_boolean(value, attr=None, data=None, **kwargs):
    """A JSON boolean: ``true`` or ``false``, not "yes", 0 or "on"."""
    if not isinstance(value, bool):
        raise ValidationError(gettext("true or false is required."))
    return value


class StrictBoolean(fields.Boolean):
    def _deserialize(self, value, attr, data, **kwargs):
        return strict_boolean(value)
