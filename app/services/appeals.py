"""Appeals: registration (R25, R29) and the workflow actions (DOMAIN.md §Workflow)."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, tuple_, update
from sqlalchemy.orm.exc import StaleDataError

from app.domain import deadlines
from app.domain.errors import WorkflowError
from app.domain.vocabulary import AppealStatus, InstructionStatus, OfficialLevel, SessionStatus
from app.domain.workflow import Action, AppealSnapshot, Decider, SessionSlot, transition
from app.extensions import db
from app.models import Appeal, AppealEvent, Category, Instruction, Official, ProtocolEntry, ReceptionSession, RegCounter
from app.security.scope import get_visible
from app.workflow_text import workflow_message

from .calendar import counting_rules, working_calendar
from .clock import now_local, to_local_naive, today
from .errors import Conflict, RuleViolation
from .receptions import queue_order, restriction_periods, under_restrictions
from .region import reg_prefix


def next_reg_number(year: int) -> str:
    """The next registration number of ``year`` (``ЖТ-2026-000123``)."""
    return reg_number(year, reserve_reg_numbers(year, 1))


def reg_number(year: int, n: int, prefix: str | None = None) -> str:
    """``ЖТ-2026-000123``: the region's prefix (``region.json``; ``ЖТ`` before any pack), year, number."""
    return f"{prefix or reg_prefix()}-{year}-{n:06d}"


def reserve_reg_numbers(year: int, count: int) -> int:
    """Reserve ``count`` consecutive numbers of ``year``; the first of them.

    The counter row is incremented in the caller's transaction, so two
    concurrent registrations never get the same number (PostgreSQL row lock;
    SQLite serialises writers).
    """
    bumped = db.session.execute(
        update(RegCounter).where(RegCounter.year == year).values(last=RegCounter.last + count)
    ).rowcount
    if not bumped:
        db.session.add(RegCounter(year=year, last=count))
        db.session.flush()
    last = db.session.execute(select(RegCounter.last).where(RegCounter.year == year)).scalar_one()
    return last - count + 1


def registration_terms(received: datetime, cal=None, rules=None, due_cache: dict | None = None) -> tuple[date, date]:
    """(registration day R25, answer term R29) of an appeal received at
    ``received`` (local time); refuses a receipt in the future.
    ``due_cache`` keeps terms by registration day across many calls."""
    if received > now_local():
        raise RuleViolation("R25", _l("The date of receipt cannot be in the future."))
    if received.year < 2000:  # the form, the API and the import alike
        raise RuleViolation("R25", _l("The date of receipt is too far in the past."))
    cal, rules = cal or working_calendar(), rules or counting_rules()
    registered_on = deadlines.registration_date(received, cal, rules)
    if due_cache is None:
        return registered_on, deadlines.answer_due(registered_on, cal, rules).due
    if registered_on not in due_cache:
        due_cache[registered_on] = deadlines.answer_due(registered_on, cal, rules).due
    return registered_on, due_cache[registered_on]


def prepare_registration(appeal: Appeal, user_id: int | None = None) -> Appeal:
    """Fill the computed fields of a new appeal: R25 registration date,
    registration number, R29 answer term; validate what the law requires.

    Does not commit: the caller's commit stores the appeal and its first
    history event together.
    """
    if appeal.received_at is None:
        raise RuleViolation("R25", _l("The date and time of receipt are required."))
    received = to_local_naive(appeal.received_at)
    registered_on, due = registration_terms(received)
    check_references(appeal)

    appeal.received_at = received
    appeal.registered_on = registered_on
    appeal.answer_due_on = appeal.due_on = due
    appeal.status = AppealStatus.registered
    appeal.reg_number = next_reg_number(appeal.registered_on.year)
    appeal.created_at = datetime.utcnow()
    appeal.created_by_id = user_id
    record_registration(appeal, user_id)
    return appeal


def check_version(appeal: Appeal, expected) -> None:
    """Optimistic locking: ``expected`` (the version the user read; None:
    not given) must be the appeal's version, or ``Conflict``."""
    if expected not in (None, "") and str(expected) != str(appeal.version):
        raise Conflict(appeal.version)


def check_references(appeal: Appeal) -> None:
    """On registration and on every edit: the official asked for is active
    (R2), the category is active (M7.1)."""
    official = appeal.official or (db.session.get(Official, appeal.official_id) if appeal.official_id else None)
    if official is not None and not official.active:
        raise RuleViolation("R2", _l("An appeal may name only an active official."))
    category = appeal.category or (db.session.get(Category, appeal.category_id) if appeal.category_id else None)
    if category is not None and not category.active:
        raise RuleViolation("M7.1", _l("An appeal may name only an active category."))


