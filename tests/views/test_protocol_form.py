"""The protocol form: the next number is offered, and only a held reception
(not cancelled, its day come) may be chosen — by the lookup and on submit."""
import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import Protocol, ReceptionSession
from app.services.clock import today
from tests.conftest import login


def _sessions(app):
    with app.app_context():
        cancelled = db.session.execute(select(ReceptionSession.id).where(ReceptionSession.status == "cancelled")
                                       .limit(1)).scalar_one()
        future = db.session.execute(select(ReceptionSession.id).where(ReceptionSession.day > today(),
                                                                      ReceptionSession.status != "cancelled")
                                    .limit(1)).scalar_one()
        held = db.session.execute(select(ReceptionSession.id).where(ReceptionSession.day < today(),
                                                                    ReceptionSession.status != "cancelled")
                                  .limit(1)).scalar_one()
        return cancelled, future, held, today()


def test_R23_the_protocol_form_offers_the_next_number_and_held_receptions_only(client, app):
    cancelled, future, held, day = _sessions(app)
    login(client, "manager")
    body = client.get("/protocolview/add").get_data(as_text=True)
    number = re.search(r'name="number"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="number"', body)
    assert number and re.fullmatch(rf"ПР-{day.year}-\d{{4}}", number.group(1) or number.group(2))
    assert 'data-url="/lookup/held_session"' in body
    ids = []
    for page in range(1, 4):
        got = client.get("/lookup/held_session", query_string={"page": page}).get_json()
        ids += [r["id"] for r in got["results"]]
    assert held in ids or len(ids) >= 60
    assert cancelled not in ids and future not in ids
    assert client.get("/lookup/held_session", query_string={"id": cancelled}).get_json()["results"] == []


def test_R23_a_cancelled_reception_cannot_get_a_protocol(client, app):
    cancelled, future, _, day = _sessions(app)
    login(client, "manager")
    with app.app_context():
        before = db.session.execute(select(func.count()).select_from(Protocol)).scalar_one()
    for session_id in (cancelled, future, 2**63, "1\x00"):
        r = client.post("/protocolview/add", data={"number": f"ПР-ТЕСТ-{session_id}"[:30], "session": session_id,
                                                   "drawn_up_on": day.isoformat(), "summary": "тест"})
        assert r.status_code in (200, 400), session_id
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Protocol)).scalar_one() == before
