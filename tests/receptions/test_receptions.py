"""Rosters, printed schedules, cancellations with rebooking, participation
of other bodies, instructions and reassignment — through the UI and the REST
API, on SQLite and PostgreSQL."""
import re
from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Appeal,
    AppealEvent,
    Applicant,
    Instruction,
    Official,
    ParticipationRequest,
    Protocol,
    ReceptionPlace,
    ReceptionSession,
    RosterApproval,
)
from tests.api.test_workflow_api import act, new_appeal, today
from tests.conftest import login


def _far_month(days: int = 800):
    d = today() + timedelta(days=days)
    return d.year, d.month


def _month_session(app, place: int, year: int, month: int, status: str = "planned", official_id: int | None = None,
                   day: int = 10) -> int:
    """A reception at ``place`` in a month of its own (none of the demo's)."""
    from datetime import date

    with app.app_context():
        official_id = official_id or db.session.execute(
            select(Official.id).where(Official.active.is_(True)).order_by(Official.id).limit(1)).scalar_one()
        s = ReceptionSession(official_id=official_id, place_id=place, day=date(year, month, day), starts_at=time(9, 0),
                             ends_at=time(11, 0), capacity=5, kind="regular", status=status)
        db.session.add(s)
        db.session.commit()
        return s.id


def test_R7_roster_page_shows_who_falls_short_and_approval_needs_a_managers_reason(client, app):
    year, month = _far_month()
    with app.app_context():
        place = db.session.execute(select(ReceptionPlace.id).order_by(ReceptionPlace.id).limit(1)).scalar_one()
    _month_session(app, place, year, month)  # a month with receptions (R8), but not of every official (R7)
    login(client, "manager")
    page = client.get(f"/roster/?place={place}&month={year}-{month:02d}").get_data(as_text=True)
    assert 'id="gaps"' in page and "panel-danger" in page
    r = client.post("/roster/approve", data={"place": place, "month": f"{year}-{month:02d}"}, follow_redirects=True)
    assert "R7" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(RosterApproval).where(RosterApproval.year == year)).first() is None
    r = client.post("/roster/approve", data={"place": place, "month": f"{year}-{month:02d}",
                                             "override_reason": "Кадровые изменения, график дополняется"})
    with app.app_context():
        approval = db.session.execute(select(RosterApproval).where(RosterApproval.year == year,
                                                                  RosterApproval.month == month)).scalar_one()
        assert approval.override_reason.startswith("Кадровые") and approval.gaps
        assert approval.approved_by_id == app.appbuilder.sm.find_user(username="manager").id


def test_R7_1_clerk_cannot_override_gaps(client, app):
    year, month = _far_month()
    with app.app_context():
        place = db.session.execute(select(ReceptionPlace.id).order_by(ReceptionPlace.id.desc()).limit(1)).scalar_one()
    login(client, "clerk")
    r = client.post("/roster/approve", data={"place": place, "month": f"{year}-{month:02d}", "override_reason": "x"},
                    follow_redirects=True)
    assert r.status_code in (200, 403)
    with app.app_context():
        assert db.session.execute(select(RosterApproval).where(RosterApproval.place_id == place,
                                                              RosterApproval.year == year)).first() is None


