"""Terms of the regulation of personal reception, one function per rule.

How a term is counted (as the national e-Otinish system counts): the
registration day is day 1 of every term; the working day ends at 18:30 and a
later receipt is registered the next working day; a term that ends on a
non-working day ends on the next working day. Both the cut-off and "the
registration day is day 1" are settings (``CountingRules``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from .calendar import WorkingCalendar

ANSWER_TERM_WORKING_DAYS = 15  # R29


@dataclass(frozen=True)
class CountingRules:
    workday_end: time = time(18, 30)
    registration_day_is_day_one: bool = True


@dataclass(frozen=True)
class Term:
    """A computed date with what a clerk needs to understand it."""

    rule: str
    due: date
    start: date
    amount: int
    unit: str  # "working_days" | "calendar_days" | "months"
    days_off: list[date] = field(default_factory=list)


def registration_date(
    received_at: datetime, cal: WorkingCalendar, rules: CountingRules = CountingRules()
) -> date:
    """R25: registered on the day it is received; received after the end of
    the working day or on a non-working day, on the next working day."""
    day = received_at.date()
    if cal.is_working_day(day) and received_at.time() < rules.workday_end:
        return day
    return cal.next_working_day(day)


def working_day_term(
    rule: str,
    start: date,
    n: int,
    cal: WorkingCalendar,
    rules: CountingRules = CountingRules(),
) -> Term:
    """The n-th working day of a term that starts on ``start``."""
    if rules.registration_day_is_day_one:
        first = cal.on_or_after(start)
        due = cal.add_working_days(first, n - 1)
    else:
        due = cal.add_working_days(start, n)
    return Term(rule, due, start, n, "working_days", cal.days_off_between(start, due))


def answer_due(
    registered_on: date, cal: WorkingCalendar, rules: CountingRules = CountingRules()
) -> Term:
    """R29: the applicant gets the answer with the date and time of the
    reception no later than 15 working days after registration."""
    return working_day_term("R29", registered_on, ANSWER_TERM_WORKING_DAYS, cal, rules)
