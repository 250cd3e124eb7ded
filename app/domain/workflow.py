"""The appeal's state machine: one spec per action, one guard per spec.

``SPECS`` is the whole workflow in one table: for each action the statuses it
may start from, the status it leads to (``None``: unchanged), its rule and
its guard. A guard is a small function of a ``Step`` (the appeal's snapshot,
the action's parameters, today, the calendar) that either returns the
``Decision`` (the field changes and the history payload) or raises
``WorkflowError(rule, code, **params)``. ``transition()`` only looks the
spec up, refuses a final or wrong status, and runs the guard. Nothing here
touches a database; adding an action or a guard touches one place.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Optional

from . import deadlines
from .calendar import WorkingCalendar
from .deadlines import CountingRules
from .errors import WorkflowError
from .refusals import check_refusal
from .vocabulary import FINAL_STATUSES, OfficialLevel
from .vocabulary import AppealStatus as S


class Action(StrEnum):
    request_correction = "request-correction"
    mark_corrected = "mark-corrected"
    return_ = "return"
    leave_without_consideration = "leave-without-consideration"
    propose_refusal = "propose-refusal"
    record_hearing = "record-hearing"
    drop_refusal = "drop-refusal"
    refuse = "refuse"
    extend = "extend"
    record_extension_notice = "record-extension-notice"
    schedule = "schedule"
    receive = "receive"
    close = "close"
    withdraw = "withdraw"


class ExtensionKind(StrEnum):
    complex = "complex"  # R30a
    motivated = "motivated"  # R30b


OPEN = frozenset(s for s in S if s not in FINAL_STATUSES)
BEFORE_SCHEDULING = frozenset({S.registered, S.correction_requested})
"""R5: an appeal is left without consideration only before it is scheduled
(and never from a proposed refusal: R5 is not a way around the hearing)."""

DECIDERS = frozenset({OfficialLevel.akim, OfficialLevel.deputy_akim, OfficialLevel.office_head,
                      OfficialLevel.deputy_office_head})
"""R26-R27, R33: on whose behalf the office decides a refusal."""
VIDEO_OFFICIALS = frozenset({OfficialLevel.akim, OfficialLevel.deputy_akim})
"""R13: who may receive by video-conference."""
SAME_DAY_OFFICIALS = frozenset({OfficialLevel.unit_head, OfficialLevel.authorised_employee})
"""R3: who receives on the day of the appeal, with the applicant's consent."""


@dataclass(frozen=True)
class SessionSlot:
    """What the schedule guard needs to know of a reception session."""

    id: int
    day: date
    cancelled: bool
    capacity: int
    booked: int
    official_id: int
    kind: str = "in_person"
    official_level: Optional[OfficialLevel] = None
    restricted: bool = False
    """R14: the session's day falls in a period of restrictions (video only)."""
    waiting_ahead: int = 0
    """R12/R28: appeals for this session's official that come before this one
    in the queue and wait for a booking."""


@dataclass(frozen=True)
class Decider:
    """An official named as the one who decided (R27, R30b)."""

    id: int
    level: OfficialLevel
    active: bool = True


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
    draft_delivered_on: Optional[date] = None
    hearing_recorded_on: Optional[date] = None
    session_day: Optional[date] = None
    open_instructions: int = 0
    video_consent: bool = False
    last_extension_on: Optional[date] = None
    last_extension_notified_on: Optional[date] = None
    protocol_entries: int = 0