def test_R8_printed_roster_is_bilingual_and_the_pdf_is_a_pdf(client, app):
    login(client, "manager")
    month = f"{today().year}-{today().month:02d}"
    page = client.get(f"/roster/print?month={month}").get_data(as_text=True)
    assert "қабылдау" in page.lower() and "прием" in page.lower()
    assert re.search(r"[әғқңөұүһі]", page)
    pdf = client.get(f"/roster/pdf?month={month}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data[:5] == b"%PDF-"
    assert b"DejaVu" in pdf.data and len(pdf.data) > 5000


def _approval(app, place, year, month):
    with app.app_context():
        return db.session.execute(select(RosterApproval).where(
            RosterApproval.place_id == place, RosterApproval.year == year, RosterApproval.month == month)).scalar_one_or_none()


def test_R8_a_month_with_no_receptions_cannot_be_approved(client, app):
    import html

    from flask_babel import force_locale

    from app.domain.errors import WorkflowError
    from app.workflow_text import workflow_message

    year, month = _far_month(930)
    with app.app_context():
        place = db.session.execute(select(ReceptionPlace.id).order_by(ReceptionPlace.id.desc()).limit(1)).scalar_one()
    with app.test_request_context(), force_locale("ru"):
        refused = workflow_message(WorkflowError("R8", "empty_roster"))
    login(client, "manager")
    form = {"place": place, "month": f"{year}-{month:02d}", "override_reason": "График дополняется"}
    r = client.post("/roster/approve", data=form, follow_redirects=True)
    assert refused in html.unescape(r.get_data(as_text=True)) and _approval(app, place, year, month) is None
    _month_session(app, place, year, month, status="cancelled")  # a cancelled reception is none
    r = client.post("/roster/approve", data=form, follow_redirects=True)
    assert refused in html.unescape(r.get_data(as_text=True)) and _approval(app, place, year, month) is None
    _month_session(app, place, year, month, day=12)
    r = client.post("/roster/approve", data=form, follow_redirects=True)
    assert refused not in html.unescape(r.get_data(as_text=True)) and _approval(app, place, year, month) is not None


def test_R8_the_roster_pdf_is_marked_draft_until_approved_then_names_who_approved_it(client, app):
    from flask_babel import force_locale, gettext

    from tests.pdf import pages

    year, month = _far_month(960)
    with app.app_context():
        place = db.session.execute(select(ReceptionPlace.id).order_by(ReceptionPlace.id).limit(1)).scalar_one()
        manager = app.appbuilder.sm.find_user(username="manager").get_full_name()
    _month_session(app, place, year, month)
    texts = {}
    for lang in ("kk", "ru"):
        with app.test_request_context(), force_locale(lang):
            texts[lang] = (gettext("Draft — not approved"), gettext("Approved").upper(),
                           gettext("Page %(page)s of %(pages)s", page=1, pages=1))
    login(client, "manager")
    url = f"/roster/pdf?place={place}&month={year}-{month:02d}"
    draft = pages(client.get(url).data)
    assert len(draft) == 1 and all(t[0] in draft[0] and t[2] in draft[0] for t in texts.values())
    assert not any(t[1] in draft[0] for t in texts.values())
    printed = client.get(f"/roster/print?place={place}&month={year}-{month:02d}").get_data(as_text=True)
    assert 'class="draft" id="approval-mark"' in printed
    assert 'id="approval-draft"' in client.get(f"/roster/?place={place}&month={year}-{month:02d}").get_data(as_text=True)
    client.post("/roster/approve", data={"place": place, "month": f"{year}-{month:02d}", "override_reason": "Дополняется"})
    approval = _approval(app, place, year, month)
    approved = pages(client.get(url).data)[0]
    assert all(t[1] in approved for t in texts.values()) and not any(t[0] in approved for t in texts.values())
    assert manager in approved and approval.approved_at.strftime("%d.%m.%Y") in approved
    printed = client.get(f"/roster/print?place={place}&month={year}-{month:02d}").get_data(as_text=True)
    assert 'class="approval" id="approval-mark"' in printed and manager in printed
    page = client.get(f"/roster/?place={place}&month={year}-{month:02d}").get_data(as_text=True)
    assert 'id="approval"' in page and 'id="approval-draft"' not in page


def test_R8_the_approver_is_named_with_their_position_when_they_are_an_official(app):
    from app.services.roster_pdf import approver

    with app.app_context():
        official = db.session.execute(select(Official).where(Official.user_id.is_not(None)).limit(1)).scalar_one()
        approval = RosterApproval(place_id=1, year=2040, month=1, approved_by_id=official.user_id,
                                  approved_at=datetime(2039, 12, 20, 10, 0))
        db.session.add(approval)
        db.session.flush()
        who = approver(approval)
        assert (who.name, who.position_kk, who.position_ru) == (official.full_name, official.position_kk,
                                                                 official.position_ru)
        db.session.rollback()


def _inside(data: bytes) -> list[dict]:
    from tests.pdf import words

    found = words(data)
    assert found
    margin = 9 * 72 / 25.4  # the 10 mm margins, less a millimetre
    return [w for w in found if w["x0"] < margin or w["x1"] > w["width"] - margin or w["y1"] > w["height"]]


def test_R8_long_names_wrap_inside_the_page_and_the_header_fits(app):
    """The demo's longest official and place names, and 200 characters of
    words or of one word: every word stays inside the page, nothing is lost."""
    from app.services.roster_pdf import roster_pdf
    from tests.pdf import pages

    spaced = ("Жетісу облысы әкімі аппаратының " * 8)[:200].strip()
    one_word = "Ә" * 200
    with app.app_context():
        longest = max(db.session.execute(select(Official)).scalars(), key=lambda o: len(o.position_kk))
        place = max(db.session.execute(select(ReceptionPlace)).scalars(), key=lambda p: len(p.name_kk))
        texts = {"approved": True, "approved_kk": "БЕКІТІЛДІ", "approved_ru": "УТВЕРЖДЕН", "approver_name": spaced,
                 "approver_position_kk": longest.position_kk, "approver_position_ru": one_word,
                 "approved_on": "01.12.2026", "draft_kk": "ЖОБА", "draft_ru": "ПРОЕКТ",
                 "page_kk": "{page} / {nb}", "page_ru": "{page} из {nb}",
                 "title_kk": f"Азаматтарды жеке қабылдау кестесі — {spaced}", "title_ru": f"График — {one_word}",
                 "place_kk": f"{place.name_kk}, {place.address}", "place_ru": spaced,
                 "columns": ["Күні / Дата", "Уақыты / Время", "Т.А.Ә. / ФИО", "Лауазымы", "Должность"],
                 "footer": "Қабылдауға жазылу / Запись на прием"}
        rows = [{"day": "01.12.2026", "time": "10:00–12:00", "name": n, "position_kk": longest.position_kk,
                 "position_ru": longest.position_ru} for n in (longest.full_name, spaced, one_word)] * 3
        drafts = roster_pdf({**texts, "approved": False}, rows)  # the draft mark on every page, beside the header
        data = roster_pdf(texts, rows)
    assert _inside(data) == [] and _inside(drafts) == []
    text = "".join("".join(pages(data)).split())
    for whole in (spaced, one_word, longest.position_kk, place.name_kk):
        assert "".join(whole.split()) in text
    assert all("ЖОБА" in page and "ПРОЕКТ" in page for page in pages(drafts))


def test_R9_only_a_deputy_akim_receives_off_roster_via_api(client, jwt, app):
    with app.app_context():
        unit_head = db.session.execute(select(Official.id).where(Official.level == "unit_head").limit(1)).scalar_one()
        deputy = db.session.execute(select(Official.id).where(Official.level == "deputy_akim").limit(1)).scalar_one()
        place = db.session.execute(select(ReceptionPlace.id).limit(1)).scalar_one()
    day = (today() + timedelta(days=60)).isoformat()
    body = {"place": place, "day": day, "starts_at": "17:00", "ends_at": "18:00", "capacity": 3,
            "kind": "off_roster", "order_ref": "№ 77-р", "order_date": today().isoformat()}
    r = client.post("/api/v1/reception_session/", json={**body, "official": unit_head}, headers=jwt())
    assert r.status_code == 422 and r.get_json()["rule"] == "R9"
    r = client.post("/api/v1/reception_session/", json={**body, "official": deputy}, headers=jwt())
    assert r.status_code == 201, r.get_data(as_text=True)


def _session(app, official_id, days, capacity, kind="regular", minute=0):
    with app.app_context():
        s = ReceptionSession(official_id=official_id, place_id=1, day=today() + timedelta(days=days),
                             starts_at=time(8, minute), ends_at=time(8, minute + 20), capacity=capacity, kind=kind,
                             status="approved")
        from app.services.calendar import working_calendar

        s.day = working_calendar().on_or_after(s.day)
        db.session.add(s)
        db.session.commit()
        return s.id


def test_R16_cancellation_rebooks_five_appeals_with_two_privileged_in_R12_order(client, jwt, app):
    with app.app_context():
        plain = db.session.execute(select(Applicant.id).where(Applicant.privilege.is_(None)).limit(1)).scalar_one()
        privileged = db.session.execute(select(Applicant.id).where(Applicant.privilege.is_not(None)).limit(1)).scalar_one()
    appeals = []
    for i, (applicant, priv) in enumerate([(plain, None), (plain, None), (privileged, "disabled"), (plain, None),
                                           (privileged, "combat_veteran")]):
        a = new_appeal(client, jwt, app, applicant=applicant, privilege=priv,
                       received_at=f"2026-10-{1 + i:02d}T10:00:00")
        appeals.append(a)
    official = appeals[0]["official"]
    source = _session(app, official, 40, 5, minute=1)
    for a in appeals:
        assert act(client, jwt, a["id"], "schedule", session=source).status_code == 200
    first, second = _session(app, official, 47, 3, minute=2), _session(app, official, 54, 3, minute=3)
    with app.app_context():
        day = db.session.get(ReceptionSession, source).day
    told = datetime.combine(day - timedelta(days=1), time(9, 0)).isoformat()
    r = client.post(f"/api/v1/reception_session/{source}/cancel", json={"reason": "Командировка", "told_at": told},
                    headers=jwt())
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["result"]["status"] == "cancelled"
    with app.app_context():
        assert db.session.get(ReceptionSession, source).notice_late is True  # told the day before
    r = client.post(f"/api/v1/reception_session/{source}/rebook", json={"sessions": [first, second]}, headers=jwt())
    assert r.status_code == 200, r.get_data(as_text=True)
    with app.app_context():
        placed = {a["id"]: db.session.get(Appeal, a["id"]).session_id for a in appeals}
        ids = [a["id"] for a in appeals]
        # the two privileged first, then by registration: 3rd, 5th, 1st into the first session; 2nd, 4th after
        assert [placed[ids[2]], placed[ids[4]], placed[ids[0]]] == [first] * 3
        assert [placed[ids[1]], placed[ids[3]]] == [second] * 2
        events = db.session.execute(select(AppealEvent.rule).where(AppealEvent.action == "rebook",
                                                                   AppealEvent.appeal_id.in_(ids))).scalars().all()
        assert events == ["R16"] * 5
    login(client, "manager")
    page = client.get(f"/receptionsessionview/show/{first}").get_data(as_text=True)
    order = list(re.findall(r"ЖТ-\d{4}-\d{6}", page.split('id="session-queue"')[1].split("</table>")[0]))
    assert order[:2] == [appeals[2]["reg_number"], appeals[4]["reg_number"]]


def test_R16_a_notice_on_the_day_itself_is_timely_for_every_reason(client, jwt, app):
    with app.app_context():
        official = db.session.execute(select(Official.id).where(Official.active.is_(True)).limit(1)).scalar_one()
    sid = _session(app, official, 30, 2, minute=4)
    with app.app_context():
        day = db.session.get(ReceptionSession, sid).day
    r = client.post(f"/api/v1/reception_session/{sid}/cancel", headers=jwt(), json={
        "reason": "Командировка", "told_at": datetime.combine(day, time(8, 0)).isoformat()})
    assert r.status_code == 200
    assert r.get_json()["result"]["notice_timely"] is True
    with app.app_context():
        assert db.session.get(ReceptionSession, sid).notice_late is False
    r = client.post(f"/api/v1/reception_session/{sid}/cancel", headers=jwt(), json={
        "reason": "ещё раз", "told_at": datetime.combine(day, time(8, 0)).isoformat()})
    assert r.status_code == 422 and r.get_json()["rule"] == "R16"


def test_R13_a_session_turns_video_only_with_every_consent(client, jwt, app):
    a = new_appeal(client, jwt, app, video_consent=False)
    sid = _session(app, a["official"], 45, 3, minute=5)
    assert act(client, jwt, a["id"], "schedule", session=sid).status_code == 200
    r = client.put(f"/api/v1/reception_session/{sid}", json={"kind": "video"}, headers=jwt())
    assert r.status_code == 422 and r.get_json()["rule"] == "R13"


def test_R19_and_R20_participation_terms_are_tracked(client, app):
    with app.app_context():
        appeal_id = db.session.execute(select(Appeal.id).order_by(Appeal.id).limit(1)).scalar_one()
        from app.models import Department

        dept = db.session.execute(select(Department.id).limit(1)).scalar_one()
    login(client, "manager")
    r = client.post("/participationrequestview/add", data={
        "appeal": appeal_id, "department": dept, "requested_on": "2026-03-20", "refused_on": "2026-04-03"})
    assert r.status_code == 302, r.get_data(as_text=True)[:400]
    page = client.get("/participationrequestview/list/").get_data(as_text=True)
    assert "26.03.2026" in page  # R19: 20 March + Nauryz → 26 March
    assert "06.04.2026" in page  # R20: Friday 3 April → Monday 6 April


def _open_instruction(app, **where):
    with app.app_context():
        ins = db.session.execute(select(Instruction).where(Instruction.status == "open", *[
            getattr(Instruction, k) == v for k, v in where.items()]).order_by(Instruction.id).limit(1)).scalar_one()
        return ins.id, ins.rework_count, ins.due_on


def _post(client, jwt, ins_id, what, user="manager", **body):
    return client.post(f"/api/v1/instruction/{ins_id}/{what}", json=body, headers=jwt(user))


def test_R34_R35_the_executors_answer_stays_under_control_until_the_staff_accept_it(client, jwt, app):
    ins_id, count, _ = _open_instruction(app)
    assert _post(client, jwt, ins_id, "accept").get_json()["rule"] == "R35"  # nothing answered yet
    r = _post(client, jwt, ins_id, "answer", answer="")
    assert r.status_code == 422 and r.get_json()["rule"] == "R35"
    r = _post(client, jwt, ins_id, "answer", answer="Промежуточный ответ")
    assert r.status_code == 200 and r.get_json()["result"]["status"] == "open"  # still under control
    # M5.5: a poor answer goes back, with its reason, counted
    assert _post(client, jwt, ins_id, "rework").status_code == 422
    r = _post(client, jwt, ins_id, "rework", reason="Ответ не мотивирован")
    got = r.get_json()["result"]
    assert r.status_code == 200 and got["status"] == "open" and got["rework_count"] == count + 1
    assert got["executor_answer"] is None
    assert _post(client, jwt, ins_id, "rework", reason="ещё").get_json()["rule"] == "M5.5"
    # the final motivated answer, accepted by the staff: the only way off control
    assert _post(client, jwt, ins_id, "answer", answer="Вопрос решён: подключено водоснабжение").status_code == 200
    r = _post(client, jwt, ins_id, "accept")
    got = r.get_json()["result"]
    assert r.status_code == 200 and got["status"] == "answered"
    assert got["final_answer"] == "Вопрос решён: подключено водоснабжение"
    assert _post(client, jwt, ins_id, "answer", answer="ещё").get_json()["rule"] == "R35"
    with app.app_context():
        ins = db.session.get(Instruction, ins_id)
        actions = db.session.execute(select(AppealEvent.action).where(AppealEvent.appeal_id == ins.appeal_id)
                                     ).scalars().all()
    assert {"instruction-answer", "instruction-rework", "instruction-accept"} <= set(actions)


def test_R34_the_executor_may_answer_but_never_accept_and_a_clerk_controls(client, jwt, app):
    from app.models import Official

    with app.app_context():
        official = db.session.execute(select(Official).where(Official.user_id.is_not(None)).limit(1)).scalar_one()
        executor_user, official_id = official.user_id, official.id
        ins = db.session.execute(select(Instruction).where(Instruction.status == "open")
                                 .order_by(Instruction.id.desc()).limit(1)).scalar_one()
        ins.assignee_official_id = official_id
        db.session.commit()
        ins_id = ins.id
        username = db.session.get(app.appbuilder.sm.user_model, executor_user).username
    r = _post(client, jwt, ins_id, "answer", user=username, answer="Исполнено")
    assert r.status_code == 200, r.get_data(as_text=True)
    r = _post(client, jwt, ins_id, "accept", user=username)
    assert r.status_code in (403, 422)
    if r.status_code == 422:
        assert r.get_json()["rule"] == "R34"
    with app.app_context():
        assert db.session.get(Instruction, ins_id).status == "open"
    r = _post(client, jwt, ins_id, "move-deadline", user=username, due_on="2099-01-01", reason="x")
    assert r.status_code in (403, 422)


def test_R23_a_deadline_moves_only_by_a_recorded_change_never_by_put(client, jwt, app):
    ins_id, _, due = _open_instruction(app)
    r = client.put(f"/api/v1/instruction/{ins_id}", json={"due_on": "2099-01-01"}, headers=jwt())
    assert r.status_code in (400, 422)
    with app.app_context():
        assert db.session.get(Instruction, ins_id).due_on == due
    from tests.api.test_workflow_api import today

    assert _post(client, jwt, ins_id, "move-deadline", reason="x").get_json()["rule"] == "R23"
    past = (today() - timedelta(days=1)).isoformat()
    assert _post(client, jwt, ins_id, "move-deadline", due_on=past, reason="x").get_json()["rule"] == "R23"
    later = (today() + timedelta(days=20)).isoformat()
    assert _post(client, jwt, ins_id, "move-deadline", due_on=later).get_json()["rule"] == "R23"  # no reason
    r = _post(client, jwt, ins_id, "move-deadline", due_on=later, reason="Нужны дополнительные материалы")
    assert r.status_code == 200 and r.get_json()["result"]["due_on"] == later
    with app.app_context():
        ins = db.session.get(Instruction, ins_id)
        event = db.session.execute(select(AppealEvent).where(AppealEvent.appeal_id == ins.appeal_id,
                                   AppealEvent.action == "instruction-move-deadline")).scalars().all()[-1]
    assert event.payload["previous_due_on"] == due.isoformat() and event.payload["due_on"] == later


def test_R34_an_instruction_is_never_deleted(client, jwt, app):
    ins_id, _, _ = _open_instruction(app)
    r = client.delete(f"/api/v1/instruction/{ins_id}", headers=jwt())
    assert r.status_code == 403  # no role is granted the deletion, the Manager included
    login(client, "manager")
    client.post(f"/instructionview/delete/{ins_id}")
    with app.app_context():
        assert db.session.get(Instruction, ins_id) is not None


def test_M5_5_and_R35_control_from_the_instruction_page(client, jwt, app):
    ins_id, before, _ = _open_instruction(app)
    assert _post(client, jwt, ins_id, "answer", answer="Ответ исполнителя").status_code == 200
    login(client, "clerk")
    page = client.get(f"/instructionview/show/{ins_id}")
    if page.status_code == 404:  # another place's instruction: use the manager, who sees all
        login(client, "manager")
        page = client.get(f"/instructionview/show/{ins_id}")
    body = page.get_data(as_text=True)
    assert 'id="instruction-actions"' in body and "/instruction-control/%d/accept" % ins_id in body
    client.post(f"/instruction-control/{ins_id}/rework", data={"reason": "Не мотивирован"})
    with app.app_context():
        assert db.session.get(Instruction, ins_id).rework_count == before + 1


def _own_applicant(client, jwt, name: str) -> int:
    r = client.post("/api/v1/applicant/", json={"kind": "individual", "full_name": name}, headers=jwt())
    assert r.status_code == 201, r.get_data(as_text=True)
    return r.get_json()["id"]


def test_R37_an_appeal_from_a_reception_is_not_given_back_to_an_earlier_employee(client, jwt, app):
    a = new_appeal(client, jwt, app, from_reception=True, applicant=_own_applicant(client, jwt, "Жанболатов Ерік"))
    with app.app_context():
        sm = app.appbuilder.sm
        first, second = sm.find_user(username="responsible").id, sm.find_user(username="clerk").id
    assert client.post(f"/api/v1/appeal/{a['id']}/assign", json={"assignee": first}, headers=jwt()).status_code == 200
    assert client.post(f"/api/v1/appeal/{a['id']}/assign", json={"assignee": second}, headers=jwt()).status_code == 200
    r = client.post(f"/api/v1/appeal/{a['id']}/assign", json={"assignee": first}, headers=jwt())
    assert r.status_code == 422 and r.get_json()["rule"] == "R37"


def test_R37_nor_to_one_who_handled_the_same_applicants_earlier_appeal_on_the_same_question(client, jwt, app):
    from app.models import Category

    applicant = _own_applicant(client, jwt, "Оразбаева Гүлнар")
    earlier = new_appeal(client, jwt, app, applicant=applicant)
    with app.app_context():
        sm = app.appbuilder.sm
        worker, other = sm.find_user(username="responsible").id, sm.find_user(username="clerk").id
        other_topic = db.session.execute(select(Category.id).where(Category.id != earlier["category"])
                                         .order_by(Category.id).limit(1)).scalar_one()
    assert client.post(f"/api/v1/appeal/{earlier['id']}/assign", json={"assignee": worker},
                       headers=jwt()).status_code == 200
    again = new_appeal(client, jwt, app, applicant=applicant, from_reception=True)  # the same question again
    r = client.post(f"/api/v1/appeal/{again['id']}/assign", json={"assignee": worker}, headers=jwt())
    assert r.status_code == 422 and r.get_json()["rule"] == "R37"
    assert client.post(f"/api/v1/appeal/{again['id']}/assign", json={"assignee": other},
                       headers=jwt()).status_code == 200
    # another question of the same applicant may go to the same worker
    topic = new_appeal(client, jwt, app, applicant=applicant, from_reception=True, category=other_topic)
    assert client.post(f"/api/v1/appeal/{topic['id']}/assign", json={"assignee": worker},
                       headers=jwt()).status_code == 200


def test_R23_the_protocol_records_the_decision_per_appeal_and_closing_needs_it(client, jwt, app):
    from app.models import ProtocolEntry

    with app.app_context():
        # a received appeal whose instructions are all off control (set so here), its decision not yet recorded
        appeal = db.session.execute(
            select(Appeal).where(Appeal.status == "received",
                                 select(Protocol.id).where(Protocol.session_id == Appeal.session_id).exists())
            .order_by(Appeal.id.desc()).limit(1)
        ).scalar_one()  # one whose reception has its protocol (the latest may not have one yet, whatever the hour)
        for ins in db.session.execute(select(Instruction).where(Instruction.appeal_id == appeal.id,
                                                                Instruction.status == "open")).scalars():
            ins.status, ins.final_answer, ins.answered_on = "answered", "Исполнено", today()
        db.session.execute(ProtocolEntry.__table__.delete().where(ProtocolEntry.appeal_id == appeal.id))
        db.session.commit()
        db.session.refresh(appeal)
        protocol = db.session.execute(select(Protocol).where(Protocol.session_id == appeal.session_id)).scalar_one()
        other = db.session.execute(select(Protocol).where(Protocol.session_id != appeal.session_id).limit(1)).scalar_one()
        appeal_id, protocol_id, other_id, version = appeal.id, protocol.id, other.id, appeal.version
    r = act(client, jwt, appeal_id, "close", final_answer="Вопрос решён")
    assert r.status_code == 422 and r.get_json()["rule"] == "R23", r.get_data(as_text=True)
    # an entry at another reception's protocol, or an empty decision, is refused
    r = client.post("/api/v1/protocol_entry/", json={"protocol": other_id, "appeal": appeal_id, "decision": "x"},
                    headers=jwt())
    assert r.status_code == 422 and r.get_json()["rule"] == "R23"
    r = client.post("/api/v1/protocol_entry/", json={"protocol": protocol_id, "appeal": appeal_id, "decision": "  "},
                    headers=jwt())
    assert r.status_code in (400, 422)
    r = client.post("/api/v1/protocol_entry/", json={"protocol": protocol_id, "appeal": appeal_id,
                                                     "decision": "Дано поручение акимату района"}, headers=jwt())
    assert r.status_code == 201, r.get_data(as_text=True)
    entry_id = r.get_json()["id"]
    r = client.post("/api/v1/protocol_entry/", json={"protocol": protocol_id, "appeal": appeal_id,
                                                     "decision": "ещё раз"}, headers=jwt())
    assert r.status_code in (409, 422)  # one decision per appeal and protocol
    assert client.delete(f"/api/v1/protocol_entry/{entry_id}", headers=jwt()).status_code in (404, 405)
    login(client, "manager")
    assert "Дано поручение акимату района" in client.get(f"/protocolview/show/{protocol_id}").get_data(as_text=True)
    r = act(client, jwt, appeal_id, "close", final_answer="Вопрос решён", version=version)
    assert r.status_code == 200 and r.get_json()["result"]["status"] == "closed", r.get_data(as_text=True)


def test_R36_appeals_filed_during_a_reception_are_marked(client, jwt, app):
    a = new_appeal(client, jwt, app, from_reception=True)
    assert a["from_reception"] is True
    login(client, "manager")
    assert "(R36)" in client.get(f"/appealview/show/{a['id']}").get_data(as_text=True)


def test_R23_a_protocol_lists_its_instructions(client, app):
    with app.app_context():
        protocol_id = db.session.execute(select(Instruction.protocol_id).limit(1)).scalar_one()
        texts = db.session.execute(select(Instruction.text).where(Instruction.protocol_id == protocol_id)
                                   ).scalars().all()
    login(client, "manager")
    body = client.get(f"/protocolview/show/{protocol_id}").get_data(as_text=True)
    sheet = body[body.index('id="protocol-sheet"'):]
    assert texts and all(t in sheet for t in texts)  # on the protocol's work sheet


def test_R12_session_list_is_in_queue_order(client, app):
    login(client, "manager")
    with app.app_context():
        from app.services.receptions import queue_order

        row = db.session.execute(
            select(Appeal.session_id).where(Appeal.session_id.is_not(None), Appeal.privilege.is_not(None)).limit(1)
        ).scalar_one()
        expected = db.session.execute(
            select(Appeal.reg_number).where(Appeal.session_id == row, Appeal.status.in_(["scheduled", "received"]))
            .order_by(*queue_order())).scalars().all()
    page = client.get(f"/receptionsessionview/show/{row}").get_data(as_text=True)
    shown = re.findall(r"ЖТ-\d{4}-\d{6}", page.split('id="session-queue"')[1].split("</table>")[0])
    assert shown == expected


def test_R18_a_clerk_sees_participation_requests_of_their_place_only(client, app):
    from app.models import Department, UserPlace

    with app.app_context():
        clerk2 = app.appbuilder.sm.find_user(username="clerk2")
        theirs = db.session.get(UserPlace, clerk2.id).place_id
        appeal_id = db.session.execute(select(Appeal.id).where(Appeal.reception_place_id == theirs).limit(1)).scalar_one()
        dept = db.session.execute(select(Department.id).limit(1)).scalar_one()
        req = ParticipationRequest(appeal_id=appeal_id, department_id=dept, requested_on=today())
        db.session.add(req)
        db.session.commit()
        req_id = req.id
    login(client, "clerk")
    assert client.get(f"/participationrequestview/show/{req_id}").status_code == 404
    login(client, "clerk2")
    assert client.get(f"/participationrequestview/show/{req_id}").status_code == 200


def test_R28_a_booked_appeal_joins_the_officials_session_list(client, jwt, app):
    a = new_appeal(client, jwt, app)
    sid = _session(app, a["official"], 52, 4, minute=6)
    assert act(client, jwt, a["id"], "schedule", session=sid).status_code == 200
    login(client, "manager")
    page = client.get(f"/receptionsessionview/show/{sid}").get_data(as_text=True)
    assert a["reg_number"] in page.split('id="session-queue"')[1]


def test_R21_letters_speak_the_applicants_language(client, jwt, app):
    from flask_babel import force_locale, gettext

    kk = new_appeal(client, jwt, app, language="kk")
    assert act(client, jwt, kk["id"], "request-correction", reason="Мекенжай жоқ",
               fix_by=(today() + timedelta(days=9)).isoformat()).status_code == 200
    login(client, "manager")
    client.get("/lang/ru")  # the clerk works in Russian, the letter is in Kazakh
    letter = client.get(f"/appeal-workflow/{kk['id']}/letter/correction").get_data(as_text=True)
    with app.test_request_context(), force_locale("kk"):
        heading = gettext("Request to fix the appeal")
    assert '<html lang="kk">' in letter and heading in letter


def test_R11_foreigner_and_interpreter_need_are_recorded(client, app):
    from tests.views.test_registers import _appeal_form, _form_ids

    login(client, "manager")
    data = _appeal_form(_form_ids(app), "2026-10-05 10:00:00", "Иностранец R11 5541")
    data.update({"foreigner": "y", "interpreter_needed": "y"})
    assert client.post("/appealview/add", data=data).status_code == 302
    with app.app_context():
        appeal = db.session.execute(select(Appeal).where(Appeal.substance == "Иностранец R11 5541")).scalar_one()
        assert appeal.foreigner and appeal.interpreter_needed
        appeal_id = appeal.id
    assert "(R11)" in client.get(f"/appealview/show/{appeal_id}").get_data(as_text=True)


def test_R23_an_empty_decision_is_refused_on_edit_too_never_a_500(client, jwt, app):
    from app.models import ProtocolEntry

    with app.app_context():
        entry_id = db.session.execute(select(ProtocolEntry.id).order_by(ProtocolEntry.id).limit(1)).scalar_one()
    for body in ({"decision": ""}, {"decision": "   "}, {"decision": None}):
        r = client.put(f"/api/v1/protocol_entry/{entry_id}", json=body, headers=jwt())
        assert r.status_code in (400, 422), (body, r.status_code, r.get_data(as_text=True))


def test_R2_R7_month_gaps_count_the_offices_people_and_roster_sessions_only(app):
    from app.domain.vocabulary import DepartmentKind
    from app.models import Department
    from app.services.receptions import month_gaps

    with app.app_context():
        office = db.session.execute(select(Department).where(Department.kind == DepartmentKind.akim_office)
                                    .limit(1)).scalar_one()
        district = db.session.execute(select(Department).where(Department.kind != DepartmentKind.akim_office)
                                      .limit(1)).scalar_one()
        employee = Official(full_name="Тестова Айгерім", position_kk="Бас маман", position_ru="Главный специалист",
                            level="authorised_employee", department=office, active=True)
        outsider = Official(full_name="Аудандық Әкім", position_kk="Аудан әкімі", position_ru="Аким района",
                            level="akim", department=district, active=True)
        db.session.add_all([employee, outsider])
        db.session.commit()
        try:
            listed = {g["official"].id for g in month_gaps(2031, 5)}
            assert employee.id in listed  # R2 item 4
            assert outsider.id not in listed  # a district akim is no R2 person
        finally:
            db.session.delete(employee)
            db.session.delete(outsider)
            db.session.commit()


def test_R19_R20_the_monitor_reminds_of_the_due_day_not_the_event_day(app):
    from app.domain import deadlines
    from app.models import Department, Notification
    from app.services.calendar import working_calendar
    from app.services.clock import today
    from app.services.monitor import run_monitor

    with app.app_context():
        cal = working_calendar()
        day = cal.on_or_after(today())
        from app.models import UserPlace

        appeal = db.session.execute(select(Appeal).join(UserPlace, UserPlace.place_id == Appeal.reception_place_id)
                                    .where(Appeal.status == "registered").order_by(Appeal.id).limit(1)).scalar_one()
        dept = db.session.execute(select(Department.id).limit(1)).scalar_one()
        req = ParticipationRequest(appeal_id=appeal.id, department_id=dept, requested_on=day, refused_on=day)
        db.session.add(req)
        db.session.commit()
        try:
            run_monitor()
            got = {n.rule: n.due_on for n in db.session.execute(
                select(Notification).where(Notification.appeal_id == appeal.id,
                                           Notification.rule.in_(["R19", "R20"]))).scalars()}
            assert got["R19"] == deadlines.participation_notice_due(day, cal).due != day
            assert got["R20"] == deadlines.participation_refusal_report_due(day, cal).due
        finally:
            db.session.execute(Notification.__table__.delete().where(Notification.appeal_id == appeal.id,
                                                                     Notification.rule.in_(["R19", "R20"])))
            db.session.delete(req)
            db.session.commit()


def test_R14_a_period_of_restrictions_allows_video_sessions_only(client, jwt, app):
    from tests.api.test_workflow_api import _session
    from tests.builders import fresh_official

    official = fresh_official(app)
    a = new_appeal(client, jwt, app, official=official)
    in_person, day = _session(app, official, days_ahead=38, capacity=3)  # planned before the restrictions
    r = client.post("/api/v1/restriction_period/", headers=jwt("admin"), json={
        "starts_on": (day - timedelta(days=1)).isoformat(), "ends_on": (day + timedelta(days=1)).isoformat(),
        "reason": "Постановление о карантине"})
    assert r.status_code == 201, r.get_data(as_text=True)
    period = r.get_json()["id"]
    try:
        r = act(client, jwt, a["id"], "schedule", session=in_person)
        assert r.status_code == 422 and r.get_json()["rule"] == "R14", r.get_data(as_text=True)
        with app.app_context():
            place = db.session.execute(select(ReceptionPlace.id).order_by(ReceptionPlace.id).limit(1)).scalar_one()
        body = {"official": official, "place": place, "day": day.isoformat(), "starts_at": "11:00:00",
                "ends_at": "11:30:00", "capacity": 2, "kind": "regular"}
        r = client.post("/api/v1/reception_session/", json=body, headers=jwt())
        assert r.status_code == 422 and r.get_json()["rule"] == "R14", r.get_data(as_text=True)
        r = client.post("/api/v1/reception_session/", json={**body, "kind": "video"}, headers=jwt())
        assert r.status_code == 201, r.get_data(as_text=True)
        # a period that ends before it starts is refused in words, not SQL
        r = client.post("/api/v1/restriction_period/", headers=jwt("admin"), json={
            "starts_on": "2031-02-10", "ends_on": "2031-02-01", "reason": "x"})
        assert r.status_code in (409, 422) and "CHECK" not in r.get_data(as_text=True)
        # only the Admin keeps the calendar and its restrictions
        assert client.post("/api/v1/restriction_period/", headers=jwt("manager"), json={
            "starts_on": "2031-03-01", "ends_on": "2031-03-02", "reason": "x"}).status_code == 403
    finally:
        assert client.delete(f"/api/v1/restriction_period/{period}", headers=jwt("admin")).status_code == 200


def test_R31_a_request_for_materials_is_recorded_and_overdue_ones_are_visible(client, jwt, app):
    from app.domain.receptions import materials_term
    from app.models import Department, MaterialsRequest

    with app.app_context():
        appeal_id = db.session.execute(select(Appeal.id).where(Appeal.status == "registered").order_by(Appeal.id)
                                       .limit(1)).scalar_one()
        dept = db.session.execute(select(Department.id).order_by(Department.id).limit(1)).scalar_one()
    t = today()
    body = {"appeal": appeal_id, "department": dept, "subject": "Копия акта обследования",
            "requested_on": (t - timedelta(days=10)).isoformat(), "due_on": (t - timedelta(days=11)).isoformat()}
    r = client.post("/api/v1/materials_request/", json=body, headers=jwt())
    assert r.status_code == 422 and r.get_json()["rule"] == "R31", r.get_data(as_text=True)  # due before the request
    r = client.post("/api/v1/materials_request/", json={**body, "due_on": (t - timedelta(days=3)).isoformat()},
                    headers=jwt())
    assert r.status_code == 201, r.get_data(as_text=True)
    req_id = r.get_json()["id"]
    with app.app_context():
        req = db.session.get(MaterialsRequest, req_id)
        assert materials_term(req.due_on, req.answered_on, t) == "overdue"
    login(client, "manager")
    client.get("/lang/ru")
    page = client.get("/materialsrequestview/list/").get_data(as_text=True)
    assert "Копия акта обследования" in page and "text-danger" in page  # the overdue one stands out
    # the answer is recorded with its day: not without the text, not in the future
    r = client.put(f"/api/v1/materials_request/{req_id}", json={"answered_on": t.isoformat()}, headers=jwt())
    assert r.status_code == 422 and r.get_json()["rule"] == "R31"
    r = client.put(f"/api/v1/materials_request/{req_id}", headers=jwt(),
                   json={"answered_on": (t + timedelta(days=1)).isoformat(), "answer": "Акт направлен"})
    assert r.status_code == 422 and r.get_json()["rule"] == "R31"
    r = client.put(f"/api/v1/materials_request/{req_id}", headers=jwt(),
                   json={"answered_on": t.isoformat(), "answer": "Акт направлен"})
    assert r.status_code == 200, r.get_data(as_text=True)
    with app.app_context():
        req = db.session.get(MaterialsRequest, req_id)
        assert materials_term(req.due_on, req.answered_on, t) == "answered"
    # never deleted; and a request on an appeal the user may not see is refused like a missing one
    assert client.delete(f"/api/v1/materials_request/{req_id}", headers=jwt()).status_code == 403
    with app.app_context():
        from app.models import UserPlace

        clerk_place = db.session.get(UserPlace, app.appbuilder.sm.find_user(username="clerk").id).place_id
        foreign = db.session.execute(select(Appeal.id).where(Appeal.reception_place_id != clerk_place)
                                     .limit(1)).scalar_one()
    client.get("/logout/")  # the request below is the Clerk's token alone, not the Manager's session
    r = client.post("/api/v1/materials_request/", json={**body, "appeal": foreign,
                                                        "due_on": t.isoformat()}, headers=jwt("clerk"))
    assert r.status_code == 422 and "appeal" in r.get_json()["message"], r.get_data(as_text=True)