def registration_event(registered_on: date, answer_due_on: date, user_id: int | None) -> dict:
    """The first history event of an appeal (R25), as column values."""
    return dict(
        at=datetime.utcnow(), user_id=user_id, action="register", from_status=None,
        to_status=AppealStatus.registered, rule="R25", reason="",
        payload={"registered_on": registered_on.isoformat(), "answer_due_on": answer_due_on.isoformat()},
    )


def record_registration(appeal: Appeal, user_id: int | None) -> AppealEvent:
    """The first history event of an appeal, added to the session with the
    appeal so both are committed in one transaction."""
    event = AppealEvent(appeal=appeal, **registration_event(appeal.registered_on, appeal.answer_due_on, user_id))
    db.session.add(event)
    return event


# --- the workflow ------------------------------------------------------------

def snapshot(appeal: Appeal) -> AppealSnapshot:
    """What the domain guards need, read in SQL (open instructions counted)."""
    open_instructions = db.session.execute(
        select(func.count()).select_from(Instruction).where(
            Instruction.appeal_id == appeal.id, Instruction.status == InstructionStatus.open
        )
    ).scalar_one()
    session_day = None
    if appeal.session_id is not None:
        session_day = db.session.execute(
            select(ReceptionSession.day).where(ReceptionSession.id == appeal.session_id)
        ).scalar_one_or_none()
    entries = db.session.execute(
        select(func.count()).select_from(ProtocolEntry).where(ProtocolEntry.appeal_id == appeal.id)
    ).scalar_one()
    return AppealSnapshot(
        protocol_entries=entries,
        status=AppealStatus(appeal.status),
        registered_on=appeal.registered_on,
        answer_due_on=appeal.answer_due_on,
        due_on=appeal.due_on,
        official_id=appeal.official_id,
        correction_fix_by=appeal.correction_fix_by,
        draft_sent_on=appeal.draft_sent_on,
        hearing_recorded_on=appeal.hearing_recorded_on,
        session_day=session_day,
        open_instructions=open_instructions,
        draft_delivered_on=appeal.draft_delivered_on,
        video_consent=bool(appeal.video_consent),
        last_extension_on=appeal.extension_decided_on,
        last_extension_notified_on=appeal.extension_notified_on,
    )


def waiting_ahead(appeal: Appeal, official_id: int) -> int:
    """R12/R28: appeals for the same official, still waiting for a booking,
    that come before ``appeal`` in the queue (privileged first, then by
    registration)."""
    key = tuple_(*queue_order())
    mine = (0 if appeal.privilege is not None else 1, appeal.registered_on, appeal.received_at, appeal.id)
    return db.session.execute(
        select(func.count()).select_from(Appeal).where(
            Appeal.official_id == official_id, Appeal.status == AppealStatus.registered, Appeal.id != appeal.id,
            Appeal.session_id.is_(None), key < tuple_(*mine))
    ).scalar_one()


def session_slot(session_id, appeal: Appeal | None = None) -> SessionSlot | None:
    """A reception session the user may see, locked for the booking, and how
    many appeals it already holds; None for a session that does not exist
    or that the user may not see (the same answer)."""
    # the row lock serialises bookings into one session (PostgreSQL)
    session = get_visible(ReceptionSession, session_id, lock=True)
    if session is None:
        return None
    booked = db.session.execute(
        select(func.count()).select_from(Appeal).where(
            Appeal.session_id == session.id, Appeal.status.in_([AppealStatus.scheduled, AppealStatus.received])
        )
    ).scalar_one()
    return SessionSlot(
        id=session.id, day=session.day, cancelled=session.status == SessionStatus.cancelled,
        capacity=session.capacity, booked=booked, official_id=session.official_id,
        kind=getattr(session.kind, "value", session.kind) or "in_person",
        official_level=OfficialLevel(session.official.level) if session.official is not None else None,
        waiting_ahead=waiting_ahead(appeal, session.official_id) if appeal is not None else 0,
        restricted=under_restrictions(session.day),
    )


