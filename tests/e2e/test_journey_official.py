"""Official: sees only their own reception sessions and draws up the
protocol of a reception with two instructions (R34), the first added from
the protocol's work sheet."""
import uuid
from datetime import timedelta

import pytest

from . import a11y
from .journey import LANGS, Journey

pytestmark = pytest.mark.e2e


def _held_session_with_an_appeal(app):
    """The official's latest held reception, and an appeal received at it."""
    from datetime import datetime, time

    from sqlalchemy import select

    from app.domain.vocabulary import AppealStatus, SessionStatus
    from app.extensions import db
    from app.models import Appeal, Official, ReceptionSession
    from tests.conftest import make_appeal

    with app.app_context():
        official = db.session.execute(select(Official).where(Official.user_id.is_not(None))).scalar_one()
        session = db.session.execute(
            select(ReceptionSession).where(ReceptionSession.official_id == official.id,
                                           ReceptionSession.status == SessionStatus.held)
            .order_by(ReceptionSession.day.desc()).limit(1)
        ).scalar_one()
        name, session_id, day = official.full_name, session.id, session.day
    appeal_id = make_appeal(app, datetime.combine(day - timedelta(days=14), time(11, 0)),
                            official=official, substance="Прошу отремонтировать дорогу к аулу")
    with app.app_context():
        appeal = db.session.get(Appeal, appeal_id)
        appeal.session_id, appeal.status = session_id, AppealStatus.received
        db.session.commit()
        return name, session_id, day, appeal.reg_number


@pytest.mark.parametrize("lang", LANGS)
def test_R2_R34_official_sees_only_own_sessions_and_records_a_protocol_with_two_instructions(
        live_server, live_app, page, lang):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Protocol
    from app.services.clock import today

    name, session_id, day, reg_number = _held_session_with_an_appeal(live_app)
    with live_app.app_context():
        now = today()
    j = Journey(page, live_server, live_app, lang, "official")
    j.login("official")

    # Only their own sessions: every row of the roster names them.
    j.open("/receptionsessionview/list/")
    rows = page.locator("table.table tbody tr")
    assert rows.count() >= 2
    for text in rows.all_inner_texts():
        assert name in text, text
    j.shot("1-sessions")

    # The protocol of the reception ...
    number = f"П-{lang}-{uuid.uuid4().hex[:6]}"
    j.open("/protocolview/add")
    page.fill("#number", number)
    j.pick("session", day.isoformat(), day.strftime("%d.%m.%Y"))
    j.type_date("#drawn_up_on", now)
    page.fill("#summary", "Заявитель просит провести ремонт дороги; даны поручения")
    j.check()
    j.shot("2-protocol")
    with page.expect_navigation():
        page.click("form [type=submit]")
    assert page.locator(".alert-danger").count() == 0, j.body()[:1500]
    with live_app.app_context():
        protocol = db.session.execute(select(Protocol).where(Protocol.number == number)).scalar_one()
        protocol_id = protocol.id
        assert protocol.session_id == session_id

    # ... with two instructions under control (R34): the first from the protocol's
    # sheet (protocol and appeal already chosen, back on the sheet after saving),
    # the second from the register's own form, by keyboard.
    texts = ["Провести обследование дороги и представить смету",
             "Включить ремонт дороги в план текущего года"]
    sheet = page.locator("#protocol-sheet")
    assert reg_number in sheet.inner_text()
    with page.expect_navigation():
        sheet.locator("tr", has_text=reg_number).locator("a.q-add-instruction").click()
    j.check()
    assert reg_number in page.locator("#appeal + .select2").inner_text()  # chosen by the link
    assert number in page.locator("#protocol + .select2").inner_text()
    page.fill("#text", texts[0])
    page.select_option("#assignee_department", index=1)
    j.type_date("#due_on", now + timedelta(days=20))
    j.shot("3-instruction")
    with page.expect_navigation():
        page.click("form [type=submit]")
    assert page.locator(".alert-danger").count() == 0, j.body()[:1500]
    assert f"/protocolview/show/{protocol_id}" in page.url
    assert texts[0] in page.locator("#protocol-sheet").inner_text()

    j.open("/instructionview/add")
    j.pick("protocol", number, number)
    j.pick("appeal", reg_number, reg_number)
    page.fill("#text", texts[1])
    page.select_option("#assignee_department", index=1)
    j.type_date("#due_on", now + timedelta(days=21))
    j.check()
    with page.expect_navigation():
        a11y.press(page, page.locator("form [type=submit]").first)
    assert page.locator(".alert-danger").count() == 0, j.body()[:1500]

    j.open(f"/protocolview/show/{protocol_id}")
    assert number in j.body()
    text = page.locator("#protocol-sheet").inner_text() + j.body()
    assert j.t("Drawn up by") in text and name.split()[0] in text  # who drew it up
    for t in texts:
        assert t in text
    j.shot("4-protocol-done", full_page=True)
