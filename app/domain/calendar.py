"""Working days of the Kazakhstan calendar.

The calendar is data, not a weekday rule: every year an act moves days off,
so a Saturday can become a working day and a Friday a day off. The
``WorkingCalendar`` is fed per year by a loader (public holidays and the
weekend days made working by the yearly act) and by overrides that an Admin
keeps in the panel; an override always wins.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

YearData = tuple[frozenset[date], frozenset[date]]
"""(days off that fall on weekdays or weekends, weekend days made working)."""


def _no_holidays(year: int) -> YearData:
    return frozenset(), frozenset()


_SHARED_PREFIXES: dict[tuple, list[int]] = {}


@dataclass
class WorkingCalendar:
    """Answers "is this a working day?" and counts working days.

    ``year_loader(year)`` returns the national holidays of that year and the
    weekend days the government made working; ``overrides`` maps a date to
    True (working) or False (day off) and wins over both.
    """

    year_loader: Callable[[int], YearData] = _no_holidays
    overrides: Mapping[date, bool] = field(default_factory=dict)
    _years: dict[int, YearData] = field(default_factory=dict, repr=False)

    def _year(self, year: int) -> YearData:
        data = self._years.get(year)
        if data is None:
            off, working = self.year_loader(year)
            data = (frozenset(off), frozenset(working))
            self._years[year] = data
        return data

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return bool(self.overrides[day])
        off, working_weekends = self._year(day.year)
        if day in working_weekends:
            return True
        if day in off:
            return False
        return day.weekday() < 5

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def on_or_after(self, day: date) -> date:
        """``day`` itself if it is a working day, else the next one."""
        return day if self.is_working_day(day) else self.next_working_day(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (n >= 0; 0 gives ``start``)."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def subtract_working_days(self, end: date, n: int) -> date:
        """The n-th working day before ``end``."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = end
        for _ in range(n):
            day -= timedelta(days=1)
            while not self.is_working_day(day):
                day -= timedelta(days=1)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start.

        Counted from per-year running totals, so a list of a thousand terms
        years apart costs a look-up each, not a walk over every day."""
        if end < start:
            return -self.working_days_between(end, start)
        if start.year == end.year:
            return self._running(end) - self._running(start)
        total = self._year_total(start.year) - self._running(start)
        total += sum(self._year_total(y) for y in range(start.year + 1, end.year))
        return total + self._running(end)

    def _prefix(self, year: int) -> list[int]:
        """prefix[i]: working days from 1 January to the i-th day of the year
        (1-based). Shared by every calendar with the same holidays loader and
        the same overrides in that year (a new calendar is made per request)."""
        cache = self.__dict__.setdefault("_prefix_cache", {})
        if year not in cache:
            own = tuple(sorted((d, bool(w)) for d, w in self.overrides.items() if d.year == year))
            key = (self.year_loader, year, own)
            counts = _SHARED_PREFIXES.get(key)
            if counts is None:
                counts, n = [0], 0
                for d in _days(date(year, 1, 1), date(year, 12, 31)):
                    n += self.is_working_day(d)
                    counts.append(n)
                if len(_SHARED_PREFIXES) > 256:
                    _SHARED_PREFIXES.clear()
                _SHARED_PREFIXES[key] = counts
            cache[year] = counts
        return cache[year]

    def _running(self, day: date) -> int:
        return self._prefix(day.year)[day.timetuple().tm_yday]

    def _year_total(self, year: int) -> int:
        return self._prefix(year)[-1]

    def days_off_between(self, start: date, end: date) -> list[date]:
        """Non-working days in [start, end], for explanations."""
        return [d for d in _days(start, end) if not self.is_working_day(d)]


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def utc_to_local(value: datetime, zone_name: str = "Asia/Almaty") -> datetime:
    """A naive UTC timestamp as naive local wall time in ``zone_name``."""
    from zoneinfo import ZoneInfo

    return value.replace(tzinfo=UTC).astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)
