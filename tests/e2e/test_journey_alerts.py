"""Manager, M7.1: the demo's spike in one district raised one alert — the
Manager sees it in the bell and on the dashboard, opens it, reads its
evidence in the appeal list and acknowledges it with a note."""
import re

import pytest

from tests.views.test_registers import record_count

from . import a11y
from .journey import Journey

pytestmark = pytest.mark.e2e


def test_M7_1_a_manager_sees_the_alert_and_opens_its_evidence(live_server, live_app, page):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import SystemicAlert

    with live_app.app_context():
        alerts = db.session.execute(select(SystemicAlert).where(SystemicAlert.status == "open")).scalars().all()
        assert len(alerts) == 1, "the demo's one spike raises exactly one alert"
        alert_id, count = alerts[0].id, alerts[0].count

    j = Journey(page, live_server, live_app, "ru", "manager")
    j.login("manager")
    bell = page.locator("#bell")
    assert re.search(r"\d", bell.get_attribute("aria-label") or ""), "the bell counts the unread alert"
    with page.expect_navigation():
        bell.click()
    j.check()
    row = page.locator("tr[data-kind='systemic_alert']")
    assert row.count() == 1 and "M7.1" in row.inner_text()
    with page.expect_navigation():
        row.locator(f"a[href$='/alerts/{alert_id}']").click()
    j.check()
    assert f"{count} " in page.inner_text("#alert-sentence")
    assert page.locator("#evidence tbody a[href*='/appealview/show/']").count() == count
    j.shot("systemic-alert")

    with page.expect_navigation():
        page.click("#evidence-list")
    j.check()
    assert record_count(page.content()) == count, "the appeal list opens with the alert's appeals"

    j.open("/dashboard/")
    panel = page.locator("#systemic-alerts")
    assert panel.locator(f"a[href$='/alerts/{alert_id}']").count() == 1
    with page.expect_navigation():
        panel.locator(f"a[href$='/alerts/{alert_id}']").click()

    page.fill("#note", "Выезд комиссии в водоканал района, проверка графика подачи воды")
    a11y.check_page(page, "ru")
    j.submit("#acknowledge")
    assert j.flash("success")
    assert page.inner_text("#alert-status") == j.t("Acknowledged")
    assert "Выезд комиссии" in page.inner_text("#alert-note")
    j.open("/dashboard/")
    assert page.locator(f"#systemic-alerts a[href$='/alerts/{alert_id}']").count() == 0
