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
