"""M9 / M7.6: the register of the instructions of higher bodies on appeals
and the half-year account of their execution."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.domain.errors import WorkflowError
from app.domain.higher import check_higher_instruction, state_as_of, tally
from app.extensions import db
from app.models import HigherInstruction

from .clock import today
from .errors import RuleViolation


def validate_higher_instruction(item: HigherInstruction) -> None:
    """M9: the dates and the execution of an instruction of a higher body."""
    from app.workflow_text import workflow_message

    item.document_ref = (item.document_ref or "").strip()
    item.subject = (item.subject or "").strip()
    if isinstance(item.report, str):
        item.report = item.report.strip() or None
    try:
        check_higher_instruction(item.issued_on, item.received_on, item.due_on, item.executed_on, item.report,
                                 today())
    except WorkflowError as exc:
        db.session.rollback()
        raise RuleViolation(exc.rule, workflow_message(exc)) from exc


def of_period(start: date, end: date) -> list[HigherInstruction]:
    """The instructions to account for in [start, end]: received in it, or
    received before and still not executed at its start (carried over)."""
    return db.session.execute(
        select(HigherInstruction)
        .where(HigherInstruction.received_on <= end,
               (HigherInstruction.received_on >= start) | HigherInstruction.executed_on.is_(None)
               | (HigherInstruction.executed_on >= start))
        .options(selectinload(HigherInstruction.department), selectinload(HigherInstruction.appeal))
        .order_by(HigherInstruction.received_on, HigherInstruction.id)
    ).scalars().all()


def account(items: list[HigherInstruction], end: date) -> dict:
    """M7.6: the tallies of a period — in all, by issuer, by executor — as
    things stood at its end (or today, if it is not over)."""
    as_of = min(end, today())
    pairs = [(i.due_on, i.executed_on) for i in items]
    by_issuer: dict[str, list] = {}
    by_department: dict[str, list] = {}
    for i, pair in zip(items, pairs, strict=True):
        by_issuer.setdefault(i.issuer.value if hasattr(i.issuer, "value") else i.issuer, []).append(pair)
        by_department.setdefault(str(i.department), []).append(pair)
    return {
        "as_of": as_of,
        "all": tally(pairs, as_of),
        "by_issuer": {k: tally(v, as_of) for k, v in by_issuer.items()},
        "by_department": dict(sorted(((k, tally(v, as_of)) for k, v in by_department.items()),
                                     key=lambda kv: (-kv[1].states["overdue"], -kv[1].received, kv[0]))),
        "states": {i.id: state_as_of(i.due_on, i.executed_on, as_of) for i in items},
    }

