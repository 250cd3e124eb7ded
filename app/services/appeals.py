"""Appeals: registration (R25, R29) and the computed fields."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.domain import deadlines
from app.domain.vocabulary import AppealStatus
from app.extensions import db
from app.models import Appeal, AppealEvent, Official, RegCounter

from .calendar import counting_rules, working_calendar
from .clock import now_local, to_local_naive
from .errors import RuleViolation

REG_PREFIX = "ЖТ"


def next_reg_number(year: int) -> str:
    """The next registration number of ``year`` (``ЖТ-2026-000123``).

    The counter row is incremented in the caller's transaction, so two
    concurrent registrations never get the same number (PostgreSQL row lock;
    SQLite serialises writers).
    """
    bumped = db.session.execute(
        update(RegCounter).where(RegCounter.year == year).values(last=RegCounter.last + 1)
    ).rowcount
    if not bumped:
        db.session.add(RegCounter(year=year, last=1))
        db.session.flush()
    last = db.session.execute(select(RegCounter.last).where(RegCounter.year == year)).scalar_one()
    return f"{REG_PREFIX}-{year}-{last:06d}"


def prepare_registration(appeal: Appeal, user_id: int | None = None) -> Appeal:
    """Fill the computed fields of a new appeal: R25 registration date,
    registration number, R29 answer term; validate what the law requires.

    Does not commit: the caller's commit stores the appeal and its first
    history event together.
    """
    if appeal.received_at is None:
        raise RuleViolation("R25", _l("The date and time of receipt are required."))
    received = to_local_naive(appeal.received_at)
    if received > now_local():
        raise RuleViolation("R25", _l("The date of receipt cannot be in the future."))
    if appeal.official_id is not None or appeal.official is not None:
        official = appeal.official or db.session.get(Official, appeal.official_id)
        if official is not None and not official.active:
            raise RuleViolation("R2", _l("An appeal may name only an active official."))
    if appeal.category is not None and not appeal.category.active:
        raise RuleViolation("M7.1", _l("An appeal may name only an active category."))

    cal, rules = working_calendar(), counting_rules()
    appeal.received_at = received
    appeal.registered_on = deadlines.registration_date(received, cal, rules)
    term = deadlines.answer_due(appeal.registered_on, cal, rules)
    appeal.answer_due_on = term.due
    appeal.due_on = term.due
    appeal.status = AppealStatus.registered
    appeal.reg_number = next_reg_number(appeal.registered_on.year)
    appeal.created_at = datetime.utcnow()
    appeal.created_by_id = user_id
    record_registration(appeal, user_id)
    return appeal


def record_registration(appeal: Appeal, user_id: int | None) -> AppealEvent:
    """The first history event of an appeal (R25), added to the session
    with the appeal so both are committed in one transaction."""
    event = AppealEvent(
        appeal=appeal,
        at=datetime.utcnow(),
        user_id=user_id,
        action="register",
        from_status=None,
        to_status=AppealStatus.registered,
        rule="R25",
        reason="",
        payload={
            "registered_on": appeal.registered_on.isoformat(),
            "answer_due_on": appeal.answer_due_on.isoformat(),
        },
    )
    db.session.add(event)
    return event
