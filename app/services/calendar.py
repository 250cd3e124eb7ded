"""The working-day calendar: national holidays from the maintained
``holidays`` package (its substituted working weekends included),
overridden by the CalendarDay rows an Admin keeps."""
from __future__ import annotations

from dataclasses import dataclass
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


# --- the year at a glance (the calendar page) ---------------------------------

def N_(msgid: str) -> str:
    return msgid


HOLIDAY_NAMES = {  # the ``holidays`` package's English names, as msgids
    "New Year's Day": N_("New Year's Day"),
    "Orthodox Christmas": N_("Orthodox Christmas"),
    "International Women's Day": N_("International Women's Day"),
    "Nowruz Holiday": N_("Nauryz"),
    "Kazakhstan's People Solidarity Holiday": N_("Day of Unity of the People of Kazakhstan"),
    "Defender of the Fatherland Day": N_("Defender of the Fatherland Day"),
    "Victory Day": N_("Victory Day"),
    "Eid al-Adha": N_("Kurban ait"),
    "Capital Day": N_("Capital Day"),
    "Republic Day": N_("Republic Day"),
    "Independence Day": N_("Independence Day"),
    "Constitution Day": N_("Constitution Day"),
}


@dataclass(frozen=True)
class DayRow:
    day: date
    working: bool
    """Whether the day is worked, as the calendar counts it now."""
    source: str  # "national" | "override"
    name: str = ""
    observed: bool = False
    estimated: bool = False
    """A date the source only estimates (a future Kurban ait) and no override confirms."""
    note: str = ""


@lru_cache(maxsize=64)
def _national_names(year: int) -> dict[date, str]:
    kz = holidays.country_holidays("KZ", years=year, language="en_US")
    return {d: name for d, name in kz.items() if d.year == year}


def _holiday_name(raw: str) -> tuple[str, bool, bool]:
    from flask_babel import gettext

    estimated, observed = "(estimated)" in raw, "(observed)" in raw
    base = raw.replace("(estimated)", "").replace("(observed)", "").strip()
    return (gettext(HOLIDAY_NAMES[base]) if base in HOLIDAY_NAMES else base), observed, estimated


def year_overview(year: int) -> list[DayRow]:
    """The days of ``year`` that differ from a Monday-to-Friday week: the
    national days off and working weekends, and the Admin's overrides (which
    win, and confirm an estimated date)."""
    off, working = national_year(year)
    names = _national_names(year)
    notes = {d: (w, n) for d, w, n in db.session.execute(
        select(CalendarDay.day, CalendarDay.is_working, CalendarDay.note)
        .where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))).all()}
    rows = []
    for day in sorted(off | working | set(notes)):
        name, observed, estimated = _holiday_name(names.get(day, "")) if day in names else ("", False, False)
        if day in notes:
            is_working, note = notes[day]
            rows.append(DayRow(day, bool(is_working), "override", name, observed, False, note or ""))
        else:
            rows.append(DayRow(day, day in working, "national", name, observed, estimated))
    return rows
