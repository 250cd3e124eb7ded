"""Plain-language explanations of computed terms, for clerks."""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext

from app.domain.deadlines import Term


def _ranges(days: list[date]) -> str:
    """21.03–25.03, 28.03–29.03 (consecutive days collapsed)."""
    out, start, prev = [], None, None
    for d in sorted(days):
        if start is None:
            start = prev = d
        elif d == prev + timedelta(days=1):
            prev = d
        else:
            out.append((start, prev))
            start = prev = d
    if start is not None:
        out.append((start, prev))
    return ", ".join(
        a.strftime("%d.%m") if a == b else f"{a:%d.%m}–{b:%d.%m}" for a, b in out
    )


def explain(term: Term) -> str:
    """"15th working day counting the registration day 26.05.2022; days off
    skipped: 28.05–29.05"."""
    start = term.start.strftime("%d.%m.%Y")
    if term.unit == "working_days" and term.amount < 0:
        text = gettext("%(n)s working days before %(start)s", n=-term.amount, start=start)
    elif term.unit == "working_days_after":
        text = gettext("%(n)s working days after %(start)s", n=term.amount, start=start)
    elif term.unit == "working_days":
        text = gettext("working day No. %(n)s counting %(start)s as day 1", n=term.amount, start=start)
    elif term.unit == "calendar_days":
        text = gettext("calendar day No. %(n)s counting %(start)s as day 1", n=term.amount, start=start)
    else:
        text = gettext("%(n)s months from %(start)s", n=term.amount, start=start)
    if term.days_off:
        text += "; " + gettext("days off: %(days)s", days=_ranges(term.days_off))
    return text