def bookable_sessions(appeal: Appeal, any_official: bool, may_override_official: bool, horizon_days: int = 120):
    """The upcoming sessions ``appeal`` may be booked into — each checked by
    the booking's own guard (``domain.workflow.check_slot``: free place,
    the queue's last place, the official, R13-R14 video, R26 or a same-day R3
    reception) — with their free places: [(session, free)]. The asked
    official's, or everyone's for a user who may book with another official."""
    from datetime import timedelta

    from sqlalchemy.orm import selectinload

    from app.domain.workflow import check_slot
    from app.security.scope import scoped

    start = today()
    stmt = (
        select(ReceptionSession)
        .options(selectinload(ReceptionSession.official), selectinload(ReceptionSession.place))
        .where(ReceptionSession.day >= start, ReceptionSession.day <= start + timedelta(days=horizon_days),
               ReceptionSession.status != SessionStatus.cancelled)
        .order_by(ReceptionSession.day, ReceptionSession.starts_at, ReceptionSession.id)
    )
    if not any_official:
        stmt = stmt.where(ReceptionSession.official_id == appeal.official_id)
    sessions = db.session.execute(scoped(stmt, ReceptionSession).limit(300)).scalars().all()
    if not sessions:
        return []
    booked = dict(db.session.execute(
        select(Appeal.session_id, func.count())
        .where(Appeal.session_id.in_([s.id for s in sessions]),
               Appeal.status.in_([AppealStatus.scheduled, AppealStatus.received]))
        .group_by(Appeal.session_id)
    ).all())
    snap, cal = snapshot(appeal), working_calendar()
    periods = restriction_periods(start, sessions[-1].day)  # R14, read once for every session
    ahead: dict[int, int] = {}
    out = []
    for s in sessions:
        if s.official_id not in ahead:
            ahead[s.official_id] = waiting_ahead(appeal, s.official_id)
        slot = SessionSlot(
            id=s.id, day=s.day, cancelled=False, capacity=s.capacity, booked=booked.get(s.id, 0),
            official_id=s.official_id, kind=getattr(s.kind, "value", s.kind) or "in_person",
            official_level=OfficialLevel(s.official.level) if s.official is not None else None,
            waiting_ahead=ahead[s.official_id], restricted=any(a <= s.day <= b for a, b in periods),
        )
        try:
            check_slot(snap, slot, start, cal, may_override_official, same_day_consent=True)
        except WorkflowError:
            continue
        out.append((s, s.capacity - slot.booked))
    return out


def decider(official_id) -> Decider | None:
    """The official named as the one who decided (R27, R30b): one the user
    may see, else None (the same answer as one that does not exist)."""
    if official_id is None:
        return None
    official = get_visible(Official, official_id)
    if official is None:
        return None
    return Decider(id=official.id, level=OfficialLevel(official.level), active=bool(official.active))


def _jsonable(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if hasattr(value, "value"):
        return value.value
    return value


def perform(
    appeal_id: int,
    action: str,
    params: dict | None = None,
    *,
    user_id: int | None,
    expected_version: int | None = None,
    may_override_official: bool = False,
    may_record_decisions: bool = False,
) -> Appeal:
    """Run one workflow action in one transaction: check the version, ask the
    domain, apply its decision, append the history event, commit.

    Raises ``LookupError`` (no such appeal), ``Conflict`` (stale version or a
    concurrent change) or ``RuleViolation`` (a rule forbids it); in every
    case nothing is written.
    """
    params = dict(params or {})
    try:
        appeal = db.session.execute(
            select(Appeal).where(Appeal.id == appeal_id).with_for_update()
        ).scalar_one_or_none()
        if appeal is None:
            raise LookupError(appeal_id)
        check_version(appeal, expected_version)
        if action == Action.schedule.value:
            params["session"] = session_slot(params.get("session"), appeal)
            if params["session"] is None:
                raise WorkflowError("R29", "session_required")
        if "decided_by" in params:
            params["decided_by"] = decider(params["decided_by"])
        decision = transition(
            snapshot(appeal), action, params, today=today(), cal=working_calendar(), rules=counting_rules(),
            may_override_official=may_override_official, may_record_decisions=may_record_decisions,
        )
        for name, value in decision.changes.items():
            setattr(appeal, name, value)
        appeal.status = decision.to_status
        db.session.add(
            AppealEvent(
                appeal=appeal, at=datetime.utcnow(), user_id=user_id, action=decision.action.value,
                from_status=decision.from_status, to_status=decision.to_status, rule=decision.rule,
                reason=decision.reason, payload=_jsonable(decision.payload),
            )
        )
        db.session.commit()
        return appeal
    except WorkflowError as exc:
        db.session.rollback()
        raise RuleViolation(exc.rule, workflow_message(exc)) from exc
    except StaleDataError as exc:
        db.session.rollback()
        raise Conflict() from exc
    except (LookupError, Conflict):
        db.session.rollback()
        raise
