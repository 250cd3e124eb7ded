"""M9 / M7.6: the instructions of the President, the Presidential
Administration and the President's assistant on appeals — their terms and
execution, and the half-year account of how they are carried out."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from .errors import WorkflowError

STATES = ("executed_on_time", "executed_late", "overdue", "on_control")


def check_higher_instruction(issued_on: date, received_on: date, due_on: date, executed_on: Optional[date],
                             report: Optional[str], today: date) -> None:
    """M9: received not before it was issued, nor in the future; a term
    after receipt; execution recorded with its report, on a day between
    receipt and today."""
    if received_on < issued_on:
        raise WorkflowError("M9", "higher_received_before_issued", received_on=received_on, issued_on=issued_on)
    if received_on > today:
        raise WorkflowError("M9", "higher_received_in_future", received_on=received_on)
    if due_on < received_on:
        raise WorkflowError("M9", "higher_due_before_received", due_on=due_on, received_on=received_on)
    if executed_on is not None:
        if not (report or "").strip():
            raise WorkflowError("M9", "higher_report_required")
        if executed_on < received_on or executed_on > today:
            raise WorkflowError("M9", "higher_executed_out_of_range", executed_on=executed_on)
    elif (report or "").strip():
        raise WorkflowError("M9", "higher_executed_on_required")


def higher_state(due_on: date, executed_on: Optional[date], today: date) -> str:
    """M9: executed on time or late, overdue (not executed past its term) or on control."""
    if executed_on is not None:
        return "executed_on_time" if executed_on <= due_on else "executed_late"
    return "overdue" if today > due_on else "on_control"


def state_as_of(due_on: date, executed_on: Optional[date], as_of: date) -> str:
    """M7.6: the state on ``as_of`` — an execution after it is not yet one."""
    return higher_state(due_on, executed_on if executed_on is not None and executed_on <= as_of else None, as_of)


@dataclass
class Tally:
    """M7.6: how the instructions of a half-year are carried out."""

    received: int = 0
    states: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))

    @property
    def executed(self) -> int:
        return self.states["executed_on_time"] + self.states["executed_late"]

    @property
    def on_time_share(self) -> Optional[float]:
        """Executed on time, % of the executed (None when none is)."""
        return round(100.0 * self.states["executed_on_time"] / self.executed, 1) if self.executed else None


def tally(items: Iterable[tuple[date, Optional[date]]], as_of: date) -> Tally:
    """(due_on, executed_on) of each instruction, counted as they stood on
    ``as_of`` (an execution after it is not yet an execution)."""
    out = Tally()
    for due_on, executed_on in items:
        out.received += 1
        out.states[state_as_of(due_on, executed_on, as_of)] += 1
    return out
