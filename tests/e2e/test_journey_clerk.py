"""Clerk: registers an oral appeal from a privileged applicant at the public
reception, reads its registration date and R29 term, books it into a
reception and prints the invitation letter in Kazakh."""
import re

import pytest

from . import a11y
from .journey import LANGS, Journey, fmt

pytestmark = pytest.mark.e2e


def _privileged_applicant(app):
    """A privileged applicant the public reception has seen before (the
    clerk's lookup is scoped to their place)."""
    from sqlalchemy import exists, select

    from app.extensions import db
    from app.models import Appeal, Applicant, ReceptionPlace

    with app.app_context():
        place_id = db.session.execute(select(ReceptionPlace.id).where(
            ReceptionPlace.kind == "public_reception")).scalars().first()
        a = db.session.execute(
            select(Applicant).where(
                Applicant.privilege.is_not(None), Applicant.kind == "individual",
                exists().where(Appeal.applicant_id == Applicant.id, Appeal.reception_place_id == place_id))
            .order_by(Applicant.id)
        ).scalars().first()
        return a.id, a.full_name, a.privilege


@pytest.mark.parametrize("lang", LANGS)
def test_R25_R29_R12_clerk_registers_an_oral_appeal_books_it_and_prints_the_kazakh_letter(
        live_server, live_app, page, lang):
    from sqlalchemy import select

    from app.domain import deadlines
    from app.extensions import db
    from app.models import Appeal, Official
    from app.services.calendar import counting_rules, working_calendar

    j = Journey(page, live_server, live_app, lang, "clerk")
    applicant_id, applicant_name, privilege = _privileged_applicant(live_app)
    with live_app.app_context():
        official = db.session.execute(select(Official).where(Official.user_id.is_not(None))).scalar_one()
        official_id, official_name = official.id, official.full_name

    j.login("clerk")
    j.open("/appealview/add")
    j.shot("1-register")
    page.select_option("#channel", "oral")
    received = page.input_value("#received_at")
    # the applicant is looked up as the clerk types (select2 with /lookup/applicant)
    page.click("#applicant + .select2 .select2-selection")
    page.fill(".select2-search__field", applicant_name)
    page.click(f".select2-results__option:has-text('{applicant_name}')")
    page.select_option("#official", str(official_id))
    page.select_option("#category", index=20)
    page.select_option("#district", index=1)  # nothing is chosen for the clerk (it went to the first district)
    page.fill("#substance", "Прошу принять по вопросу ремонта дороги к аулу")
    page.select_option("#language", "kk")
    page.select_option("#privilege", privilege.value if hasattr(privilege, "value") else privilege)
    j.check()
    with page.expect_navigation():
        page.click("form [type=submit]")
    assert page.locator(".alert-danger").count() == 0, j.body()[:1500]

    with live_app.app_context():
        appeal = db.session.execute(
            select(Appeal).where(Appeal.applicant_id == applicant_id).order_by(Appeal.id.desc()).limit(1)
        ).scalar_one()
        appeal_id, reg_number = appeal.id, appeal.reg_number
        cal, rules = working_calendar(), counting_rules()
        from datetime import datetime

        registered_on = deadlines.registration_date(datetime.strptime(received, "%Y-%m-%d %H:%M:%S"), cal, rules)
        due = deadlines.answer_due(registered_on, cal, rules).due
    j.open(f"/appealview/show/{appeal_id}")
    text = j.body()
    assert reg_number in text and re.fullmatch(r"ЖТ-\d{4}-\d{6}", reg_number)
    assert fmt(registered_on) in text  # R25: a receipt after 18:30 or on a day off counts from the next working day
    terms = page.locator("#terms").inner_text()
    assert "R29" in terms and fmt(due) in terms, terms
    assert j.t("Registered") in text and applicant_name in text
    j.shot("2-registered", full_page=False)

    # Book it into a reception of the official asked for: by keyboard only.
    a11y.press(page, page.locator(f"#actions a[href$='/{appeal_id}/schedule']"))
    page.wait_for_url(re.compile(rf".*/appeal-workflow/{appeal_id}/schedule$"))
    j.check()
    options = page.locator("#session option")
    # nothing is pre-selected; only sessions the booking's guard lets through are offered
    assert page.input_value("#session") == "0"
    assert options.count() >= 2 and official_name in options.nth(1).inner_text()
    session_label = options.nth(1).inner_text()
    page.select_option("#session", index=1)
    j.shot("3-book")
    j.submit()
    page.wait_for_url(re.compile(rf".*/appealview/show/{appeal_id}$"))
    assert j.t("Done: %(action)s.", action=j.t("Book into a reception")) in j.flash()
    assert j.t("Scheduled") in j.body()
    session_day = re.search(r"\d\d\.\d\d\.\d{4}", session_label).group(0)

    # The invitation letter, in the applicant's language (Kazakh, R21).
    with page.context.expect_page() as letter_page:
        page.click("#letters a[href$='/letter/answer']")
    letter = letter_page.value
    letter.wait_for_load_state()
    assert letter.evaluate("() => document.documentElement.lang") == "kk"
    body = letter.inner_text("body")
    assert reg_number in body and session_day in body and official_name in body
    from flask_babel import force_locale, gettext

    with live_app.test_request_context(), force_locale("kk"):
        heading = gettext("Invitation to a personal reception")
    assert heading in body and heading != "Invitation to a personal reception"
    letter.set_viewport_size({"width": 900, "height": 900})
    j.page = letter
    j.shot("4-letter")
    letter.close()
