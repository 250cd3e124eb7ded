"""Rosters (R7-R9, R13-R14), booking order (R12), cancellations and
rebooking (R16), participation of other bodies (R18-R20), instructions
(R34-R35, M5.5) and reassignment (R37)."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from app.domain import deadlines
from app.domain.errors import WorkflowError
from app.domain.receptions import (
    RosterEntry,
    check_acceptance,
    check_answer,
    check_control,
    check_materials_request,
    check_month_has_receptions,
    check_new_deadline,
    check_reassignment,
    check_session,
    check_video_consent,
    rebooking_plan,
    roster_gaps,
)
from app.domain.vocabulary import AppealStatus, DepartmentKind, InstructionStatus, SessionKind, SessionStatus
from app.extensions import db
from app.models import (
    Appeal,
    AppealEvent,
    Instruction,
    Official,
    Protocol,
    ReceptionPlace,
    ReceptionSession,
    RosterApproval,
)
from app.security.roles import ROLES, roles_with
from app.security.scope import as_id, is_visible, scoped
from app.workflow_text import workflow_message

from .calendar import working_calendar
from .clock import now_local, to_local_naive, today
from .errors import RuleViolation

BOOKED = (AppealStatus.scheduled, AppealStatus.received)


def _fail(exc: WorkflowError):
    db.session.rollback()
    raise RuleViolation(exc.rule, workflow_message(exc)) from exc


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    return start, end


# --- R7 / R7-1 ----------------------------------------------------------------
def _roster_entries(year: int, month: int, place_id: int | None = None) -> list[RosterEntry]:
    """The month's sessions (of one place, or of all) as the roster rules see them."""
    start, end = _month_bounds(year, month)
    stmt = (select(ReceptionSession.official_id, ReceptionPlace.kind, ReceptionSession.day, ReceptionSession.status,
                   ReceptionSession.kind)
            .join(ReceptionPlace, ReceptionPlace.id == ReceptionSession.place_id)
            .where(ReceptionSession.day >= start, ReceptionSession.day < end))
    if place_id is not None:
        stmt = stmt.where(ReceptionSession.place_id == place_id)
    return [RosterEntry(o, k, d, s == SessionStatus.cancelled,
                        SessionKind(sk) in (SessionKind.off_roster, SessionKind.after_meeting))
            for o, k, d, s, sk in db.session.execute(stmt).all()]


def month_gaps(year: int, month: int) -> list[dict]:
    """The R2 officials with no session at the public reception, or none at
    the reception centres, in the month."""
    entries = _roster_entries(year, month)
    officials = db.session.execute(
        select(Official).where(Official.active.is_(True)).options(selectinload(Official.department))
        .order_by(Official.full_name)
    ).scalars().all()
    by_id = {o.id: o for o in officials}
    gaps = roster_gaps([(o.id, o.level, o.department.kind == DepartmentKind.akim_office) for o in officials],
                       entries, year, month)
    return [{"official": by_id[g.official_id], "public_reception": g.public_reception,
             "reception_centres": g.reception_centres} for g in gaps]


