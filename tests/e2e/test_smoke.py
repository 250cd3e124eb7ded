"""Real-browser smoke test: the Manager logs in and sees the appeals list."""
import re

import pytest

from tests.conftest import DEMO_PASSWORD

from .conftest import save_screenshot

pytestmark = pytest.mark.e2e


def test_manager_logs_in_and_sees_the_appeals_register(live_server, page):
    page.goto(live_server + "/login/")
    page.fill("#username", "manager")
    page.fill("#password", DEMO_PASSWORD)
    page.click("[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))
    page.goto(live_server + "/appealview/list/")
    rows = page.locator("table.table tbody tr")
    assert rows.count() >= 10
    first_row = rows.first.inner_text()
    assert re.search(r"ЖТ-\d{4}-\d{6}", first_row), first_row
    # Russian by default: the menu and the statuses read in Russian
    assert "Обращения" in page.locator(".navbar").inner_text()
    assert page.locator("text=/Зарегистрировано|Закрыто|Прием проведен|Отказано/").count() > 0
    save_screenshot(page, "appeals-list.png")


def test_R30a_clerk_extends_a_term_in_the_browser_and_is_told_the_limit(live_server, live_app, page):
    from datetime import datetime, timedelta

    from app.domain.deadlines import complex_extension_limit
    from app.extensions import db
    from app.models import Appeal
    from app.services.calendar import working_calendar
    from tests.conftest import make_appeal

    appeal_id = make_appeal(live_app, datetime.now() - timedelta(days=1))
    with live_app.app_context():
        appeal = db.session.get(Appeal, appeal_id)
        limit = complex_extension_limit(appeal.registered_on, working_calendar()).due
        appeal_id, reg_number = appeal.id, appeal.reg_number
    page.goto(live_server + "/login/")
    page.fill("#username", "clerk")
    page.fill("#password", DEMO_PASSWORD)
    page.click("[type=submit]")
    page.goto(f"{live_server}/appealview/show/{appeal_id}")
    assert reg_number in page.inner_text("body")
    page.click("#actions >> text=Продлить срок")
    page.select_option("#kind", "complex")
    page.fill("#until", (limit + timedelta(days=7)).isoformat())
    page.fill("#reason", "Требуется запрос в другой орган")
    page.click("#action-form [type=submit]")
    alert = page.locator(".alert-danger").inner_text()
    assert "R30a" in alert and limit.strftime("%d.%m.%Y") in alert
    save_screenshot(page, "extend-blocked.png")
    page.fill("#until", limit.isoformat())
    page.fill("#reason", "Требуется запрос в другой орган")
    page.click("#action-form [type=submit]")
    page.wait_for_url(re.compile(rf".*/appealview/show/{appeal_id}$"))
    assert page.locator(".alert-success").count() == 1
    assert limit.strftime("%d.%m.%Y") in page.locator("#terms").inner_text()
    assert "R30a" in page.locator("#timeline").inner_text()
    save_screenshot(page, "extend-done.png")