@dataclass(frozen=True)
class Decision:
    action: Action
    from_status: S
    to_status: S
    rule: str
    reason: str = ""
    changes: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One action asked on one appeal: what every guard reads."""

    action: Action
    snap: AppealSnapshot
    params: dict[str, Any]
    today: date
    cal: WorkingCalendar
    rules: CountingRules
    may_override_official: bool
    may_record_decisions: bool
    to: S

    def decide(self, rule: str, reason: str = "", payload: dict | None = None, **changes) -> Decision:
        return Decision(self.action, self.snap.status, self.to, rule, reason, changes, payload or {})

    def text(self, name: str) -> str:
        value = self.params.get(name)
        return value.strip() if isinstance(value, str) else ""

    def reason(self, rule: str, name: str = "reason") -> str:
        text = self.text(name)
        if not text:
            raise WorkflowError(rule, "reason_required")
        return text

    def sent_on(self, rule: str) -> date:
        """The day a letter really went out: default today, never in the
        future, never before registration, never more than the back-dating
        limit of working days before today."""
        sent_on = self.params.get("sent_on") or self.today
        if sent_on > self.today:
            raise WorkflowError(rule, "sent_on_in_future", sent_on=sent_on)
        if sent_on < self.snap.registered_on:
            raise WorkflowError(rule, "sent_on_before_registration", sent_on=sent_on,
                                registered_on=self.snap.registered_on)
        earliest = self.cal.subtract_working_days(self.today, self.rules.letter_backdate_working_days)
        if sent_on < earliest:
            raise WorkflowError(rule, "sent_on_backdated", sent_on=sent_on, earliest=earliest,
                                days=self.rules.letter_backdate_working_days)
        return sent_on

    def decider(self, rule: str, levels: frozenset[OfficialLevel] | None) -> Decider:
        if not self.may_record_decisions:
            raise WorkflowError(rule, "may_not_record_decisions")
        who = self.params.get("decided_by")
        if not isinstance(who, Decider):
            raise WorkflowError(rule, "decided_by_required")
        if not who.active or (levels is not None and who.level not in levels):
            raise WorkflowError(rule, "decided_by_not_entitled")
        return who


def objection_term(snap: AppealSnapshot, cal: WorkingCalendar, rules: CountingRules) -> date | None:
    """R32: the last day to object: 2 working days from the draft's delivery."""
    delivered = snap.draft_delivered_on or snap.draft_sent_on
    return deadlines.objection_due(delivered, cal, rules).due if delivered else None


# --- the guards, one per action ---------------------------------------------

def _request_correction(step: Step) -> Decision:
    """R6: the applicant is told what to fix and by when (after sending)."""
    reason = step.reason("R6")
    sent_on = step.sent_on("R6")
    fix_by = step.params.get("fix_by")
    if fix_by is None:
        raise WorkflowError("R6", "fix_by_required")
    if fix_by <= sent_on:
        raise WorkflowError("R6", "fix_by_after_sent", fix_by=fix_by, sent_on=sent_on)
    return step.decide("R6", reason, {"fix_by": fix_by, "sent_on": sent_on},
                       correction_fix_by=fix_by, correction_sent_on=sent_on)


def _mark_corrected(step: Step) -> Decision:
    """R6: fixed in time → back to review."""
    return step.decide("R6", step.text("note"), correction_fix_by=None)


def _return(step: Step) -> Decision:
    """R6: not fixed in time → returned, only once the term has passed."""
    reason = step.reason("R6")
    _raise_if_blocked(Action.return_, step)
    return step.decide("R6", reason, {"fix_by": step.snap.correction_fix_by})


def return_blocked(snap: AppealSnapshot, today: date, *_rest) -> WorkflowError | None:
    """R6: returned only once the term to fix the appeal has passed."""
    fix_by = snap.correction_fix_by
    if fix_by is None or today <= fix_by:
        return WorkflowError("R6", "correction_term_running", fix_by=fix_by)
    return None


def _leave_without_consideration(step: Step) -> Decision:
    """R5: no substance → left without consideration, the reason recorded
    and the applicant told (the notice letter)."""
    return step.decide("R5", step.reason("R5"), {"notice": "left-without-consideration"})