def approve_month(place_id: int, year: int, month: int, user_id: int | None, is_manager: bool,
                  override_reason: str | None = None) -> RosterApproval:
    """Approve a place's roster for a month (its planned sessions become
    approved). A month with no reception at the place is refused (R8); with
    R7 / R7-1 gaps in the month only a Manager may approve, and only with a
    reason, which is recorded."""
    try:
        check_month_has_receptions(_roster_entries(year, month, place_id), year, month)
    except WorkflowError as exc:
        _fail(exc)
    start, end = _month_bounds(year, month)
    gaps = month_gaps(year, month)
    reason = (override_reason or "").strip()
    if gaps and not (is_manager and reason):
        _fail(WorkflowError("R7", "gaps_need_override", count=len(gaps)))
    now = now_local()
    sessions = db.session.execute(
        select(ReceptionSession).where(ReceptionSession.place_id == place_id, ReceptionSession.day >= start,
                                       ReceptionSession.day < end, ReceptionSession.status == SessionStatus.planned)
    ).scalars().all()
    for s in sessions:
        s.status, s.approved_by_id, s.approved_at = SessionStatus.approved, user_id, now
    approval = db.session.execute(
        select(RosterApproval).where(RosterApproval.place_id == place_id, RosterApproval.year == year,
                                     RosterApproval.month == month)
    ).scalar_one_or_none() or RosterApproval(place_id=place_id, year=year, month=month)
    approval.approved_by_id, approval.approved_at = user_id, now
    approval.override_reason = reason or None
    approval.gaps = [{"official": g["official"].full_name, "public_reception": g["public_reception"],
                      "reception_centres": g["reception_centres"]} for g in gaps]
    db.session.add(approval)
    db.session.commit()
    return approval


def roster(place_id: int, year: int, month: int) -> list[ReceptionSession]:
    start, end = _month_bounds(year, month)
    return db.session.execute(
        select(ReceptionSession).options(selectinload(ReceptionSession.official), selectinload(ReceptionSession.place))
        .where(ReceptionSession.place_id == place_id, ReceptionSession.day >= start, ReceptionSession.day < end)
        .order_by(ReceptionSession.day, ReceptionSession.starts_at, ReceptionSession.id)
    ).scalars().all()


# --- sessions --------------------------------------------------------------------
def under_restrictions(day) -> bool:
    """R14: whether ``day`` falls in a period of restrictions set by the Admin."""
    if day is None:
        return False
    return bool(restriction_periods(day, day))


def restriction_periods(start, end) -> list[tuple]:
    """R14: the periods of restrictions (starts_on, ends_on) overlapping [start, end]."""
    from app.models import RestrictionPeriod

    return [tuple(r) for r in db.session.execute(select(RestrictionPeriod.starts_on, RestrictionPeriod.ends_on).where(
        RestrictionPeriod.starts_on <= end, RestrictionPeriod.ends_on >= start)).all()]


def validate_session(session: ReceptionSession) -> None:
    """R9 / R7 part 2 on create and edit; R13-R14 for a video session; R14:
    while restrictions are in force, only video sessions."""
    official = session.official or db.session.get(Official, session.official_id)
    try:
        kind = getattr(session.kind, "value", session.kind)
        with db.session.no_autoflush:
            restricted = under_restrictions(session.day)
        if restricted and kind != SessionKind.video.value:
            raise WorkflowError("R14", "restrictions_video_only")
        check_session(session.kind, official.level, session.order_ref, session.order_date)
        if session.id is not None:
            consents = db.session.execute(
                select(Appeal.video_consent).where(Appeal.session_id == session.id, Appeal.status.in_(BOOKED))
            ).scalars().all()
            check_video_consent(session.kind, consents)
    except WorkflowError as exc:
        raise RuleViolation(exc.rule, workflow_message(exc)) from exc


def queue_order():
    """R12: privileged applicants first, then by registration."""
    return (case((Appeal.privilege.is_(None), 1), else_=0), Appeal.registered_on, Appeal.received_at, Appeal.id)


def session_queue(session_id: int) -> list[Appeal]:
    return db.session.execute(
        select(Appeal).options(selectinload(Appeal.applicant))
        .where(Appeal.session_id == session_id, Appeal.status.in_(BOOKED)).order_by(*queue_order())
    ).scalars().all()


