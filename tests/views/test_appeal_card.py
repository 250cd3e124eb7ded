"""The printable appeal card (AppealView.card): what the appeal page says,
on one sheet, in the reader's language; personal fields as the reader may
see them; another place's appeal is no card."""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Appeal, Applicant
from app.security.privacy import mask
from tests.conftest import login
from tests.security.test_scope_and_privacy import foreign_appeal  # noqa: F401 - a fixture


def _appeal_with_iin(app):
    with app.app_context():
        row = db.session.execute(
            select(Appeal.id, Appeal.reg_number, Applicant.iin, Applicant.phone, Applicant.full_name)
            .join(Applicant, Applicant.id == Appeal.applicant_id)
            .where(Applicant.iin.is_not(None), Applicant.phone.is_not(None)).order_by(Appeal.id).limit(1)).one()
    return row


@pytest.mark.parametrize("username,clear", [("manager", True), ("head", False)])
def test_the_card_shows_the_appeal_with_personal_fields_as_the_reader_may_see_them(client, app, username, clear):
    appeal_id, number, iin, phone, name = _appeal_with_iin(app)
    login(client, username)
    r = client.get(f"/appealview/card/{appeal_id}")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert number in body and name in body
    assert (iin in body) is clear and (phone in body) is clear
    if not clear:
        assert mask(iin, "id") in body and mask(phone, "phone") in body
    with app.app_context():
        appeal = db.session.get(Appeal, appeal_id)
        assert appeal.answer_due_on.strftime("%d.%m.%Y") in body  # the R29 term
        assert appeal.registered_on.strftime("%d.%m.%Y") in body
        assert len(appeal.events) and body.count("<tr><td>") >= len(appeal.events)  # one history row per event


def test_the_card_is_in_the_readers_language(client, app):
    appeal_id, *_ = _appeal_with_iin(app)
    login(client, "manager")
    for lang, heading in (("kk", "Өтініш карточкасы"), ("ru", "Карточка обращения"), ("en", "Appeal card")):
        client.get(f"/lang/{lang}")
        body = client.get(f"/appealview/card/{appeal_id}").get_data(as_text=True)
        assert heading in body and f'lang="{lang}"' in body, lang
    client.get("/lang/ru")


def test_the_card_of_another_places_appeal_or_a_hostile_id_is_a_404(client, app, foreign_appeal):  # noqa: F811
    appeal_id, reg_number, _applicant = foreign_appeal
    login(client, "clerk")
    r = client.get(f"/appealview/card/{appeal_id}")
    assert r.status_code == 404 and reg_number not in r.get_data(as_text=True)
    for junk in (str(2**63), "-1", "abc", "1%00", "99999999"):
        assert client.get(f"/appealview/card/{junk}").status_code == 404, junk


def test_the_appeal_page_links_its_card(client, app):
    appeal_id, *_ = _appeal_with_iin(app)
    login(client, "manager")
    page = client.get(f"/appealview/show/{appeal_id}").get_data(as_text=True)
    assert re.search(rf'id="print-card"[^>]*href="/appealview/card/{appeal_id}"', page)
