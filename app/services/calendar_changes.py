"""Calendar changes are events (DOMAIN.md §Calendar).

An Admin's override — added, changed or removed — or an update of the
national calendar (a new release of the ``holidays`` package) moves the
terms of running appeals. ``preview`` answers "which appeals move, and how"
before anything is saved; ``apply`` recomputes them in the caller's
transaction, each with an appeal-history event naming the change, so the
override and the moved terms are saved together or not at all.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import g, has_app_context
from sqlalchemy import or_, select

from app.domain.calendar import WorkingCalendar
from app.domain.deadlines import StoredTerms, recomputed_terms
from app.domain.vocabulary import FINAL_STATUSES
from app.extensions import db
from app.models import Appeal, AppealEvent

from .calendar import counting_rules, load_overrides, national_year

EVENT_ACTION = "terms-recomputed"
TERM_FIELDS = ("answer_due_on", "due_on", "objection_due_on", "decision_earliest_on", "extension_notice_due_on")


@dataclass(frozen=True)
class CalendarChange:
    """What changes: day → working (True), day off (False) or back to the
    national calendar (None); ``note`` names the act."""

    days: dict[date, bool | None]
    note: str = ""

    def describe(self) -> list[dict]:
        return [{"day": d.isoformat(), "working": w} for d, w in sorted(self.days.items())]


@dataclass
class Move:
    appeal_id: int
    reg_number: str
    changes: dict[str, tuple[date, date]] = field(default_factory=dict)

    @property
    def due(self) -> tuple[date, date] | None:
        return self.changes.get("due_on")


def calendar_after(change: CalendarChange | None) -> WorkingCalendar:
    """The calendar as it will be once ``change`` is saved (None: as the
    overrides stand now, with today's national calendar)."""
    overrides = load_overrides()
    for day, working in (change.days.items() if change else ()):
        if working is None:
            overrides.pop(day, None)
        else:
            overrides[day] = working
    return WorkingCalendar(year_loader=national_year, overrides=overrides)


def _stored(a: Appeal) -> StoredTerms:
    return StoredTerms(
        registered_on=a.registered_on, answer_due_on=a.answer_due_on, due_on=a.due_on,
        extended=a.extension_decided_on is not None, draft_sent_on=a.draft_sent_on,
        draft_delivered_on=a.draft_delivered_on, objection_due_on=a.objection_due_on,
        decision_earliest_on=a.decision_earliest_on, extension_decided_on=a.extension_decided_on,
        extension_notified_on=a.extension_notified_on, extension_notice_due_on=a.extension_notice_due_on,
    )


def _candidates(change: CalendarChange | None, lock: bool = False):
    """Running appeals whose terms can include a changed day (all running
    appeals when the national calendar as a whole is checked)."""
    stmt = select(Appeal).where(Appeal.status.not_in([s.value for s in FINAL_STATUSES])).order_by(Appeal.id)
    if change is not None:
        first, last = min(change.days), max(change.days)
        stmt = stmt.where(Appeal.registered_on <= last, or_(*(getattr(Appeal, f) >= first for f in TERM_FIELDS)))
    if lock:
        stmt = stmt.with_for_update()
    return db.session.execute(stmt).scalars()


def _moves(change: CalendarChange | None, lock: bool = False) -> list[tuple[Appeal, Move]]:
    out = []
    # the override being saved is not flushed first: the change says what it will be
    with db.session.no_autoflush:
        cal, rules = calendar_after(change), counting_rules()
        for appeal in _candidates(change, lock):
            new = recomputed_terms(_stored(appeal), cal, rules)
            if new:
                out.append((appeal, Move(appeal.id, appeal.reg_number,
                                         {k: (getattr(appeal, k), v) for k, v in new.items()})))
    return out


def change_of_row(item, removed: bool = False) -> CalendarChange:
    """The change an override row makes when it is added, edited (its day
    may move: the old day goes back to the national calendar) or removed."""
    from sqlalchemy import inspect

    days: dict[date, bool | None] = {}
    state = inspect(item)
    if state.persistent:
        for old in state.attrs.day.history.deleted or ():
            days[old] = None
    days[item.day] = None if removed else bool(item.is_working)
    return CalendarChange(days, (item.note or "").strip())


def preview(change: CalendarChange | None) -> list[Move]:
    """The running appeals whose terms ``change`` would move; nothing is changed."""
    return [m for _, m in _moves(change)]


def apply(change: CalendarChange | None, user_id: int | None, note: str = "") -> list[Move]:
    """Recompute the terms ``change`` moves, each appeal with a history event
    naming the change. Adds to the session; the caller commits (with the
    override itself)."""
    moves = _moves(change, lock=True)
    at = datetime.utcnow()
    reason = (change.note if change else note) or ""
    calendar = change.describe() if change else [{"national": True}]
    for appeal, move in moves:
        for name, (_, new) in move.changes.items():
            setattr(appeal, name, new)
        db.session.add(AppealEvent(
            appeal=appeal, at=at, user_id=user_id, action=EVENT_ACTION, from_status=appeal.status,
            to_status=appeal.status, rule="R29", reason=reason,
            payload={"calendar": calendar,
                     "changes": {k: [old.isoformat(), new.isoformat()] for k, (old, new) in move.changes.items()}},
        ))
    if has_app_context():
        g.pop("working_calendar", None)  # the next term of this request counts with the new calendar
    return [m for _, m in moves]


def save_override(change: CalendarChange, user_id: int | None) -> list[Move]:
    """Save the Admin's override of each changed day (``None``: remove it,
    back to the national calendar) and recompute the moved terms — one
    transaction."""
    from app.models import CalendarDay

    try:
        moves = apply(change, user_id)
        for day, working in change.days.items():
            row = db.session.execute(select(CalendarDay).where(CalendarDay.day == day)).scalar_one_or_none()
            if working is None:
                if row is not None:
                    db.session.delete(row)
            elif row is None:
                db.session.add(CalendarDay(day=day, is_working=working, note=change.note))
            else:
                row.is_working, row.note = working, change.note
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return moves