def cancel_session(session_id: int, reason: str, told_at: datetime, illness: bool, user_id: int | None) -> list[Appeal]:
    """R16: record the reason and when the reception staff were told; flag a
    notice later than 2 working days before and not on the day itself (R16:
    the same-day option holds for every reason; illness is still recorded)."""
    session = db.session.get(ReceptionSession, session_id)
    if session is None:
        raise LookupError(session_id)
    if not (reason or "").strip():
        _fail(WorkflowError("R16", "reason_required"))
    if session.status == SessionStatus.cancelled:
        _fail(WorkflowError("R16", "already_cancelled"))
    if session.status == SessionStatus.held:
        _fail(WorkflowError("R16", "already_held"))
    told_at = to_local_naive(told_at)
    told_on = told_at.date()
    session.status = SessionStatus.cancelled
    session.cancel_reason = reason.strip()
    session.staff_notified_at = told_at
    session.cancelled_for_illness = bool(illness)
    session.notice_late = not deadlines.cancellation_notice_is_timely(told_on, session.day, working_calendar())
    db.session.commit()
    return session_queue(session_id)


def rebook(session_id: int, target_ids: list[int], user_id: int | None) -> tuple[dict[int, int], list[int]]:
    """R16, R12: move the booked appeals of a cancelled session, in queue
    order, into the free places of the target sessions (each event recorded)."""
    session = db.session.get(ReceptionSession, session_id)
    if session is None:
        raise LookupError(session_id)
    if session.status != SessionStatus.cancelled:
        _fail(WorkflowError("R16", "not_cancelled"))
    queue = [a for a in session_queue(session_id) if a.status == AppealStatus.scheduled]
    target_ids = [pk for pk in (as_id(t) for t in target_ids or []) if pk is not None]
    targets = db.session.execute(
        scoped(select(ReceptionSession), ReceptionSession)
        .where(ReceptionSession.id.in_(target_ids), ReceptionSession.id != session_id,
                                       ReceptionSession.status != SessionStatus.cancelled,
                                       ReceptionSession.day >= today())
        .order_by(ReceptionSession.day, ReceptionSession.starts_at, ReceptionSession.id)
    ).scalars().all()
    if not targets:
        _fail(WorkflowError("R16", "no_target_session"))
    booked = dict(db.session.execute(
        select(Appeal.session_id, func.count()).where(Appeal.session_id.in_([t.id for t in targets]),
                                                      Appeal.status.in_(BOOKED)).group_by(Appeal.session_id)
    ).all())
    plan, left = rebooking_plan([a.id for a in queue], [(t.id, t.capacity - booked.get(t.id, 0)) for t in targets])
    by_id = {a.id: a for a in queue}
    target_by_id = {t.id: t for t in targets}
    for appeal_id, target_id in plan.items():
        appeal, target = by_id[appeal_id], target_by_id[target_id]
        if target.kind == "video" and not appeal.video_consent:
            left.append(appeal_id)
            continue
        appeal.session_id = target_id
        db.session.add(AppealEvent(appeal=appeal, at=datetime.utcnow(), user_id=user_id, action="rebook",
                                   from_status=appeal.status, to_status=appeal.status, rule="R16",
                                   reason=session.cancel_reason or "",
                                   payload={"from_session": session_id, "to_session": target_id,
                                            "day": target.day.isoformat()}))
    db.session.commit()
    return {a: s for a, s in plan.items() if a not in left}, left


# --- instructions ------------------------------------------------------------------
def _instruction(instruction_id: int) -> Instruction:
    ins = db.session.execute(select(Instruction).where(Instruction.id == instruction_id).with_for_update()
                             ).scalar_one_or_none()
    if ins is None:
        raise LookupError(instruction_id)
    return ins


def _instruction_event(ins: Instruction, action: str, rule: str, user_id: int | None, reason: str = "",
                       **payload) -> None:
    """Every change of an instruction's control is an event of its appeal's history."""
    appeal = db.session.get(Appeal, ins.appeal_id)
    db.session.add(AppealEvent(appeal=appeal, at=datetime.utcnow(), user_id=user_id, action=f"instruction-{action}",
                               from_status=appeal.status, to_status=appeal.status, rule=rule, reason=reason,
                               payload={"instruction": ins.id, **{k: _iso(v) for k, v in payload.items()}}))


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value


