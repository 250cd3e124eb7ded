"""M9 / M7.6: instructions of higher bodies — the pure rules."""
from datetime import date

import pytest

from app.domain.errors import WorkflowError
from app.domain.higher import check_higher_instruction, higher_state, tally

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize("issued, received, due, executed, report, code", [
    (date(2026, 11, 5), date(2026, 11, 4), date(2026, 11, 20), None, None, "higher_received_before_issued"),
    (date(2026, 11, 5), date(2026, 12, 2), date(2026, 12, 20), None, None, "higher_received_in_future"),
    (date(2026, 11, 5), date(2026, 11, 6), date(2026, 11, 5), None, None, "higher_due_before_received"),
    (date(2026, 11, 5), date(2026, 11, 6), date(2026, 11, 20), date(2026, 11, 19), "  ", "higher_report_required"),
    (date(2026, 11, 5), date(2026, 11, 6), date(2026, 11, 20), date(2026, 11, 5), "done", "higher_executed_out_of_range"),
    (date(2026, 11, 5), date(2026, 11, 6), date(2026, 11, 20), date(2026, 12, 2), "done", "higher_executed_out_of_range"),
    (date(2026, 11, 5), date(2026, 11, 6), date(2026, 11, 20), None, "done", "higher_executed_on_required"),
])
def test_M9_an_instruction_of_a_higher_body_is_refused_with_its_rule(issued, received, due, executed, report, code):
    with pytest.raises(WorkflowError) as err:
        check_higher_instruction(issued, received, due, executed, report, TODAY)
    assert err.value.rule == "M9" and err.value.code == code


def test_M9_a_consistent_instruction_passes_with_or_without_its_execution():
    check_higher_instruction(date(2026, 11, 5), date(2026, 11, 6), date(2026, 11, 20), None, None, TODAY)
    check_higher_instruction(date(2026, 11, 5), date(2026, 11, 6), date(2026, 11, 20), date(2026, 11, 30), "done", TODAY)


def test_M9_state_executed_on_time_or_late_overdue_or_on_control():
    due = date(2026, 11, 20)
    assert higher_state(due, date(2026, 11, 20), TODAY) == "executed_on_time"
    assert higher_state(due, date(2026, 11, 21), TODAY) == "executed_late"
    assert higher_state(due, None, TODAY) == "overdue"
    assert higher_state(date(2026, 12, 1), None, TODAY) == "on_control"


def test_M7_6_the_half_year_counts_as_things_stood_at_its_end():
    end = date(2026, 6, 30)
    items = [(date(2026, 6, 10), date(2026, 6, 9)), (date(2026, 6, 10), date(2026, 6, 12)),
             (date(2026, 6, 20), date(2026, 7, 3)),  # executed only after the half-year: overdue at its end
             (date(2026, 7, 10), None)]
    t = tally(items, end)
    assert t.received == 4 and t.executed == 2 and t.on_time_share == 50.0
    assert t.states == {"executed_on_time": 1, "executed_late": 1, "overdue": 1, "on_control": 1}
