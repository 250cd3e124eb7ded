"""Responsible worker: proposes a refusal on an R15 ground, records the
hearing, is stopped from refusing before the R32 term with the rule shown,
and refuses once the term has passed."""
import re
from datetime import datetime, timedelta

import pytest

from tests.builders import back_date_draft, decider_id
from tests.conftest import make_appeal

from . import a11y
from .journey import LANGS, Journey, fmt

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("lang", LANGS)
def test_R15_R32_R33_responsible_proposes_hears_is_stopped_early_and_refuses_after_the_term(
        live_server, live_app, page, lang):
    from app.domain import deadlines
    from app.extensions import db
    from app.models import Appeal
    from app.services.calendar import working_calendar
    from app.services.clock import today

    with live_app.app_context():
        responsible = live_app.appbuilder.sm.find_user(username="responsible").id
    appeal_id = make_appeal(live_app, datetime.now() - timedelta(days=12), assignee_id=responsible,
                            substance="Прошу отменить решение суда о взыскании")
    with live_app.app_context():
        reg_number = db.session.get(Appeal, appeal_id).reg_number
        sent_on = today()
        earliest = deadlines.refusal_decision_earliest(sent_on, working_calendar()).due
    j = Journey(page, live_server, live_app, lang, "responsible")
    j.login("responsible")
    j.open(f"/appealview/show/{appeal_id}")
    assert reg_number in j.body()

    # 1. Propose a refusal on one of the five grounds (R15); the draft goes out today.
    j.act(appeal_id, "propose-refusal")
    page.select_option("#ground", "court_act_in_force")
    page.fill("#motivation", "По тому же предмету и основаниям вынесено решение суда")
    page.fill("#reference", "Решение суда № 2-1234/2026")
    j.shot("1-propose-refusal")
    j.submit()
    page.wait_for_url(re.compile(rf".*/appealview/show/{appeal_id}$"))
    j.flash()
    assert j.t("Refusal proposed") in j.body()
    terms = page.locator("#terms").inner_text()
    assert "R32" in terms
    j.shot("2-proposed")

    # 2. Record the hearing (R33): submitted with the keyboard alone.
    j.act(appeal_id, "record-hearing")
    page.fill("#position", "Заявитель с проектом решения не согласен, письменных возражений не представил")
    a11y.press(page, page.locator("#action-form [type=submit]"))
    page.wait_for_url(re.compile(rf".*/appealview/show/{appeal_id}$"))
    j.flash()

    # 3. Too early: R32 wants 3 working days between the draft and the decision. The page says so
    #    before anyone tries ("Refuse" disabled, with the reason); the form itself refuses too.
    blocked = page.locator("#blocked-refuse").inner_text()
    assert "R32" in blocked and fmt(earliest) in blocked, blocked
    assert page.locator("#actions button[disabled][aria-describedby='blocked-refuse']").count() == 1
    j.open(f"/appeal-workflow/{appeal_id}/refuse")
    j.submit()
    alert = j.flash("danger")
    assert "R32" in alert and fmt(earliest) in alert and fmt(sent_on) in alert, alert
    assert j.t("Refusal proposed") in j.body()
    j.shot("3-refusal-too-early")

    # 4. After the term (the draft back-dated to the registration day): refused.
    back_date_draft(live_app, appeal_id)
    j.open(f"/appeal-workflow/{appeal_id}/refuse")  # the worker comes back to it days later
    page.select_option("#decided_by", str(decider_id(live_app)))  # on whose behalf the office decides (R27)
    j.submit()
    page.wait_for_url(re.compile(rf".*/appealview/show/{appeal_id}$"))
    assert j.t("Done: %(action)s.", action=j.t("Refuse")) in j.flash()
    assert j.t("Refused") in j.body()
    timeline = page.locator("#timeline").inner_text()
    assert "R15" in timeline and "R33" in timeline and "R32" in timeline
    assert page.locator("#letters a[href$='/letter/refusal']").count() == 1
    j.shot("4-refused")
