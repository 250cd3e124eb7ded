"""Calendar changes move stored terms (DOMAIN.md §Calendar): the pure rule."""
from datetime import date

from app.domain.calendar import WorkingCalendar
from app.domain.deadlines import StoredTerms, answer_due, recomputed_terms


def _cal(**overrides):
    return WorkingCalendar(overrides={date.fromisoformat(k): v for k, v in overrides.items()})


REG = date(2026, 11, 2)  # Monday; with weekends only, R29 is due Friday 20 November
DUE = answer_due(REG, _cal()).due


def _terms(**over):
    base = dict(registered_on=REG, answer_due_on=DUE, due_on=DUE, extended=False)
    return StoredTerms(**{**base, **over})


def test_calendar_change_a_day_off_inside_the_term_moves_the_R29_term_a_working_day_later():
    assert date(2026, 11, 20) == DUE
    moved = recomputed_terms(_terms(), _cal(**{"2026-11-10": False}))
    assert moved == {"answer_due_on": date(2026, 11, 23), "due_on": date(2026, 11, 23)}


def test_calendar_change_a_working_saturday_inside_the_term_moves_it_earlier():
    moved = recomputed_terms(_terms(), _cal(**{"2026-11-07": True}))
    assert moved == {"answer_due_on": date(2026, 11, 19), "due_on": date(2026, 11, 19)}


def test_calendar_change_after_the_term_moves_nothing():
    assert recomputed_terms(_terms(), _cal(**{"2026-11-25": False})) == {}


def test_calendar_change_keeps_a_decided_extension_but_never_before_the_R29_term():
    extended = _terms(due_on=date(2026, 11, 30), extended=True, extension_decided_on=date(2026, 11, 12),
                      extension_notified_on=date(2026, 11, 12), extension_notice_due_on=date(2026, 11, 16))
    assert recomputed_terms(extended, _cal(**{"2026-11-10": False})) == {"answer_due_on": date(2026, 11, 23)}
    short = _terms(due_on=DUE, extended=True, extension_decided_on=date(2026, 11, 12),
                   extension_notified_on=date(2026, 11, 12), extension_notice_due_on=date(2026, 11, 16))
    many_days_off = _cal(**{f"2026-11-{d:02d}": False for d in (10, 11, 12)})
    got = recomputed_terms(short, many_days_off)
    assert got["due_on"] == got["answer_due_on"] == date(2026, 11, 25)


def test_calendar_change_moves_the_R32_objection_term_from_delivery_and_the_earliest_decision_from_sending():
    terms = _terms(draft_sent_on=date(2026, 11, 5), draft_delivered_on=date(2026, 11, 9),
                   objection_due_on=date(2026, 11, 10), decision_earliest_on=date(2026, 11, 10))
    got = recomputed_terms(terms, _cal(**{"2026-11-10": False}))
    assert got["objection_due_on"] == date(2026, 11, 11)
    assert got["decision_earliest_on"] == date(2026, 11, 11)


def test_calendar_change_moves_the_R30b_notice_term_only_while_the_notice_is_not_recorded():
    waiting = _terms(due_on=date(2026, 12, 1), extended=True, extension_decided_on=date(2026, 11, 16),
                     extension_notice_due_on=date(2026, 11, 18))
    assert recomputed_terms(waiting, _cal(**{"2026-11-17": False}))["extension_notice_due_on"] == date(2026, 11, 19)
    told = _terms(due_on=date(2026, 12, 1), extended=True, extension_decided_on=date(2026, 11, 16),
                  extension_notified_on=date(2026, 11, 16), extension_notice_due_on=date(2026, 11, 18))
    assert "extension_notice_due_on" not in recomputed_terms(told, _cal(**{"2026-11-17": False}))
