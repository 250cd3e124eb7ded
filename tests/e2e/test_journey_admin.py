"""Admin: adds a working Saturday (a day moved by a government act) to the
calendar — first seeing which running appeals' terms move — and sees the
R29 answer term of an appeal move one day earlier."""
from datetime import timedelta

import pytest

from . import a11y
from .journey import LANGS, Journey, fmt

pytestmark = pytest.mark.e2e


def _monday_with_a_free_saturday(app, lang: str):
    """A Monday some months ahead (one per language) whose R29 term runs
    over an ordinary Saturday day off."""
    from app.services.calendar import working_calendar
    from app.services.clock import today

    with app.app_context():
        cal = working_calendar()
        day = today() + timedelta(days=120 + 35 * ["ru", "kk", "en"].index(lang))
        while True:
            day += timedelta(days=(7 - day.weekday()) % 7 or 7)  # the next Monday
            saturday = day + timedelta(days=5)
            if all(cal.is_working_day(day + timedelta(days=i)) for i in range(5)) \
                    and not cal.is_working_day(saturday):
                return day, saturday


@pytest.mark.parametrize("lang", LANGS)
def test_R25_admin_adds_a_working_saturday_and_the_term_moves(live_server, live_app, page, lang):
    from app.domain.deadlines import answer_due
    from app.services.calendar import counting_rules, working_calendar

    monday, saturday = _monday_with_a_free_saturday(live_app, lang)
    with live_app.app_context():
        before = answer_due(monday, working_calendar(), counting_rules()).due

    j = Journey(page, live_server, live_app, lang, "admin")
    j.login("admin")
    j.open("/calendardayview/list/")
    j.type_date("#term_from", monday)
    with page.expect_navigation():
        a11y.press(page, page.locator("#term-check [type=submit]"))
    j.check()
    assert page.locator("#term-due").inner_text() == fmt(before)
    assert saturday.strftime("%d.%m") in page.locator("#term-check").inner_text()  # counted as a day off
    j.shot("1-term-before")

    # The government moved a day off: this Saturday is a working day.
    j.open("/calendardayview/add")
    j.type_date("#day", saturday)
    page.select_option("#what", "working")
    page.fill("#note", "Постановление Правительства РК о переносе выходных дней")
    j.check()
    j.shot("2-add-saturday")
    with page.expect_navigation():
        page.click("button[value=preview]")
    # before anything is saved: which running appeals' terms move (none this far ahead)
    assert page.locator("#calendar-preview").count() == 1
    with live_app.app_context():
        from sqlalchemy import select

        from app.extensions import db
        from app.models import CalendarDay

        assert db.session.execute(select(CalendarDay).where(CalendarDay.day == saturday)).first() is None
    j.check()
    with page.expect_navigation():
        page.click("#save-change")
    assert page.locator(".alert-danger").count() == 0, j.body()[:1500]
    assert page.locator(".alert-success").count() == 1
    j.open("/calendardayview/list/")
    assert fmt(saturday) in page.locator("table.table").last.inner_text()

    # The same appeal's term: one working day more in the week, so one day earlier.
    j.open(f"/calendardayview/list/?term_from={monday.isoformat()}")
    with live_app.app_context():
        cal = working_calendar()
        after = answer_due(monday, cal, counting_rules()).due
        assert cal.is_working_day(saturday)
    assert after < before and cal.add_working_days(after, 1) == before
    assert page.locator("#term-due").inner_text() == fmt(after)
    assert saturday.strftime("%d.%m") not in page.locator("#term-check").inner_text()
    j.shot("3-term-after")
