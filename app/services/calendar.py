"""The working-day calendar: national holidays from the maintained
``holidays`` package (its substituted working weekends included),
overridden by the CalendarDay rows an Admin keeps."""
from __future__ import annotations

from datetime import date, time
from functools import lru_cache

import holidays
from flask import current_app, g, has_app_context
from sqlalchemy import select

from app.domain.calendar import WorkingCalendar, YearData
from app.domain.deadlines import CountingRules
from app.extensions import db
from app.models import CalendarDay


@lru_cache(maxsize=64)
def national_year(year: int) -> YearData:
    """Kazakhstan's days off and working weekends of one year."""
    kz = holidays.country_holidays("KZ", years=year)
    off = frozenset(d for d in kz if d.year == year)
    working = frozenset(d for d in getattr(kz, "weekend_workdays", ()) if d.year == year)
    return off, working


def load_overrides() -> dict[date, bool]:
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.is_working)).all()
    return {day: bool(is_working) for day, is_working in rows}


def working_calendar() -> WorkingCalendar:
    """The calendar for this request (built once per request or app context)."""
    if has_app_context() and "working_calendar" in g:
        return g.working_calendar
    cal = WorkingCalendar(year_loader=national_year, overrides=load_overrides())
    if has_app_context():
        g.working_calendar = cal
    return cal


def counting_rules() -> CountingRules:
    hh, mm = (int(x) for x in current_app.config.get("WORKDAY_END", "18:30").split(":"))
    return CountingRules(
        workday_end=time(hh, mm),
        registration_day_is_day_one=current_app.config.get("COUNT_REGISTRATION_DAY", True),
        letter_backdate_working_days=int(current_app.config.get("LETTER_BACKDATE_WORKING_DAYS", 5)),
    )
