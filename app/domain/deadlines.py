"""Terms of the regulation of personal reception, one function per rule.

How a term is counted (as the national e-Otinish system counts): the
registration day is day 1 of every term; the working day ends at 18:30 and a
later receipt is registered the next working day; a term that ends on a
non-working day ends on the next working day. Both the cut-off and "the
registration day is day 1" are settings (``CountingRules``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from .calendar import WorkingCalendar

ANSWER_TERM_WORKING_DAYS = 15  # R29


@dataclass(frozen=True)
class CountingRules:
    workday_end: time = time(18, 30)
    registration_day_is_day_one: bool = True
    letter_backdate_working_days: int = 5
    """A letter's ``sent_on`` may be at most this many working days before
    the day it is recorded (CONTRACT.md: ``LETTER_BACKDATE_WORKING_DAYS``)."""


@dataclass(frozen=True)
class Term:
    """A computed date with what a clerk needs to understand it."""

    rule: str
    due: date
    start: date
    amount: int
    unit: str  # "working_days" | "working_days_after" | "calendar_days" | "months"
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


# --- further terms of the regulation ---------------------------------------

COMPLEX_EXTENSION_CALENDAR_DAYS = 30  # R30a
MOTIVATED_EXTENSION_MONTHS = 2  # R30b
EXTENSION_NOTICE_WORKING_DAYS = 3  # R30b, Code art. 76
REFERENCE_NOTE_WORKING_DAYS_BEFORE = 5  # R26
PARTICIPATION_NOTICE_WORKING_DAYS = 2  # R19
PARTICIPATION_REFUSAL_REPORT_WORKING_DAYS = 2  # R20
CANCELLATION_NOTICE_WORKING_DAYS_BEFORE = 2  # R16
DRAFT_BEFORE_DECISION_WORKING_DAYS = 3  # R32
OBJECTION_WORKING_DAYS = 2  # R32


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = [31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28,
            31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return date(year, month, min(day.day, last))


def calendar_day_term(
    rule: str, start: date, n: int, cal: WorkingCalendar, rules: CountingRules = CountingRules()
) -> Term:
    """The n-th calendar day of a term starting on ``start``; a term ending on
    a non-working day ends on the next working day."""
    end = start + timedelta(days=n - 1 if rules.registration_day_is_day_one else n)
    due = cal.on_or_after(end)
    return Term(rule, due, start, n, "calendar_days", cal.days_off_between(end, due) if due != end else [])


def months_term(
    rule: str, start: date, months: int, cal: WorkingCalendar, rules: CountingRules = CountingRules()
) -> Term:
    """A term of whole months from ``start`` (day 1 = ``start`` when so set)."""
    end = _add_months(start, months)
    if rules.registration_day_is_day_one:
        end -= timedelta(days=1)
    due = cal.on_or_after(end)
    return Term(rule, due, start, months, "months", cal.days_off_between(end, due) if due != end else [])


def complex_extension_limit(
    registered_on: date, cal: WorkingCalendar, rules: CountingRules = CountingRules()
) -> Term:
    """R30a: a complex question may be extended by a letter to at most 30
    calendar days from registration."""
    return calendar_day_term("R30a", registered_on, COMPLEX_EXTENSION_CALENDAR_DAYS, cal, rules)


def motivated_extension_limit(
    registered_on: date, cal: WorkingCalendar, rules: CountingRules = CountingRules()
) -> Term:
    """R30b: however many extensions, the whole term never passes two months
    from registration."""
    return months_term("R30b", registered_on, MOTIVATED_EXTENSION_MONTHS, cal, rules)


def extension_notice_due(
    decided_on: date, cal: WorkingCalendar, rules: CountingRules = CountingRules()
) -> Term:
    """R30b: the applicant is told of each extension within 3 working days
    of the decision."""
    return working_day_term("R30b", decided_on, EXTENSION_NOTICE_WORKING_DAYS, cal, rules)


def participation_notice_due(
    requested_on: date, cal: WorkingCalendar, rules: CountingRules = CountingRules()
) -> Term:
    """R19: after asking another body to take part, the applicant is told
    within 2 working days."""
    return working_day_term("R19", requested_on, PARTICIPATION_NOTICE_WORKING_DAYS, cal, rules)


def participation_refusal_report_due(
    refused_on: date, cal: WorkingCalendar, rules: CountingRules = CountingRules()
) -> Term:
    """R20: a body's refusal to take part is reported to the Government
    Office within 2 working days."""
    return working_day_term("R20", refused_on, PARTICIPATION_REFUSAL_REPORT_WORKING_DAYS, cal, rules)


def _working_days_before(rule: str, day: date, n: int, cal: WorkingCalendar) -> Term:
    due = cal.subtract_working_days(day, n)
    return Term(rule, due, day, -n, "working_days", cal.days_off_between(due, day))


def reference_note_due(reception_day: date, cal: WorkingCalendar) -> Term:
    """R26: the reference note with a proposal is ready no later than 5
    working days before the reception."""
    return _working_days_before("R26", reception_day, REFERENCE_NOTE_WORKING_DAYS_BEFORE, cal)


def cancellation_notice_latest(reception_day: date, cal: WorkingCalendar) -> Term:
    """R16: an official who cannot receive tells the reception staff no later
    than 2 working days before the reception."""
    return _working_days_before("R16", reception_day, CANCELLATION_NOTICE_WORKING_DAYS_BEFORE, cal)


def cancellation_notice_is_timely(told_on: date, reception_day: date, cal: WorkingCalendar) -> bool:
    """R16: timely if no later than 2 working days before, or on the day
    itself — the same-day option holds for every reason (illness, a business
    trip or any other)."""
    if told_on == reception_day:
        return True
    return told_on <= cancellation_notice_latest(reception_day, cal).due


def refusal_decision_earliest(sent_on: date, cal: WorkingCalendar) -> Term:
    """R32: the draft preliminary decision goes to the applicant no later
    than 3 working days before the decision: the decision may be taken on the
    3rd working day after the draft was sent, not earlier."""
    due = cal.add_working_days(sent_on, DRAFT_BEFORE_DECISION_WORKING_DAYS)
    return Term("R32", due, sent_on, DRAFT_BEFORE_DECISION_WORKING_DAYS, "working_days_after",
                cal.days_off_between(sent_on, due))


def objection_due(sent_on: date, cal: WorkingCalendar, rules: CountingRules = CountingRules()) -> Term:
    """R32: the applicant may object within 2 working days of receiving the
    draft (counted from the day it was sent)."""
    return working_day_term("R32", sent_on, OBJECTION_WORKING_DAYS, cal, rules)


# --- when the calendar changes -----------------------------------------------

@dataclass(frozen=True)
class StoredTerms:
    """The calendar-derived terms an appeal keeps, with what they count from."""

    registered_on: date
    answer_due_on: date
    due_on: date
    extended: bool
    """The term was extended (R30): ``due_on`` is the decided date, not a count."""
    draft_sent_on: date | None = None
    draft_delivered_on: date | None = None
    objection_due_on: date | None = None
    decision_earliest_on: date | None = None
    extension_decided_on: date | None = None
    extension_notified_on: date | None = None
    extension_notice_due_on: date | None = None


def recomputed_terms(t: StoredTerms, cal: WorkingCalendar, rules: CountingRules = CountingRules()) -> dict[str, date]:
    """The stored terms as ``cal`` counts them now — only those that move.

    R29 counts from the registration day; an extended term keeps the date
    that was decided (R30) but never ends before the R29 term; the R32
    objection term counts from delivery and the earliest decision day from
    sending; the R30b notice term from the extension decision, while the
    notice is not yet recorded."""
    new: dict[str, date] = {"answer_due_on": answer_due(t.registered_on, cal, rules).due}
    new["due_on"] = max(t.due_on, new["answer_due_on"]) if t.extended else new["answer_due_on"]
    if t.draft_delivered_on is not None and t.objection_due_on is not None:
        new["objection_due_on"] = objection_due(t.draft_delivered_on, cal, rules).due
    if t.draft_sent_on is not None and t.decision_earliest_on is not None:
        new["decision_earliest_on"] = refusal_decision_earliest(t.draft_sent_on, cal).due
    if t.extension_decided_on is not None and t.extension_notified_on is None and t.extension_notice_due_on:
        new["extension_notice_due_on"] = extension_notice_due(t.extension_decided_on, cal, rules).due
    return {k: v for k, v in new.items() if getattr(t, k) != v}
