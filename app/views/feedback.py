"""The one way a view tells the user that a rule blocked their request."""
from __future__ import annotations

from flask import flash
from flask_babel import gettext

from app.extensions import db
from app.services.errors import DataRefused, RuleViolation


def rule_text(exc: RuleViolation) -> str:
    """The rule's message with its ID, in the user's language."""
    return gettext("%(message)s (rule %(rule)s)", message=str(exc.message), rule=exc.rule)


def flash_rule(exc: RuleViolation) -> None:
    """A rule that blocked an action page: a red message above the page."""
    flash(rule_text(exc), "danger")


def form_error(check, *args):
    """Run ``check(*args)`` for a FAB form hook (``pre_add``/``pre_update``)
    and give back what it returns: a rule it breaks (or a value it refuses)
    rolls the session back and becomes the ``ValueError`` FAB shows above
    the form, so nothing is saved."""
    try:
        return check(*args)
    except RuleViolation as exc:
        db.session.rollback()
        raise ValueError(rule_text(exc)) from exc
    except DataRefused as exc:
        db.session.rollback()
        raise ValueError(str(exc.message)) from exc


def jobs_unavailable() -> None:
    """A background job could not be queued (Redis is down)."""
    flash(gettext("Background jobs are unavailable right now: nothing was started. Try again later."), "danger")
