"""The working-day calendar: Kazakhstan's holidays, moved days, overrides."""
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.calendar import WorkingCalendar
from app.services.calendar import national_year

KZ = WorkingCalendar(year_loader=national_year)


def test_nauryz_2026_is_off():
    for d in range(21, 26):
        assert not KZ.is_working_day(date(2026, 3, d)), d
    assert KZ.is_working_day(date(2026, 3, 26))


def test_sunday_5_january_2025_was_made_a_working_day():
    assert date(2025, 1, 5).weekday() == 6
    assert KZ.is_working_day(date(2025, 1, 5))
    assert not KZ.is_working_day(date(2025, 1, 3))  # the Friday moved off


def test_override_wins_over_the_national_calendar():
    cal = WorkingCalendar(year_loader=national_year, overrides={date(2026, 3, 23): True, date(2026, 6, 1): False})
    assert cal.is_working_day(date(2026, 3, 23))
    assert not cal.is_working_day(date(2026, 6, 1))


def test_next_working_day_skips_weekend_and_holidays():
    assert KZ.next_working_day(date(2026, 3, 20)) == date(2026, 3, 26)


def test_working_days_between_counts_half_open_interval():
    assert KZ.working_days_between(date(2026, 3, 20), date(2026, 3, 26)) == 1
    assert KZ.working_days_between(date(2026, 3, 26), date(2026, 3, 20)) == -1


days = st.dates(min_value=date(2022, 1, 1), max_value=date(2027, 12, 31))


@settings(max_examples=200, deadline=None)
@given(days, st.integers(min_value=1, max_value=60))
def test_add_working_days_lands_on_a_working_day_and_counts_back(start, n):
    end = KZ.add_working_days(start, n)
    assert KZ.is_working_day(end)
    assert KZ.working_days_between(start, end) == n
    back = KZ.subtract_working_days(end, n)
    if KZ.is_working_day(start):
        assert back == start
    else:
        assert back == KZ.subtract_working_days(start, 1) or back < start


@settings(max_examples=100, deadline=None)
@given(days)
def test_on_or_after_is_the_first_working_day(day):
    found = KZ.on_or_after(day)
    assert KZ.is_working_day(found)
    assert all(not KZ.is_working_day(day + timedelta(days=i)) for i in range((found - day).days))


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
       st.integers(min_value=-1200, max_value=1200))
def test_working_days_between_by_running_totals_equals_counting_day_by_day(start, span):
    """The per-year running totals give the same count as walking the days,
    across year ends and with an Admin's overrides."""
    cal = WorkingCalendar(year_loader=national_year,
                          overrides={date(2026, 3, 7): True, date(2025, 5, 5): False, date(2024, 12, 31): False})
    end = start + timedelta(days=span)
    lo, hi = min(start, end), max(start, end)
    walked = 0
    day = lo + timedelta(days=1)
    while day <= hi:
        walked += cal.is_working_day(day)
        day += timedelta(days=1)
    assert cal.working_days_between(start, end) == (walked if start <= end else -walked)


def test_an_answer_at_01_30_in_almaty_is_of_that_local_day():
    """``answered_on`` and every "day of an event" are local days (UTC+5)."""
    from datetime import datetime

    from app.domain.calendar import utc_to_local

    at_utc = datetime(2026, 4, 6, 20, 30)  # 01:30 on 7 April in Almaty
    assert utc_to_local(at_utc).date() == date(2026, 4, 7)
    assert utc_to_local(datetime(2026, 4, 6, 18, 59)).date() == date(2026, 4, 6)
