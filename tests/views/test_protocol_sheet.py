"""The protocol's work sheet (R23, R34): every appeal of its reception with
the decision taken and its instructions; "Add an instruction" and "Record
the decision" open the form with the protocol and the appeal already chosen
(through the scoped fetch) and come back to the sheet."""
import re
from datetime import date, timedelta

from sqlalchemy import select

from app.domain.vocabulary import AppealStatus
from app.extensions import db
from app.models import Appeal, Department, Instruction, Protocol
from tests.conftest import login
from tests.security.test_scope_and_privacy import foreign_appeal  # noqa: F401 - a fixture


def _protocol_with_a_received_appeal(app):
    with app.app_context():
        row = db.session.execute(
            select(Protocol.id, Appeal.id, Appeal.reg_number).join(Appeal, Appeal.session_id == Protocol.session_id)
            .where(Appeal.status == AppealStatus.received).order_by(Protocol.id, Appeal.id).limit(1)).one()
    return row


def _sheet(body: str) -> str:
    start = body.index('id="protocol-sheet"')
    return body[start:body.index("</table>", start)]


def test_R23_the_protocol_page_lists_its_receptions_appeals_with_decisions_and_instructions(client, app):
    protocol_id, _appeal_id, _number = _protocol_with_a_received_appeal(app)
    login(client, "manager")
    sheet = _sheet(client.get(f"/protocolview/show/{protocol_id}").get_data(as_text=True))
    with app.app_context():
        protocol = db.session.get(Protocol, protocol_id)
        numbers = db.session.execute(select(Appeal.reg_number).where(Appeal.session_id == protocol.session_id)
                                     ).scalars().all()
        texts = [i.text for i in protocol.instructions]
    assert numbers and all(n in sheet for n in numbers)
    assert all(t in sheet for t in texts)


def test_R34_an_instruction_added_from_the_sheet_has_its_protocol_and_appeal_chosen_and_returns(client, app):
    protocol_id, appeal_id, number = _protocol_with_a_received_appeal(app)
    login(client, "manager")
    sheet = _sheet(client.get(f"/protocolview/show/{protocol_id}").get_data(as_text=True))
    link = f"/instructionview/add?protocol={protocol_id}&amp;appeal={appeal_id}"
    assert link in sheet
    form = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert re.search(rf'name="protocol"[^>]*>.*?<option value="{protocol_id}" selected>', form, re.S)
    assert re.search(rf'name="appeal"[^>]*>.*?<option value="{appeal_id}" selected>{re.escape(number)}', form, re.S)
    with app.app_context():
        department = db.session.execute(select(Department.id).order_by(Department.id).limit(1)).scalar_one()
    text = "Из листа протокола 7710: проверить и ответить"
    r = client.post(link.replace("&amp;", "&"), data={
        "protocol": protocol_id, "appeal": appeal_id, "text": text, "assignee_department": department,
        "assignee_official": "", "due_on": (date.today() + timedelta(days=20)).isoformat()})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert r.headers["Location"].endswith(f"/protocolview/show/{protocol_id}#sheet-{appeal_id}")
    with app.app_context():
        saved = db.session.execute(select(Instruction).where(Instruction.text == text)).scalar_one()
        assert (saved.protocol_id, saved.appeal_id) == (protocol_id, appeal_id)
    assert text in _sheet(client.get(f"/protocolview/show/{protocol_id}").get_data(as_text=True))


def test_a_prefill_with_another_places_appeal_leaves_the_field_empty(client, app, foreign_appeal):  # noqa: F811
    """The link's ids go through the same scoped fetch as a submitted form:
    another place's appeal is not chosen, and its number is not shown."""
    appeal_id, reg_number, _applicant = foreign_appeal
    login(client, "clerk")
    for junk in (str(appeal_id), str(2**63), "abc", "-1"):
        r = client.get(f"/instructionview/add?protocol={junk}&appeal={junk}")
        assert r.status_code == 200, junk
        body = r.get_data(as_text=True)
        assert reg_number not in body and " selected>" not in body.split('name="appeal"')[1].split("</select>")[0]


def test_an_instruction_added_elsewhere_lands_on_its_own_page(client, app):
    """Without ``?protocol=`` (the instruction register's own "Add") the user
    lands on the new instruction, as everywhere else."""
    protocol_id, appeal_id, _number = _protocol_with_a_received_appeal(app)
    login(client, "manager")
    with app.app_context():
        department = db.session.execute(select(Department.id).order_by(Department.id).limit(1)).scalar_one()
    text = "Из реестра поручений 7711"
    r = client.post("/instructionview/add", data={
        "protocol": protocol_id, "appeal": appeal_id, "text": text, "assignee_department": department,
        "assignee_official": "", "due_on": (date.today() + timedelta(days=20)).isoformat()})
    assert r.status_code == 302 and "/instructionview/show/" in r.headers["Location"]


def test_R23_the_protocol_prints_with_every_appeal_its_decision_and_instructions(client, app):
    protocol_id, _appeal_id, number = _protocol_with_a_received_appeal(app)
    login(client, "manager")
    page = client.get(f"/protocolview/show/{protocol_id}").get_data(as_text=True)
    assert f'href="/protocolview/print/{protocol_id}"' in page
    r = client.get(f"/protocolview/print/{protocol_id}")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    with app.app_context():
        protocol = db.session.get(Protocol, protocol_id)
        assert protocol.number in body and str(protocol.session.official) in body
        for entry in protocol.entries:
            assert entry.decision in body
        for instruction in protocol.instructions:
            assert instruction.text in body
    assert number in body


def test_another_officials_protocol_or_a_hostile_id_prints_nothing(client, app):
    from app.models import Official, ReceptionSession

    login(client, "official")
    with app.app_context():
        mine = db.session.execute(select(Official.id).where(Official.user_id.is_not(None))).scalar_one()
        other = db.session.execute(
            select(Protocol.id, Protocol.number).join(ReceptionSession, ReceptionSession.id == Protocol.session_id)
            .where(ReceptionSession.official_id != mine).order_by(Protocol.id).limit(1)).one()
    r = client.get(f"/protocolview/print/{other.id}")
    assert r.status_code == 404 and other.number not in r.get_data(as_text=True)
    for junk in (str(2**63), "-1", "abc", "1%00"):
        assert client.get(f"/protocolview/print/{junk}").status_code == 404, junk
