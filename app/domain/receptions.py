"""Rules of rosters, receptions and instructions (pure)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Optional

from .errors import WorkflowError
from .vocabulary import OfficialLevel, PlaceKind, SessionKind

# R2: the persons of the akim's office who receive citizens at the public
# reception and at the reception centres at least once a month (R7, R7-1):
# (1) the akim and deputies, (2) the head of the office and deputies, (3) the
# heads of its structural units, (4) its other authorised employees. District
# akims and heads of other bodies are not R2 persons.
R2_LEVELS = frozenset({
    OfficialLevel.akim, OfficialLevel.deputy_akim, OfficialLevel.office_head,
    OfficialLevel.deputy_office_head, OfficialLevel.unit_head, OfficialLevel.authorised_employee,
})


@dataclass(frozen=True)
class RosterEntry:
    official_id: int
    place_kind: PlaceKind
    day: date
    cancelled: bool = False
    off_roster: bool = False
    """R9: a reception off the roster (by the akim's order) is no roster entry."""


@dataclass(frozen=True)
class Gap:
    official_id: int
    public_reception: bool  # no session at the public reception this month
    reception_centres: bool  # no session at any reception centre this month


def roster_gaps(officials: Iterable[tuple], entries: Iterable[RosterEntry],
                year: int, month: int) -> list[Gap]:
    """R7 / R7-1: the R2 officials who fall short of one reception a month at
    the public reception and at the reception centres. ``officials`` are
    (id, level) or (id, level, of the akim's office); cancelled and
    off-roster sessions do not count."""
    seen: dict[int, set[PlaceKind]] = {}
    for e in entries:
        if e.day.year == year and e.day.month == month and not e.cancelled and not e.off_roster:
            seen.setdefault(e.official_id, set()).add(PlaceKind(e.place_kind))
    gaps = []
    for official_id, level, *rest in officials:
        of_akim_office = rest[0] if rest else True
        if OfficialLevel(level) not in R2_LEVELS or not of_akim_office:
            continue
        kinds = seen.get(official_id, set())
        missing_public = PlaceKind.public_reception not in kinds
        missing_centre = PlaceKind.reception_centre not in kinds
        if missing_public or missing_centre:
            gaps.append(Gap(official_id, missing_public, missing_centre))
    return gaps


def check_month_has_receptions(entries: Iterable[RosterEntry], year: int, month: int) -> None:
    """R8: a roster says who receives, on which days and hours, and where; a
    month of a place with no reception in it (none, or only cancelled and
    off-roster ones) is no roster, and cannot be approved."""
    if not any(e.day.year == year and e.day.month == month and not e.cancelled and not e.off_roster
               for e in entries):
        raise WorkflowError("R8", "empty_roster")


def check_session(kind, level, order_ref: Optional[str], order_date: Optional[date]) -> None:
    """R9: off-roster receptions are held by deputy akims on the akim's order
    (number and date); R7 part 2: receptions after a meeting with the
    population are the akim's."""
    kind = SessionKind(kind)
    if kind is SessionKind.off_roster:
        if OfficialLevel(level) is not OfficialLevel.deputy_akim:
            raise WorkflowError("R9", "off_roster_deputies_only")
        if not (order_ref or "").strip() or order_date is None:
            raise WorkflowError("R9", "order_required")
    if kind is SessionKind.after_meeting and OfficialLevel(level) is not OfficialLevel.akim:
        raise WorkflowError("R7", "after_meeting_akim_only")


def check_video_consent(kind, consents: Sequence[bool]) -> None:
    """R13-R14: a video-conference reception needs the consent of every
    booked applicant."""
    if SessionKind(kind) is SessionKind.video and not all(consents):
        raise WorkflowError("R13", "video_consent_required")


def check_reassignment(previous: Iterable[int], new_assignee: int) -> None:
    """R37: an appeal from a reception may not be assigned to an employee it
    was assigned to before."""
    if new_assignee in set(previous):
        raise WorkflowError("R37", "assigned_before")


def check_answer(answer: Optional[str]) -> str:
    """R34: the executor's answer to an instruction is a text; it does not
    take the instruction off control by itself."""
    text = (answer or "").strip()
    if not text:
        raise WorkflowError("R35", "answer_required")
    return text


def check_control(under_control: bool, may_control: bool) -> None:
    """R34: only the public-reception staff act on an instruction's control,
    and only while it is under control."""
    if not may_control:
        raise WorkflowError("R34", "may_not_control_instructions")
    if not under_control:
        raise WorkflowError("R35", "instruction_off_control")


def check_acceptance(under_control: bool, executor_answer: Optional[str], by_executor: bool,
                     may_control: bool) -> str:
    """R34-R35: the staff accept the executor's answer as the final motivated
    answer — the only way off control; the executor never accepts their own."""
    check_control(under_control, may_control)
    if not (executor_answer or "").strip():
        raise WorkflowError("R35", "no_executor_answer")
    if by_executor:
        raise WorkflowError("R34", "executor_may_not_accept")
    return executor_answer.strip()


def check_new_deadline(current: date, new: Optional[date], today: date) -> date:
    """R23: an instruction's deadline moves only to a concrete later-or-equal
    day that is not in the past, as a recorded change."""
    if new is None:
        raise WorkflowError("R23", "due_on_required")
    if new < today:
        raise WorkflowError("R23", "due_on_in_past", due_on=new)
    if new == current:
        raise WorkflowError("R23", "due_on_unchanged", due_on=new)
    return new


def rebooking_plan(queue: Sequence[int], capacities: Sequence[tuple[int, int]]) -> tuple[dict[int, int], list[int]]:
    """R16: move the booked appeals, already in R12 order, into the target
    sessions' free places in turn: (appeal → session, appeals left over)."""
    plan: dict[int, int] = {}
    slots = [(sid, free) for sid, free in capacities if free > 0]
    i = 0
    for appeal_id in queue:
        while i < len(slots) and slots[i][1] == 0:
            i += 1
        if i >= len(slots):
            break
        sid, free = slots[i]
        plan[appeal_id] = sid
        slots[i] = (sid, free - 1)
    left = [a for a in queue if a not in plan]
    return plan, left


def check_materials_request(requested_on: date, due_on: date, answered_on: Optional[date], answer: Optional[str],
                            today: date) -> None:
    """R31: a request for materials has a due date not before it was made;
    an answer is recorded with its day, never in the future nor before the
    request."""
    if due_on < requested_on:
        raise WorkflowError("R31", "materials_due_before_request", due_on=due_on, requested_on=requested_on)
    if requested_on > today:
        raise WorkflowError("R31", "materials_requested_in_future", requested_on=requested_on)
    if answered_on is not None:
        if not (answer or "").strip():
            raise WorkflowError("R31", "materials_answer_required")
        if answered_on > today or answered_on < requested_on:
            raise WorkflowError("R31", "materials_answered_on_out_of_range", answered_on=answered_on)


def materials_term(due_on: date, answered_on: Optional[date], today: date) -> str:
    """R31: "answered", "overdue" (no answer after the due date) or "open"."""
    if answered_on is not None:
        return "answered"
    return "overdue" if today > due_on else "open"
