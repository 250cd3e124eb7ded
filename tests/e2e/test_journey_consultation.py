"""Clerk: records a consultation after which the person declined to register
(M5.8) — the people R38's survey calls are drawn from — and opens the day's
protocol of oral and phone appeals (R25 part 3)."""
import pytest

from .journey import LANGS, Journey

pytestmark = pytest.mark.e2e


def _applicant_of_the_place(app):
    from sqlalchemy import exists, select

    from app.extensions import db
    from app.models import Appeal, Applicant, ReceptionPlace

    with app.app_context():
        place_id = db.session.execute(select(ReceptionPlace.id).where(
            ReceptionPlace.kind == "public_reception")).scalars().first()
        a = db.session.execute(
            select(Applicant).where(Applicant.kind == "individual", exists().where(
                Appeal.applicant_id == Applicant.id, Appeal.reception_place_id == place_id))
            .order_by(Applicant.id.desc())).scalars().first()
        return a.id, a.full_name


@pytest.mark.parametrize("lang", LANGS)
def test_M5_8_R25_clerk_records_a_declined_consultation_and_opens_the_oral_protocol(live_server, live_app, page,
                                                                                   lang):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Consultation

    applicant_id, name = _applicant_of_the_place(live_app)
    question = f"Как записаться к акиму ({lang})"
    j = Journey(page, live_server, live_app, lang, "clerk")
    j.login("clerk")
    j.open("/consultationview/add")
    # nothing legally significant is chosen for the clerk
    assert page.input_value("#channel") == "" and page.input_value("#outcome") == ""
    page.select_option("#channel", "phone")
    j.pick("applicant", name, name)
    page.select_option("#category", index=5)
    page.fill("#question", question)
    page.select_option("#outcome", "declined")
    j.check()
    j.shot("consultation-1-record")
    with page.expect_navigation():
        page.click("form [type=submit]")
    assert page.locator(".alert-danger").count() == 0, j.body()[:1500]
    with live_app.app_context():
        c = db.session.execute(select(Consultation).where(Consultation.question == question)).scalar_one()
        assert c.outcome == "declined" and c.applicant_id == applicant_id and c.channel == "phone"
        assert c.given_by_id == live_app.appbuilder.sm.find_user(username="clerk").id
    j.open("/consultationview/list/")
    assert j.t("Declined to register") in j.body() and name in j.body()

    j.open("/oral-protocol/")
    assert page.locator("#oral-protocol").count() == 1
    with page.context.expect_page() as printable:
        page.evaluate("() => { for (const a of document.querySelectorAll('a[href*=\"/oral-protocol/print\"]')) a.target = '_blank'; }")
        page.click("a[href*='/oral-protocol/print']")
    sheet = printable.value
    sheet.wait_for_load_state()
    assert sheet.locator("#oral-protocol").count() == 1
    sheet.close()
