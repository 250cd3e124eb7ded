"""Issue 17 in a real browser: the Manager sees today's breaches of the
regulation per rule on the compliance board and reaches each case in one
click; a clerk registering a repeat of a decided question sees the earlier
decision and the similar appeals, links them, and proposes the refusal it
supports with the reference filled in."""
import re

import pytest

from tests.views.test_registers import record_count

from . import a11y
from .journey import Journey

pytestmark = pytest.mark.e2e


def test_R29_R34_a_manager_reaches_each_breach_from_the_compliance_board_in_one_click(live_server, live_app, page):
    j = Journey(page, live_server, live_app, "kk", "manager")
    j.login("manager")
    j.open("/compliance/")
    j.check()
    a11y.check_page(page, "kk")
    assert j.t("Compliance board") in page.inner_text("h1")
    assert "Жеке қабылдау регламенті" in page.inner_text("#compliance-board")  # the rule's words, in Kazakh
    j.shot("compliance-board")
    for key in ("r29_overdue", "r34_overdue"):
        j.open("/compliance/")
        link = page.locator(f"tr[data-measure='{key}'] .qab-compliance-today a[data-count]")
        count = int(link.get_attribute("data-count"))
        assert count > 0, f"the demo has cases of {key}"
        with page.expect_navigation():
            link.click()  # one click: the list of exactly those cases
        j.check()
        assert record_count(page.content()) == count, key
    # the measure's page: per reception place and per official, each part a list of its own
    j.open("/compliance/r29_overdue")
    j.check()
    a11y.check_page(page, "kk")
    part = page.locator("#compliance-places a[data-count]").first
    n = int(part.get_attribute("data-count"))
    with page.expect_navigation():
        part.click()
    assert record_count(page.content()) == n
    with page.expect_download() as download:
        j.open("/compliance/")
        page.click("a[href$='/compliance/export.xlsx']")
    assert download.value.suggested_filename.endswith(".xlsx")


def test_R15_a_clerk_sees_the_similar_decided_appeal_links_it_and_proposes_the_refusal(live_server, live_app, page):
    from sqlalchemy import select

    from app.domain.vocabulary import AppealStatus
    from app.extensions import db
    from app.models import Appeal
    from app.security.scope import place_of

    with live_app.app_context():
        clerk = live_app.appbuilder.sm.find_user(username="clerk")
        place = place_of(clerk)
        # a closed appeal at the clerk's place and a later registered one of the same person on the same topic
        closed = db.session.execute(select(Appeal).where(Appeal.reception_place_id == place,
                                                         Appeal.status == AppealStatus.closed)
                                    .order_by(Appeal.id)).scalars().first()
        later = db.session.execute(select(Appeal).where(
            Appeal.reception_place_id == place, Appeal.status == AppealStatus.registered,
            Appeal.id > closed.id)).scalars().first()
        saved = (later.applicant_id, later.substance, later.category_id)
        later.applicant_id, later.substance, later.category_id = closed.applicant_id, closed.substance, closed.category_id
        db.session.commit()
        closed_id, later_id, number = closed.id, later.id, closed.reg_number
    try:
        j = Journey(page, live_server, live_app, "ru", "clerk")
        j.login("clerk")
        j.open(f"/appealview/show/{later_id}")
        page.wait_for_selector("#similar-slot[data-loaded]")  # the panel arrives once the page is shown
        j.check()
        row = page.locator(f"#similar tr[data-similar='{closed_id}']")
        assert row.count() == 1 and "100 %" in row.inner_text()
        assert j.t("same applicant") in row.inner_text()
        a11y.check_page(page, "ru")
        j.shot("similar-appeals")
        with page.expect_navigation():
            row.locator("button.q-link").click()
        assert j.flash("success")
        page.wait_for_selector("#similar-slot[data-loaded]")
        assert number in page.inner_text("#linked-appeals")
        row = page.locator(f"#similar tr[data-similar='{closed_id}']")
        with page.expect_navigation():
            row.locator("a[data-ground='administrative_decision_exists']").click()
        j.check()
        assert page.locator("#ground").input_value() == "administrative_decision_exists"
        assert number in page.locator("#reference").input_value()
        assert re.search(r"\d{2}\.\d{2}\.\d{4}", page.locator("#reference").input_value())
    finally:
        with live_app.app_context():
            from app.models import AppealLink

            db.session.execute(AppealLink.__table__.delete().where(AppealLink.linked_id == later_id))
            appeal = db.session.get(Appeal, later_id)
            appeal.applicant_id, appeal.substance, appeal.category_id = saved
            db.session.commit()