def _propose_refusal(step: Step) -> Decision:
    """R15, R32: one ground, motivated; the draft's sending and delivery
    days start the decision and objection terms."""
    ground = check_refusal(step.params.get("ground"), step.params.get("motivation"), step.params.get("reference"))
    sent_on = step.sent_on("R32")
    delivered_on = step.params.get("delivered_on") or sent_on
    if delivered_on < sent_on:
        raise WorkflowError("R32", "delivered_before_sent", delivered_on=delivered_on, sent_on=sent_on)
    if delivered_on > step.today:
        raise WorkflowError("R32", "delivered_in_future", delivered_on=delivered_on)
    earliest = deadlines.refusal_decision_earliest(sent_on, step.cal).due
    objection = deadlines.objection_due(delivered_on, step.cal, step.rules).due
    motivation = step.text("motivation")
    return step.decide(
        "R32", motivation,
        {"ground": ground.value, "sent_on": sent_on, "delivered_on": delivered_on, "objection_due_on": objection,
         "decision_earliest_on": earliest, "reference": step.text("reference")},
        refusal_ground=ground, refusal_motivation=motivation, refusal_reference=step.text("reference") or None,
        draft_sent_on=sent_on, draft_delivered_on=delivered_on, objection_due_on=objection,
        decision_earliest_on=earliest, hearing_recorded_on=None, hearing_position=None,
    )


def _record_hearing(step: Step) -> Decision:
    """R32-R33: the applicant's position, once; "no objection" only after
    the objection term has passed."""
    if step.snap.hearing_recorded_on is not None:
        raise WorkflowError("R33", "hearing_already_recorded", on=step.snap.hearing_recorded_on)
    position = step.text("position")
    objection = objection_term(step.snap, step.cal, step.rules)
    if not position and objection is not None and step.today <= objection:
        raise WorkflowError("R33", "no_objection_too_early", objection_due=objection)
    return step.decide("R33", position, {"position_given": bool(position), "objection_due_on": objection},
                       hearing_recorded_on=step.today, hearing_position=position)


def _drop_refusal(step: Step) -> Decision:
    """R33: the hearing changed the outcome: the proposal is dropped and the
    appeal goes back to review and scheduling."""
    reason = step.reason("R33")
    return step.decide("R33", reason, {"hearing_recorded": step.snap.hearing_recorded_on is not None},
                       refusal_ground=None, refusal_motivation=None, refusal_reference=None,
                       draft_sent_on=None, draft_delivered_on=None, objection_due_on=None,
                       decision_earliest_on=None)


def refusal_blocked(snap: AppealSnapshot, today: date, cal: WorkingCalendar,
                    rules: CountingRules) -> WorkflowError | None:
    """R32-R33: why the refusal cannot be decided today, whoever decides it
    (the appeal page shows "Refuse" disabled with this reason), or None."""
    if snap.draft_sent_on is None:
        return WorkflowError("R32", "no_draft_sent")
    earliest = deadlines.refusal_decision_earliest(snap.draft_sent_on, cal).due
    if today < earliest:
        return WorkflowError("R32", "refusal_too_early", earliest=earliest, sent_on=snap.draft_sent_on)
    if snap.hearing_recorded_on is None:
        return WorkflowError("R33", "hearing_not_recorded", objection_due=objection_term(snap, cal, rules))
    return None


def _refuse(step: Step) -> Decision:
    """R15, R32-R33, R27: the final refusal: 3 working days after the draft,
    never without the hearing record, decided on behalf of an entitled
    official."""
    _raise_if_blocked(Action.refuse, step)
    who = step.decider("R27", DECIDERS)
    return step.decide("R15", "", {"decided_on": step.today, "decided_by": who.id}, refusal_decided_by_id=who.id)