def _is_executor(ins: Instruction, user_id: int | None) -> bool:
    if user_id is None or ins.assignee_official_id is None:
        return False
    official = db.session.get(Official, ins.assignee_official_id)
    return official is not None and official.user_id == user_id


def answer_instruction(instruction_id: int, answer: str, user_id: int | None) -> Instruction:
    """R34: the executor's answer is recorded; the instruction stays under
    control until the public-reception staff accept it (``accept_instruction``)."""
    ins = _instruction(instruction_id)
    try:
        if ins.status != InstructionStatus.open:
            raise WorkflowError("R35", "instruction_off_control")
        text = check_answer(answer)
    except WorkflowError as exc:
        _fail(exc)
    ins.executor_answer, ins.executor_answered_on = text, today()
    _instruction_event(ins, "answer", "R34", user_id, text)
    db.session.commit()
    return ins


def accept_instruction(instruction_id: int, user_id: int | None, may_control: bool) -> Instruction:
    """R34-R35: the executor's answer accepted as the final motivated answer:
    the only way an instruction leaves control."""
    ins = _instruction(instruction_id)
    try:
        text = check_acceptance(ins.status == InstructionStatus.open, ins.executor_answer,
                                _is_executor(ins, user_id), may_control)
    except WorkflowError as exc:
        _fail(exc)
    ins.final_answer, ins.answered_on, ins.status = text, today(), InstructionStatus.answered
    _instruction_event(ins, "accept", "R35", user_id, answered_on=ins.answered_on)
    db.session.commit()
    return ins


def send_back_for_rework(instruction_id: int, reason: str, user_id: int | None, may_control: bool) -> Instruction:
    """M5.5: an executor's answer of poor quality goes back for rework (counted)."""
    ins = _instruction(instruction_id)
    try:
        check_control(ins.status == InstructionStatus.open, may_control)
        if not ins.executor_answer:
            raise WorkflowError("M5.5", "rework_needs_answer")
        if not (reason or "").strip():
            raise WorkflowError("M5.5", "reason_required")
    except WorkflowError as exc:
        _fail(exc)
    ins.rework_count += 1
    ins.executor_answer, ins.executor_answered_on = None, None
    _instruction_event(ins, "rework", "M5.5", user_id, reason.strip(), rework_count=ins.rework_count)
    db.session.commit()
    return ins


def move_instruction_deadline(instruction_id: int, due_on, reason: str, user_id: int | None,
                              may_control: bool) -> Instruction:
    """R23: a recorded change of an instruction's concrete deadline."""
    ins = _instruction(instruction_id)
    try:
        check_control(ins.status == InstructionStatus.open, may_control)
        new = check_new_deadline(ins.due_on, due_on, today())
        if not (reason or "").strip():
            raise WorkflowError("R23", "reason_required")
    except WorkflowError as exc:
        _fail(exc)
    previous, ins.due_on = ins.due_on, new
    _instruction_event(ins, "move-deadline", "R23", user_id, reason.strip(), previous_due_on=previous, due_on=new)
    db.session.commit()
    return ins


INSTRUCTABLE = (AppealStatus.received,)
"""R23: instructions are given on an appeal received at the reception and not yet closed."""
DECIDABLE = (AppealStatus.received, AppealStatus.closed)
"""R23: a protocol records decisions on the appeals received at its reception."""


def validate_instruction(ins: Instruction) -> None:
    """R23: an instruction is attached to an appeal received at the
    protocol's own session (and not yet closed)."""
    protocol = ins.protocol or (db.session.get(Protocol, ins.protocol_id) if ins.protocol_id else None)
    appeal = ins.appeal or (db.session.get(Appeal, ins.appeal_id) if ins.appeal_id else None)
    if protocol is None or appeal is None:
        return  # both are required fields: the form or the schema says so
    if appeal.session_id != protocol.session_id or appeal.status not in INSTRUCTABLE:
        raise RuleViolation("R23", _l("An instruction may be given only on an appeal received at the "
                                      "protocol's reception session and not yet closed."))


