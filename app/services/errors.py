"""Typed errors a service raises; views flash them, the API answers 422."""
from __future__ import annotations


class RuleViolation(Exception):
    """A rule of the regulation blocks the request.

    ``message`` is a translated (lazy) string; ``rule`` the rule ID.
    """

    def __init__(self, rule: str, message) -> None:
        super().__init__(str(message))
        self.rule = rule
        self.message = message


class Conflict(Exception):
    """Someone else changed the record since it was read (HTTP 409)."""


class DataRefused(Exception):
    """The database refused a write: a duplicate, a record still in use, a
    value it cannot hold. ``status`` is the HTTP answer (409, 422 or 400);
    ``message`` a translated sentence that names no table, column or SQL."""

    def __init__(self, status: int, message) -> None:
        super().__init__(str(message))
        self.status = status
        self.message = message


def refusal_of(exc) -> Exception:
    """The typed error for a SQLAlchemy error raised by a write (the
    database's own words never reach the user)."""
    from flask_babel import lazy_gettext as _l
    from sqlalchemy.exc import DataError, IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    if isinstance(exc, StaleDataError):
        return Conflict()
    if isinstance(exc, IntegrityError):
        text = f"{type(getattr(exc, 'orig', None)).__name__} {getattr(exc, 'orig', '')}".lower()
        if "unique" in text:
            return DataRefused(409, _l("A record with the same value already exists."))
        if "foreign" in text:
            return DataRefused(409, _l("The record is still in use by other records, or names a record that "
                                       "does not exist."))
        return DataRefused(422, _l("A value is missing or not allowed here."))
    if isinstance(exc, DataError):
        return DataRefused(400, _l("A value is too long or out of range."))
    return DataRefused(409, _l("The change could not be saved: try again."))