def _extend(step: Step) -> Decision:
    """R30a/R30b: before the term ends, to a later day, within 30 calendar
    days (complex) and never past two months; a motivated one names who
    decided; the applicant is told within 3 working days."""
    snap = step.snap
    _raise_if_blocked(Action.extend, step)
    reason = step.reason("R30")
    try:
        kind = ExtensionKind(step.params.get("kind"))
    except ValueError:
        raise WorkflowError("R30", "unknown_extension_kind", kind=str(step.params.get("kind"))) from None
    until = step.params.get("until")
    if until is None:
        raise WorkflowError("R30", "until_required")
    until = step.cal.on_or_after(until)  # a term never ends on a day off
    if until <= snap.due_on:
        raise WorkflowError("R30", "until_not_later", until=until, due_on=snap.due_on)
    if kind is ExtensionKind.complex:
        limit = deadlines.complex_extension_limit(snap.registered_on, step.cal, step.rules)
        if until > limit.due:
            raise WorkflowError("R30a", "beyond_complex_limit", until=until, limit=limit.due)
    limit2 = deadlines.motivated_extension_limit(snap.registered_on, step.cal, step.rules)
    if until > limit2.due:
        raise WorkflowError("R30b", "beyond_two_months", until=until, limit=limit2.due)
    rule = "R30a" if kind is ExtensionKind.complex else "R30b"
    who = step.decider("R30b", None) if kind is ExtensionKind.motivated else None
    notified_on = step.params.get("notified_on")
    if notified_on is not None and notified_on != step.today:
        raise WorkflowError("R30b", "notified_before_decision" if notified_on < step.today else
                            "notified_in_future", notified_on=notified_on)
    notice = deadlines.extension_notice_due(step.today, step.cal, step.rules).due
    return step.decide(
        rule, reason,
        {"kind": kind.value, "until": until, "previous_due_on": snap.due_on, "notice_due_on": notice,
         "decided_by": who.id if who else None, "notified_on": notified_on},
        due_on=until, extension_notice_due_on=notice, extension_decided_on=step.today,
        extension_notified_on=notified_on,
    )


def extend_blocked(snap: AppealSnapshot, today: date, *_rest) -> WorkflowError | None:
    """R30: a term is extended before it ends, never after."""
    if today > snap.due_on:
        return WorkflowError("R30", "term_already_passed", due_on=snap.due_on)
    return None


def _record_extension_notice(step: Step) -> Decision:
    """R30b: the day the applicant was told of the latest extension, so the
    3-working-day notice can be measured."""
    snap = step.snap
    if snap.last_extension_on is None:
        raise WorkflowError("R30b", "no_extension")
    if snap.last_extension_notified_on is not None:
        raise WorkflowError("R30b", "notice_already_recorded", on=snap.last_extension_notified_on)
    notified_on = step.params.get("notified_on")
    if notified_on is None:
        raise WorkflowError("R30b", "notified_on_required")
    if notified_on > step.today:
        raise WorkflowError("R30b", "notified_in_future", notified_on=notified_on)
    if notified_on < snap.last_extension_on:
        raise WorkflowError("R30b", "notified_before_decision", notified_on=notified_on)
    due = deadlines.extension_notice_due(snap.last_extension_on, step.cal, step.rules).due
    return step.decide("R30b", "", {"notified_on": notified_on, "notice_due_on": due, "timely": notified_on <= due},
                       extension_notified_on=notified_on)


def _schedule(step: Step) -> Decision:
    """R26-R29, R3, R13-R14, R28: a free session of the official asked for, not
    in the past, its last place kept for the queue, the reference note in
    time (or a same-day reception of a unit head with consent), video only
    with consent and only for the akim and deputies."""
    snap, slot = step.snap, step.params.get("session")
    same_day = check_slot(snap, slot, step.today, step.cal, step.may_override_official,
                          step.params.get("same_day_consent") is True)
    note = deadlines.reference_note_due(slot.day, step.cal).due
    return step.decide(
        "R3" if same_day else "R29", "",
        {"session": slot.id, "day": slot.day, "reference_note_due_on": None if same_day else note,
         "official_overridden": slot.official_id != snap.official_id, "same_day": same_day},
        session_id=slot.id,
    )