def validate_protocol_entry(entry) -> None:
    """R23: the decision on an appeal received at the protocol's own session.
    Checked before anything is flushed (an empty decision never reaches the
    database's CHECK)."""
    if not (entry.decision or "").strip():
        raise RuleViolation("R23", _l("Write the decision taken on the appeal."))
    entry.decision = entry.decision.strip()
    with db.session.no_autoflush:
        protocol = entry.protocol or (db.session.get(Protocol, entry.protocol_id) if entry.protocol_id else None)
        appeal = entry.appeal or (db.session.get(Appeal, entry.appeal_id) if entry.appeal_id else None)
    if protocol is None or appeal is None:
        return
    if appeal.session_id != protocol.session_id or appeal.status not in DECIDABLE:
        raise RuleViolation("R23", _l("A protocol records decisions only on the appeals received at its reception."))


def validate_materials_request(req) -> None:
    """R31: the dates and the answer of a request for materials."""
    if isinstance(req.answer, str):
        req.answer = req.answer.strip() or None
    try:
        check_materials_request(req.requested_on, req.due_on, req.answered_on, req.answer, today())
    except WorkflowError as exc:
        _fail(exc)


def validate_survey_call(call) -> None:
    """R38: a call about an appeal (or a consultation) is a call to that
    appeal's (or consultation's) applicant; a time with an offset is the
    local time it names."""
    from app.models import Consultation

    if call.called_at is not None:
        call.called_at = to_local_naive(call.called_at)
    applicant_id = call.applicant.id if call.applicant is not None else call.applicant_id
    if call.appeal_id is not None or call.appeal is not None:
        appeal = call.appeal or db.session.get(Appeal, call.appeal_id)
        if appeal is not None and applicant_id is not None and applicant_id != appeal.applicant_id:
            raise RuleViolation("R38", _l("The call is about an appeal of another applicant."))
    if call.consultation_id is not None or call.consultation is not None:
        consultation = call.consultation or db.session.get(Consultation, call.consultation_id)
        if consultation is not None and applicant_id is not None and applicant_id != consultation.applicant_id:
            raise RuleViolation("R38", _l("The call is about a consultation of another applicant."))


# --- R37 --------------------------------------------------------------------------
def assignable_users(appeal: Appeal) -> list:
    """The employees who may be given ``appeal``: active users of a role that
    may be assigned appeals and may act on them, who can see this appeal."""
    from flask_appbuilder.security.sqla.models import Role, User

    names = [n for n in roles_with("assignee") if "write" in ROLES[n].grants.get("Appeal", ())]
    users = db.session.execute(
        select(User).join(User.roles).where(Role.name.in_(names), User.active.is_(True))
        .options(selectinload(User.roles)).order_by(User.last_name, User.first_name, User.id).distinct()
    ).scalars().all()
    return [u for u in users if is_visible(Appeal, appeal.id, user=u)]


def handled_before(appeal: Appeal) -> list[int]:
    """R37: the employees who handled this appeal, or the same applicant's
    earlier appeals on the same question (same category), or an appeal
    linked to it as the same question (``services/similar.py``)."""
    from .similar import linked_ids

    earlier = select(Appeal.id).where(Appeal.applicant_id == appeal.applicant_id,
                                      Appeal.category_id == appeal.category_id, Appeal.id < appeal.id)
    ids = [appeal.id, *db.session.execute(earlier).scalars(), *linked_ids(appeal.id)]
    out = [p.get("assignee") for p in db.session.execute(
        select(AppealEvent.payload).where(AppealEvent.appeal_id.in_(ids), AppealEvent.action == "assign")
    ).scalars() if isinstance(p, dict)]
    out += db.session.execute(select(Appeal.assignee_id).where(Appeal.id.in_(ids),
                                                               Appeal.assignee_id.is_not(None))).scalars().all()
    return [p for p in out if p is not None]


