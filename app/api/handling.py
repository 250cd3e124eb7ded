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
from marshmallow import ValidationError

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