def check_slot(snap: AppealSnapshot, slot, today: date, cal: WorkingCalendar, may_override_official: bool,
               same_day_consent: bool) -> bool:
    """R26-R29, R3, R13-R14, R16, R28: may the appeal be booked into ``slot``?
    Raises the rule that forbids it; True for a same-day reception (R3).
    The booking form offers only the sessions this lets through."""
    if not isinstance(slot, SessionSlot):
        raise WorkflowError("R29", "session_required")
    if slot.cancelled:
        raise WorkflowError("R16", "session_cancelled")
    if slot.day < today:
        raise WorkflowError("R29", "session_in_past", day=slot.day)
    if slot.booked >= slot.capacity:
        raise WorkflowError("R29", "session_full", capacity=slot.capacity)
    if slot.capacity - slot.booked == 1 and slot.waiting_ahead:
        raise WorkflowError("R28", "last_place_for_the_queue", ahead=slot.waiting_ahead)
    if slot.official_id != snap.official_id and not may_override_official:
        raise WorkflowError("R27", "wrong_official")
    if slot.restricted and slot.kind != "video":
        raise WorkflowError("R14", "restrictions_video_only")
    if slot.kind == "video":
        if slot.official_level is not None and slot.official_level not in VIDEO_OFFICIALS:
            raise WorkflowError("R13", "video_not_for_official")
        if not snap.video_consent:
            raise WorkflowError("R13", "video_consent_missing")
    same_day = slot.day == today and slot.official_level in SAME_DAY_OFFICIALS
    note = deadlines.reference_note_due(slot.day, cal).due
    if same_day:
        if not same_day_consent:
            raise WorkflowError("R3", "same_day_consent_required")
    elif note < today:
        raise WorkflowError("R26", "reference_note_too_late", note_due=note, day=slot.day)
    return same_day


def _receive(step: Step) -> Decision:
    """R23: recorded on or after the session's day."""
    _raise_if_blocked(Action.receive, step)
    return step.decide("R23", "", {"received_on": step.today})


def receive_blocked(snap: AppealSnapshot, today: date, *_rest) -> WorkflowError | None:
    """R23: a reception is recorded on or after its day."""
    if snap.session_day is not None and today < snap.session_day:
        return WorkflowError("R23", "before_session", day=snap.session_day)
    return None


def _close(step: Step) -> Decision:
    """R35, R23: closed with the final motivated answer, once the protocol
    records the decision on it and no instruction is still under control."""
    answer = step.text("final_answer")
    if not answer:
        raise WorkflowError("R35", "final_answer_required")
    _raise_if_blocked(Action.close, step)
    return step.decide("R35", answer, final_answer=answer, closed_on=step.today)


def close_blocked(snap: AppealSnapshot, *_rest) -> WorkflowError | None:
    """R23, R35: closed once the protocol records the decision on it and no
    instruction is still under control."""
    if not snap.protocol_entries:
        return WorkflowError("R23", "no_protocol_entry")
    return instructions_block(snap)


def instructions_block(snap: AppealSnapshot, *_rest) -> WorkflowError | None:
    """R34-R35: an instruction under control keeps the appeal open."""
    if snap.open_instructions:
        return WorkflowError("R35", "instructions_open", count=snap.open_instructions)
    return None


def _withdraw(step: Step) -> Decision:
    """R15.5: the applicant's withdrawal, from any open status — but an
    instruction under control is not dropped by it (R34-R35)."""
    reason = step.reason("R15")
    _raise_if_blocked(Action.withdraw, step)
    return step.decide("R15", reason, {"ground": "R15.5"})


BLOCKERS: dict[Action, Callable[..., WorkflowError | None]] = {
    Action.return_: return_blocked,
    Action.refuse: refusal_blocked,
    Action.extend: extend_blocked,
    Action.receive: receive_blocked,
    Action.close: close_blocked,
    Action.withdraw: instructions_block,
}
"""What blocks an action today whatever the user types — the one check the
guard runs and the appeal page shows (the action disabled, with this reason)."""