def assign(appeal_id: int, assignee_id: int, user_id: int | None) -> Appeal:
    """Assign an appeal to an employee who may see and act on it; an appeal
    from a reception is never given back to someone it was assigned to
    before (R37). An employee who may not be given the appeal is answered
    like one who does not exist."""
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None:
        raise LookupError(appeal_id)
    if assignee_id not in {u.id for u in assignable_users(appeal)}:
        db.session.rollback()
        raise RuleViolation("R37", _l("No such employee may be given this appeal."))
    previous = handled_before(appeal)
    from_reception = appeal.from_reception or appeal.status in (AppealStatus.received, AppealStatus.closed)
    if from_reception:
        try:
            check_reassignment([p for p in previous if p is not None], assignee_id)
        except WorkflowError as exc:
            _fail(exc)
    appeal.assignee_id = assignee_id
    db.session.add(AppealEvent(appeal=appeal, at=datetime.utcnow(), user_id=user_id, action="assign",
                               from_status=appeal.status, to_status=appeal.status, rule="R37" if from_reception else None,
                               reason="", payload={"assignee": assignee_id}))
    db.session.commit()
    return appeal


PROTOCOL_PREFIX = "ПР"


def next_protocol_number(year: int | None = None) -> str:
    """The next free protocol number of the year: ``ПР-2026-0007``."""
    import re

    from sqlalchemy import select

    from app.extensions import db
    from app.models import Protocol

    from .clock import today

    year = year or today().year
    prefix = f"{PROTOCOL_PREFIX}-{year}-"
    numbers = db.session.execute(select(Protocol.number).where(Protocol.number.like(prefix + "%"))).scalars().all()
    taken = [int(m.group(1)) for n in numbers if (m := re.fullmatch(re.escape(prefix) + r"(\d{1,9})", n))]
    return f"{prefix}{(max(taken) + 1) if taken else 1:04d}"


def protocol_sheet(protocol) -> dict:
    """The work sheet of a protocol: each appeal of its reception (those the
    reader may see, in queue order) with the decisions (R23) and the
    instructions (R34) this protocol records for it."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from app.extensions import db
    from app.models import Appeal, Instruction, ProtocolEntry
    from app.security.scope import scoped

    appeals = db.session.execute(
        scoped(select(Appeal), Appeal).where(Appeal.session_id == protocol.session_id)
        .options(selectinload(Appeal.applicant)).order_by(Appeal.registered_on, Appeal.id)
    ).scalars().all() if protocol.session_id else []
    entries = db.session.execute(
        select(ProtocolEntry).where(ProtocolEntry.protocol_id == protocol.id).order_by(ProtocolEntry.id)
    ).scalars().all()
    instructions = db.session.execute(
        select(Instruction).where(Instruction.protocol_id == protocol.id)
        .options(selectinload(Instruction.assignee_department)).order_by(Instruction.due_on, Instruction.id)
    ).scalars().all()
    seen = {a.id for a in appeals}
    extra = {e.appeal_id for e in entries} | {i.appeal_id for i in instructions}
    if extra - seen:  # an appeal recorded here but booked elsewhere since (rebooked): still on the sheet
        appeals += db.session.execute(
            scoped(select(Appeal), Appeal).where(Appeal.id.in_(extra - seen))
            .options(selectinload(Appeal.applicant)).order_by(Appeal.id)
        ).scalars().all()
    rows = [{"appeal": a, "entries": [e for e in entries if e.appeal_id == a.id],
             "instructions": [i for i in instructions if i.appeal_id == a.id],
             # what the validators above accept, offered as buttons (booked here: the same session)
             "may_decide": a.session_id == protocol.session_id and a.status in DECIDABLE,
             "may_instruct": a.session_id == protocol.session_id and a.status in INSTRUCTABLE} for a in appeals]
    return {"protocol_id": protocol.id, "rows": rows}
