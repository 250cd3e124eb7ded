"""The appeal's state machine: one transitions table and one ``transition()``.

``transition(snapshot, action, params, today=..., cal=...)`` checks the
guards of DOMAIN.md §Workflow and returns a ``Decision`` (the new status, the
rule, the field changes and the history payload) or raises
``WorkflowError(rule, code, **params)``. Nothing here touches a database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Optional

from . import deadlines
from .calendar import WorkingCalendar
from .deadlines import CountingRules
from .errors import WorkflowError
from .refusals import check_refusal
from .vocabulary import FINAL_STATUSES
from .vocabulary import AppealStatus as S


class Action(StrEnum):
    request_correction = "request-correction"
    mark_corrected = "mark-corrected"
    return_ = "return"
    leave_without_consideration = "leave-without-consideration"
    propose_refusal = "propose-refusal"
    record_hearing = "record-hearing"
    refuse = "refuse"
    extend = "extend"
    schedule = "schedule"
    receive = "receive"
    close = "close"
    withdraw = "withdraw"


OPEN = frozenset(s for s in S if s not in FINAL_STATUSES)

# action → (statuses it may start from, status it leads to (None: unchanged), rule)
TRANSITIONS: dict[Action, tuple[frozenset[S], Optional[S], str]] = {
    Action.request_correction: (frozenset({S.registered}), S.correction_requested, "R6"),
    Action.mark_corrected: (frozenset({S.correction_requested}), S.registered, "R6"),
    Action.return_: (frozenset({S.correction_requested}), S.returned, "R6"),
    Action.leave_without_consideration: (frozenset({S.registered}), S.left_without_consideration, "R5"),
    Action.propose_refusal: (frozenset({S.registered}), S.refusal_proposed, "R32"),
    Action.record_hearing: (frozenset({S.refusal_proposed}), None, "R33"),
    Action.refuse: (frozenset({S.refusal_proposed}), S.refused, "R15"),
    Action.extend: (
        frozenset({S.registered, S.correction_requested, S.refusal_proposed}), None, "R30"
    ),
    Action.schedule: (frozenset({S.registered}), S.scheduled, "R29"),
    Action.receive: (frozenset({S.scheduled}), S.received, "R23"),
    Action.close: (frozenset({S.received}), S.closed, "R35"),
    Action.withdraw: (OPEN, S.withdrawn, "R15"),
}


class ExtensionKind(StrEnum):
    complex = "complex"  # R30a
    motivated = "motivated"  # R30b


@dataclass(frozen=True)
class SessionSlot:
    """What the schedule guard needs to know of a reception session."""

    id: int
    day: date
    cancelled: bool
    capacity: int
    booked: int
    official_id: int


@dataclass(frozen=True)
class AppealSnapshot:
    """What the guards need to know of an appeal."""

    status: S
    registered_on: date
    answer_due_on: date
    due_on: date
    official_id: int
    correction_fix_by: Optional[date] = None
    draft_sent_on: Optional[date] = None
    hearing_recorded_on: Optional[date] = None
    session_day: Optional[date] = None
    open_instructions: int = 0


@dataclass(frozen=True)
class Decision:
    action: Action
    from_status: S
    to_status: S
    rule: str
    reason: str = ""
    changes: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)


def allowed_actions(status: S) -> list[Action]:
    """The actions whose table row admits ``status`` (guards not run)."""
    return [a for a, (starts, _, _) in TRANSITIONS.items() if status in starts]


def _text(params: dict, name: str) -> str:
    value = params.get(name)
    return value.strip() if isinstance(value, str) else ""


def _sent_on(params: dict, snap: AppealSnapshot, today: date, rule: str) -> date:
    """The day the letter really went out: default today, never in the
    future, never before registration."""
    sent_on = params.get("sent_on") or today
    if sent_on > today:
        raise WorkflowError(rule, "sent_on_in_future", sent_on=sent_on)
    if sent_on < snap.registered_on:
        raise WorkflowError(rule, "sent_on_before_registration", sent_on=sent_on, registered_on=snap.registered_on)
    return sent_on


def _require_reason(params: dict, rule: str, name: str = "reason") -> str:
    text = _text(params, name)
    if not text:
        raise WorkflowError(rule, "reason_required")
    return text


def transition(
    snap: AppealSnapshot,
    action: str,
    params: dict[str, Any] | None = None,
    *,
    today: date,
    cal: WorkingCalendar,
    rules: CountingRules = CountingRules(),
    may_override_official: bool = False,
) -> Decision:
    """Apply ``action`` to an appeal in state ``snap`` or say which rule forbids it."""
    params = params or {}
    try:
        act = Action(action)
    except ValueError:
        raise WorkflowError("workflow", "unknown_action", action=action) from None
    starts, target, rule = TRANSITIONS[act]
    if snap.status in FINAL_STATUSES:
        raise WorkflowError(rule, "final_status", status=snap.status)
    if snap.status not in starts:
        raise WorkflowError(rule, "not_allowed_from", status=snap.status, action=act.value)
    to = target or snap.status

    def decide(reason: str = "", rule_: str = rule, **changes_and_payload) -> Decision:
        payload = changes_and_payload.pop("payload", {})
        return Decision(act, snap.status, to, rule_, reason, changes_and_payload, payload)

    if act is Action.request_correction:
        reason = _require_reason(params, "R6")
        sent_on = _sent_on(params, snap, today, "R6")
        fix_by = params.get("fix_by")
        if fix_by is None:
            raise WorkflowError("R6", "fix_by_required")
        if fix_by <= sent_on:
            raise WorkflowError("R6", "fix_by_after_sent", fix_by=fix_by, sent_on=sent_on)
        return decide(reason, correction_fix_by=fix_by, correction_sent_on=sent_on,
                      payload={"fix_by": fix_by, "sent_on": sent_on})

    if act is Action.mark_corrected:
        return decide(_text(params, "note"), correction_fix_by=None)

    if act is Action.return_:
        reason = _require_reason(params, "R6")
        if snap.correction_fix_by is None or today <= snap.correction_fix_by:
            raise WorkflowError("R6", "correction_term_running", fix_by=snap.correction_fix_by)
        return decide(reason, payload={"fix_by": snap.correction_fix_by})

    if act is Action.leave_without_consideration:
        return decide(_require_reason(params, "R5"))

    if act is Action.propose_refusal:
        ground = check_refusal(params.get("ground"), params.get("motivation"), params.get("reference"))
        sent_on = _sent_on(params, snap, today, "R32")
        earliest = deadlines.refusal_decision_earliest(sent_on, cal).due
        objection = deadlines.objection_due(sent_on, cal, rules).due
        return decide(
            _text(params, "motivation"), "R32",
            refusal_ground=ground, refusal_motivation=_text(params, "motivation"),
            refusal_reference=_text(params, "reference") or None, draft_sent_on=sent_on,
            objection_due_on=objection, decision_earliest_on=earliest,
            hearing_recorded_on=None, hearing_position=None,
            payload={"ground": ground.value, "sent_on": sent_on, "objection_due_on": objection,
                     "decision_earliest_on": earliest, "reference": _text(params, "reference")},
        )

    if act is Action.record_hearing:
        if snap.hearing_recorded_on is not None:
            raise WorkflowError("R33", "hearing_already_recorded", on=snap.hearing_recorded_on)
        position = _text(params, "position")
        return decide(position, "R33", hearing_recorded_on=today, hearing_position=position,
                      payload={"position_given": bool(position)})

    if act is Action.refuse:
        if snap.draft_sent_on is None:
            raise WorkflowError("R32", "no_draft_sent")
        earliest = deadlines.refusal_decision_earliest(snap.draft_sent_on, cal).due
        if today < earliest:
            raise WorkflowError("R32", "refusal_too_early", earliest=earliest, sent_on=snap.draft_sent_on)
        objection = deadlines.objection_due(snap.draft_sent_on, cal, rules).due
        if snap.hearing_recorded_on is None and today <= objection:
            raise WorkflowError("R33", "hearing_not_recorded", objection_due=objection)
        return decide("", "R15", payload={"decided_on": today})

    if act is Action.extend:
        if today > snap.due_on:
            raise WorkflowError("R30", "term_already_passed", due_on=snap.due_on)
        reason = _require_reason(params, "R30")
        try:
            kind = ExtensionKind(params.get("kind"))
        except ValueError:
            raise WorkflowError("R30", "unknown_extension_kind", kind=str(params.get("kind"))) from None
        until = params.get("until")
        if until is None:
            raise WorkflowError("R30", "until_required")
        until = cal.on_or_after(until)  # a term never ends on a day off
        if until <= snap.due_on:
            raise WorkflowError("R30", "until_not_later", until=until, due_on=snap.due_on)
        if kind is ExtensionKind.complex:
            limit = deadlines.complex_extension_limit(snap.registered_on, cal, rules)
            if until > limit.due:
                raise WorkflowError("R30a", "beyond_complex_limit", until=until, limit=limit.due)
        limit2 = deadlines.motivated_extension_limit(snap.registered_on, cal, rules)
        if until > limit2.due:
            raise WorkflowError("R30b", "beyond_two_months", until=until, limit=limit2.due)
        notice = deadlines.extension_notice_due(today, cal, rules).due
        rule_ = "R30a" if kind is ExtensionKind.complex else "R30b"
        return decide(reason, rule_, due_on=until, extension_notice_due_on=notice,
                      payload={"kind": kind.value, "until": until, "previous_due_on": snap.due_on,
                               "notice_due_on": notice})

    if act is Action.schedule:
        slot: SessionSlot | None = params.get("session")
        if slot is None:
            raise WorkflowError("R29", "session_required")
        if slot.cancelled:
            raise WorkflowError("R16", "session_cancelled")
        if slot.day < today:
            raise WorkflowError("R29", "session_in_past", day=slot.day)
        if slot.booked >= slot.capacity:
            raise WorkflowError("R29", "session_full", capacity=slot.capacity)
        if slot.official_id != snap.official_id and not may_override_official:
            raise WorkflowError("R27", "wrong_official")
        note = deadlines.reference_note_due(slot.day, cal).due
        if note < today:
            raise WorkflowError("R26", "reference_note_too_late", note_due=note, day=slot.day)
        return decide("", "R29", session_id=slot.id,
                      payload={"session": slot.id, "day": slot.day, "reference_note_due_on": note,
                               "official_overridden": slot.official_id != snap.official_id})

    if act is Action.receive:
        if snap.session_day is not None and today < snap.session_day:
            raise WorkflowError("R23", "before_session", day=snap.session_day)
        return decide("", "R23", payload={"received_on": today})

    if act is Action.close:
        answer = _text(params, "final_answer")
        if not answer:
            raise WorkflowError("R35", "final_answer_required")
        if snap.open_instructions:
            raise WorkflowError("R35", "instructions_open", count=snap.open_instructions)
        return decide(answer, "R35", final_answer=answer, closed_on=today)

    if act is Action.withdraw:
        return decide(_require_reason(params, "R15"), "R15", payload={"ground": "R15.5"})

    raise AssertionError(act)  # every action is handled above