def blocked(action: Action, snap: AppealSnapshot, today: date, cal: WorkingCalendar,
            rules: CountingRules) -> WorkflowError | None:
    check = BLOCKERS.get(action)
    return None if check is None else check(snap, today, cal, rules)


def _raise_if_blocked(action: Action, step: Step) -> None:
    exc = blocked(action, step.snap, step.today, step.cal, step.rules)
    if exc is not None:
        raise exc


@dataclass(frozen=True)
class ActionSpec:
    starts: frozenset[S]
    target: Optional[S]
    rule: str
    guard: Callable[[Step], Decision]


SPECS: dict[Action, ActionSpec] = {
    Action.request_correction: ActionSpec(frozenset({S.registered}), S.correction_requested, "R6", _request_correction),
    Action.mark_corrected: ActionSpec(frozenset({S.correction_requested}), S.registered, "R6", _mark_corrected),
    Action.return_: ActionSpec(frozenset({S.correction_requested}), S.returned, "R6", _return),
    Action.leave_without_consideration: ActionSpec(BEFORE_SCHEDULING, S.left_without_consideration, "R5",
                                                   _leave_without_consideration),
    Action.propose_refusal: ActionSpec(frozenset({S.registered}), S.refusal_proposed, "R32", _propose_refusal),
    Action.record_hearing: ActionSpec(frozenset({S.refusal_proposed}), None, "R33", _record_hearing),
    Action.drop_refusal: ActionSpec(frozenset({S.refusal_proposed}), S.registered, "R33", _drop_refusal),
    Action.refuse: ActionSpec(frozenset({S.refusal_proposed}), S.refused, "R15", _refuse),
    Action.extend: ActionSpec(frozenset({S.registered, S.correction_requested, S.refusal_proposed}), None, "R30",
                              _extend),
    Action.record_extension_notice: ActionSpec(OPEN, None, "R30b", _record_extension_notice),
    Action.schedule: ActionSpec(frozenset({S.registered}), S.scheduled, "R29", _schedule),
    Action.receive: ActionSpec(frozenset({S.scheduled}), S.received, "R23", _receive),
    Action.close: ActionSpec(frozenset({S.received}), S.closed, "R35", _close),
    Action.withdraw: ActionSpec(OPEN, S.withdrawn, "R15", _withdraw),
}

TRANSITIONS: dict[Action, tuple[frozenset[S], Optional[S], str]] = {
    action: (spec.starts, spec.target, spec.rule) for action, spec in SPECS.items()
}
"""The table without its guards: (statuses it may start from, status it
leads to, rule), for pages that list what is possible."""


def allowed_actions(status: S) -> list[Action]:
    """The actions whose table row admits ``status`` (guards not run)."""
    return [a for a, spec in SPECS.items() if status in spec.starts]


def transition(
    snap: AppealSnapshot,
    action: str,
    params: dict[str, Any] | None = None,
    *,
    today: date,
    cal: WorkingCalendar,
    rules: CountingRules = CountingRules(),
    may_override_official: bool = False,
    may_record_decisions: bool = True,
) -> Decision:
    """Apply ``action`` to an appeal in state ``snap`` or say which rule forbids it."""
    try:
        act = Action(action)
    except ValueError:
        raise WorkflowError("workflow", "unknown_action", action=action) from None
    spec = SPECS[act]
    if snap.status in FINAL_STATUSES:
        raise WorkflowError(spec.rule, "final_status", status=snap.status)
    if snap.status not in spec.starts:
        raise WorkflowError(spec.rule, "not_allowed_from", status=snap.status, action=act.value)
    step = Step(act, snap, dict(params or {}), today, cal, rules, may_override_official, may_record_decisions,
                spec.target or snap.status)
    return spec.guard(step)
