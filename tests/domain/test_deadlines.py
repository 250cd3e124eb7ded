"""R25 registration date and R29 answer term."""
from datetime import date, datetime, time

from app.domain.calendar import WorkingCalendar
from app.domain.deadlines import CountingRules, answer_due, registration_date
from app.services.calendar import national_year

KZ = WorkingCalendar(year_loader=national_year)


def test_R29_answer_due_on_15th_working_day_counting_registration_day():
    term = answer_due(date(2022, 5, 26), KZ)
    assert term.due == date(2022, 6, 15)
    assert term.rule == "R29" and term.amount == 15 and term.unit == "working_days"


def test_R29_term_skips_nauryz_and_lists_the_days_off():
    term = answer_due(date(2026, 3, 20), KZ)  # Friday before Nauryz
    assert date(2026, 3, 23) in term.days_off
    assert KZ.is_working_day(term.due)
    assert KZ.working_days_between(date(2026, 3, 20), term.due) == 14


def test_R29_registration_day_as_day_one_is_a_setting():
    plain = answer_due(date(2022, 5, 26), KZ, CountingRules(registration_day_is_day_one=False))
    assert plain.due == date(2022, 6, 16)


def test_R25_received_on_a_working_day_before_18_30_is_registered_that_day():
    assert registration_date(datetime(2026, 3, 19, 18, 29), KZ) == date(2026, 3, 19)


def test_R25_received_at_19_00_is_registered_the_next_working_day():
    assert registration_date(datetime(2026, 3, 19, 19, 0), KZ) == date(2026, 3, 20)


def test_R25_received_on_saturday_21_march_2026_nauryz_is_registered_on_26_march():
    assert registration_date(datetime(2026, 3, 21, 10, 0), KZ) == date(2026, 3, 26)


def test_R25_cut_off_time_is_a_setting():
    rules = CountingRules(workday_end=time(18, 0))
    assert registration_date(datetime(2026, 3, 19, 18, 10), KZ, rules) == date(2026, 3, 20)


def test_R25_across_new_year():
    # 31 Dec 2025 after hours → 1-2 Jan are holidays, 3-4 a weekend → 5 Jan 2026
    assert registration_date(datetime(2025, 12, 31, 19, 0), KZ) == date(2026, 1, 5)


def test_R25_on_a_sunday_made_working_it_registers_the_same_day():
    assert registration_date(datetime(2025, 1, 5, 11, 0), KZ) == date(2025, 1, 5)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(2022, 1, 1), max_value=datetime(2027, 12, 31)))
def test_R29_due_date_is_a_working_day_15_working_days_counting_registration(received):
    registered = registration_date(received, KZ)
    assert KZ.is_working_day(registered)
    due = answer_due(registered, KZ).due
    assert KZ.is_working_day(due)
    assert KZ.working_days_between(registered, due) == 14
    assert KZ.subtract_working_days(due, 14) == registered
