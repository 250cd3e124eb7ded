"""Workflow actions through ``POST /api/v1/appeal/<id>/<action>`` on SQLite
and PostgreSQL: 200 with the appeal, 422 {message, rule}, 409, 400, 403/404."""
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from app.domain.vocabulary import AppealStatus, InstructionStatus
from app.extensions import db
from app.models import Appeal, AppealEvent, Instruction, ReceptionSession
from app.services.calendar import working_calendar


def today() -> date:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Almaty")).date()
from tests.api.test_rest import _appeal_body
from tests.builders import back_date_draft, decider_id, fresh_official


def new_appeal(client, jwt, app, received_at="2026-10-01T10:00:00", **over) -> dict:
    body = _appeal_body(app, received_at=received_at, substance="Workflow test", **over)
    r = client.post("/api/v1/appeal/", json=body, headers=jwt())
    assert r.status_code == 201, r.get_data(as_text=True)
    return client.get(f"/api/v1/appeal/{r.get_json()['id']}", headers=jwt()).get_json()["result"]


def act(client, jwt, appeal_id, action, user="manager", **body):
    return client.post(f"/api/v1/appeal/{appeal_id}/{action}", json=body, headers=jwt(user))


def events(app, appeal_id):
    with app.app_context():
        return db.session.execute(
            select(AppealEvent.action, AppealEvent.rule).where(AppealEvent.appeal_id == appeal_id).order_by(AppealEvent.id)
        ).all()


def test_R6_correction_requested_then_corrected_back_to_review(client, jwt, app):
    a = new_appeal(client, jwt, app)
    r = act(client, jwt, a["id"], "request-correction", reason="Нет почтового адреса",
            fix_by=(today() + timedelta(days=10)).isoformat(), sent_on=today().isoformat(), version=a["version"])
    assert r.status_code == 200, r.get_data(as_text=True)
    got = r.get_json()["result"]
    assert got["status"] == "correction_requested" and got["version"] == a["version"] + 1
    r = act(client, jwt, a["id"], "return", reason="не исправлено")
    assert r.status_code == 422 and r.get_json()["rule"] == "R6"
    r = act(client, jwt, a["id"], "mark-corrected", note="адрес получен")
    assert r.status_code == 200 and r.get_json()["result"]["status"] == "registered"
    assert [e.action for e in events(app, a["id"])] == ["register", "request-correction", "mark-corrected"]


def test_R6_return_after_the_term_passed(client, jwt, app):
    a = new_appeal(client, jwt, app)
    r = act(client, jwt, a["id"], "request-correction", reason="нет ФИО", fix_by=(today() + timedelta(days=3)).isoformat())
    assert r.status_code == 200
    with app.app_context():  # the term given has passed since
        db.session.get(Appeal, a["id"]).correction_fix_by = today() - timedelta(days=1)
        db.session.commit()
    r = act(client, jwt, a["id"], "return", reason="не исправлено в срок")
    assert r.status_code == 200 and r.get_json()["result"]["status"] == "returned"


def test_R32_refusal_blocked_before_3_working_days_then_decided(client, jwt, app):
    a = new_appeal(client, jwt, app)
    sent = today()
    r = act(client, jwt, a["id"], "propose-refusal", ground="court_act_in_force", motivation="Есть решение суда",
            reference="Решение суда № 2-155/2026", sent_on=sent.isoformat())
    assert r.status_code == 200, r.get_data(as_text=True)
    r = act(client, jwt, a["id"], "refuse")
    assert r.status_code == 422 and r.get_json()["rule"] == "R32"
    assert "3" in r.get_json()["message"]
    assert a["status"] == "registered"
    # a draft back-dated past the limit is refused: the hearing cannot be skipped that way
    b = new_appeal(client, jwt, app)
    r = act(client, jwt, b["id"], "propose-refusal", ground="out_of_competence", motivation="Не относится",
            sent_on=(today() - timedelta(days=14)).isoformat())
    assert r.status_code == 422 and r.get_json()["rule"] == "R32", r.get_data(as_text=True)
    # the draft sent today, and the clock moved on: the hearing record, then who decided
    assert act(client, jwt, b["id"], "propose-refusal", ground="out_of_competence", motivation="Не относится"
               ).status_code == 200
    back_date_draft(app, b["id"])
    r = act(client, jwt, b["id"], "refuse", decided_by=decider_id(app))
    assert r.status_code == 422 and r.get_json()["rule"] == "R33"
    assert act(client, jwt, b["id"], "record-hearing", position="").status_code == 200
    r = act(client, jwt, b["id"], "refuse")
    assert r.status_code == 422 and r.get_json()["rule"] == "R27"
    r = act(client, jwt, b["id"], "refuse", decided_by=decider_id(app, "unit_head"))
    assert r.status_code == 422 and r.get_json()["rule"] == "R27"
    r = act(client, jwt, b["id"], "refuse", decided_by=2**40)
    assert r.status_code in (400, 422)
    r = act(client, jwt, b["id"], "refuse", decided_by=decider_id(app))
    assert r.status_code == 200 and r.get_json()["result"]["status"] == "refused"
    with app.app_context():
        refused = db.session.get(Appeal, b["id"])
        assert refused.refusal_ground == "out_of_competence" and refused.refusal_decided_by_id == decider_id(app)


def test_R15_ground_2_without_reference_is_422(client, jwt, app):
    a = new_appeal(client, jwt, app)
    r = act(client, jwt, a["id"], "propose-refusal", ground="administrative_decision_exists", motivation="Есть решение")
    assert r.status_code == 422 and r.get_json()["rule"] == "R15"


def recent_received_at(days_ago: int = 2) -> str:
    return (today() - timedelta(days=days_ago)).isoformat() + "T10:00:00"


def limits(app, registered_on: str):
    from app.domain.deadlines import complex_extension_limit, motivated_extension_limit

    with app.app_context():
        cal, reg = working_calendar(), date.fromisoformat(registered_on)
        return complex_extension_limit(reg, cal).due, motivated_extension_limit(reg, cal).due


def test_R30a_extension_beyond_30_days_refused_within_accepted(client, jwt, app):
    a = new_appeal(client, jwt, app, received_at=recent_received_at())
    complex_limit, two_months = limits(app, a["registered_on"])
    r = act(client, jwt, a["id"], "extend", kind="complex", until=(complex_limit + timedelta(days=7)).isoformat(),
            reason="Сложный вопрос")
    assert r.status_code == 422 and r.get_json()["rule"] == "R30a"
    r = act(client, jwt, a["id"], "extend", kind="complex", until=complex_limit.isoformat(), reason="Сложный вопрос")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["result"]["due_on"] == complex_limit.isoformat()
    r = act(client, jwt, a["id"], "extend", kind="motivated", until=(two_months + timedelta(days=1)).isoformat(),
            reason="Решение заместителя")
    assert r.status_code == 422 and r.get_json()["rule"] == "R30b"
    r = act(client, jwt, a["id"], "extend", kind="motivated", until=two_months.isoformat(), reason="Решение заместителя")
    assert r.status_code == 422 and r.get_json()["rule"] == "R30b"  # who decided?
    r = act(client, jwt, a["id"], "extend", kind="motivated", until=two_months.isoformat(), reason="Решение заместителя",
            decided_by=decider_id(app))
    assert r.status_code == 200, r.get_data(as_text=True)
    r = act(client, jwt, a["id"], "extend", kind="motivated", until=(two_months + timedelta(days=20)).isoformat(),
            reason="Ещё раз")
    assert r.status_code == 422 and r.get_json()["rule"] == "R30b"


def test_R30_no_extension_once_the_term_has_passed(client, jwt, app):
    a = new_appeal(client, jwt, app, received_at="2026-10-01T10:00:00")  # answered by 21.10.2026
    r = act(client, jwt, a["id"], "extend", kind="complex", until="2026-10-28", reason="поздно")
    assert r.status_code == 422 and r.get_json()["rule"] == "R30"


def _session(app, official_id, days_ahead=30, capacity=2):
    with app.app_context():
        cal = working_calendar()
        day = cal.on_or_after(today() + timedelta(days=days_ahead))
        # days ahead that fall on the same working day (a holiday, a weekend) take the next free one
        while db.session.execute(select(ReceptionSession.id).where(
                ReceptionSession.official_id == official_id, ReceptionSession.day == day,
                ReceptionSession.starts_at == time(9, 0))).first():
            day = cal.on_or_after(day + timedelta(days=1))
        s = ReceptionSession(official_id=official_id, place_id=1, day=day, starts_at=time(9, 0),
                             ends_at=time(9, 30 + (days_ahead % 20)), capacity=capacity, kind="regular", status="approved")
        db.session.add(s)
        db.session.commit()
        return s.id, day


def test_R29_schedule_books_a_slot_and_R23_reception_waits_for_its_day(client, jwt, app):
    official = fresh_official(app)
    a = new_appeal(client, jwt, app, official=official)
    session_id, day = _session(app, a["official"], days_ahead=33, capacity=1)
    r = act(client, jwt, a["id"], "schedule", session=session_id)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["result"]["status"] == "scheduled"
    b = new_appeal(client, jwt, app, official=official)
    r = act(client, jwt, b["id"], "schedule", session=session_id)
    assert r.status_code == 422 and r.get_json()["rule"] == "R29"  # full
    r = act(client, jwt, a["id"], "receive")
    assert r.status_code == 422 and r.get_json()["rule"] == "R23"


def test_R28_R12_the_last_place_goes_to_the_queue_privileged_first(client, jwt, app):
    """A later appeal cannot take the last place while an earlier one for the
    same official waits; a privileged applicant (R12) is earlier still."""
    official = fresh_official(app)
    early = new_appeal(client, jwt, app, official=official, received_at="2026-10-01T10:00:00")
    later = new_appeal(client, jwt, app, official=official, received_at="2026-10-02T10:00:00")
    session_id, _ = _session(app, official, days_ahead=36, capacity=2)
    # two places: the later one may book the first of them
    assert act(client, jwt, later["id"], "schedule", session=session_id).status_code == 200
    privileged = new_appeal(client, jwt, app, official=official, received_at="2026-10-05T10:00:00",
                            privilege="disabled")
    # one place left: the earlier appeal waits, and the privileged one comes before it
    r = act(client, jwt, early["id"], "schedule", session=session_id)
    assert r.status_code == 422 and r.get_json()["rule"] == "R28", r.get_data(as_text=True)
    r = act(client, jwt, privileged["id"], "schedule", session=session_id)
    assert r.status_code == 200, r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Appeal, early["id"]).status == "registered"


def test_R27_clerk_cannot_book_another_official_but_manager_can(client, jwt, app):
    a = new_appeal(client, jwt, app)
    with app.app_context():
        from app.models import Official

        other = db.session.execute(
            select(Official.id).where(Official.id != a["official"], Official.active.is_(True)).limit(1)
        ).scalar_one()
    session_id, _ = _session(app, other, days_ahead=34)
    r = act(client, jwt, a["id"], "schedule", user="clerk", session=session_id)
    assert r.status_code == 422 and r.get_json()["rule"] == "R27"
    assert act(client, jwt, a["id"], "schedule", user="manager", session=session_id).status_code == 200


def _received_with_open_instruction(app) -> int:
    with app.app_context():
        open_one = db.session.execute(
            select(Instruction.appeal_id).join(Appeal, Appeal.id == Instruction.appeal_id)
            .where(Appeal.status == AppealStatus.received, Instruction.status == InstructionStatus.open).limit(1)
        ).scalar_one_or_none()
    if open_one is None:
        pytest.fail("the demo data has no received appeal with an open instruction")
    return open_one


def test_R35_close_waits_for_every_instruction(client, jwt, app):
    open_one = _received_with_open_instruction(app)
    r = act(client, jwt, open_one, "close", final_answer="Ответ дан")
    assert r.status_code == 422 and r.get_json()["rule"] == "R35"


def test_R35_a_withdrawal_is_refused_while_an_instruction_is_under_control(client, jwt, app):
    open_one = _received_with_open_instruction(app)
    r = act(client, jwt, open_one, "withdraw", reason="заявитель отозвал")
    assert r.status_code == 422 and r.get_json()["rule"] == "R35"
    with app.app_context():
        assert db.session.get(Appeal, open_one).status == AppealStatus.received


def test_R5_only_before_scheduling_and_the_applicant_is_told(client, jwt, app):
    a = new_appeal(client, jwt, app)
    assert act(client, jwt, a["id"], "propose-refusal", ground="out_of_competence", motivation="м").status_code == 200
    r = act(client, jwt, a["id"], "leave-without-consideration", reason="нет сути")
    assert r.status_code == 422 and r.get_json()["rule"] == "R5"  # not a way around the hearing
    b = new_appeal(client, jwt, app)
    r = act(client, jwt, b["id"], "leave-without-consideration", reason="суть не изложена")
    assert r.status_code == 200 and r.get_json()["result"]["status"] == "left_without_consideration"
    from tests.conftest import login

    login(client, "manager")
    letter = client.get(f"/appeal-workflow/{b['id']}/letter/left-without-consideration")
    assert letter.status_code == 200 and "суть не изложена" in letter.get_data(as_text=True)
    assert a["reg_number"] not in letter.get_data(as_text=True)


def test_R33_the_hearing_may_drop_the_refusal_back_to_scheduling(client, jwt, app):
    a = new_appeal(client, jwt, app)
    assert act(client, jwt, a["id"], "propose-refusal", ground="out_of_competence", motivation="м").status_code == 200
    assert act(client, jwt, a["id"], "drop-refusal").status_code == 422
    r = act(client, jwt, a["id"], "drop-refusal", reason="на заслушивании представлены документы")
    assert r.status_code == 200 and r.get_json()["result"]["status"] == "registered"
    assert [e.action for e in events(app, a["id"])][-2:] == ["propose-refusal", "drop-refusal"]


def test_R27_and_R30b_a_clerk_records_no_decision_on_an_officials_behalf(client, jwt, app):
    a = new_appeal(client, jwt, app, received_at=recent_received_at())
    _, two_months = limits(app, a["registered_on"])
    r = act(client, jwt, a["id"], "extend", user="clerk", kind="motivated", until=two_months.isoformat(),
            reason="решение", decided_by=decider_id(app))
    assert r.status_code in (403, 422), r.get_data(as_text=True)
    if r.status_code == 422:
        assert r.get_json()["rule"] == "R30b"
    assert act(client, jwt, a["id"], "extend", kind="motivated", until=two_months.isoformat(), reason="решение",
               decided_by=decider_id(app)).status_code == 200
    # the notice of that extension, recorded later, once
    r = act(client, jwt, a["id"], "record-extension-notice", notified_on=(today() + timedelta(days=1)).isoformat())
    assert r.status_code == 422 and r.get_json()["rule"] == "R30b"
    r = act(client, jwt, a["id"], "record-extension-notice", notified_on=today().isoformat())
    assert r.status_code == 200 and r.get_json()["result"]["extension_notified_on"] == today().isoformat()
    assert act(client, jwt, a["id"], "record-extension-notice", notified_on=today().isoformat()).status_code == 422


def test_stale_version_is_409_and_changes_nothing(client, jwt, app):
    a = new_appeal(client, jwt, app)
    r = act(client, jwt, a["id"], "withdraw", reason="отозвано", version=a["version"] + 5)
    assert r.status_code == 409
    with app.app_context():
        assert db.session.get(Appeal, a["id"]).status == "registered"


def test_withdrawn_is_final(client, jwt, app):
    a = new_appeal(client, jwt, app)
    assert act(client, jwt, a["id"], "withdraw", reason="заявитель отозвал").status_code == 200
    r = act(client, jwt, a["id"], "mark-corrected")
    assert r.status_code == 422
    r = act(client, jwt, a["id"], "withdraw", reason="ещё раз")
    assert r.status_code == 422


@pytest.mark.parametrize(
    "action,body",
    [
        ("extend", {"kind": "forever", "until": "2026-12-01", "reason": "x"}),
        ("extend", {"kind": "complex", "until": "01.12.2026", "reason": "x"}),
        ("propose-refusal", {"ground": "dislike", "motivation": "x"}),
        ("schedule", {"session": "abc"}),
        ("withdraw", {"reason": "x", "colour": "red"}),
        ("withdraw", {"reason": "x", "version": "1"}),
        ("request-correction", {"fix_by": 5, "reason": "x"}),
    ],
)
def test_malformed_bodies_are_400(client, jwt, app, action, body):
    a = new_appeal(client, jwt, app)
    r = act(client, jwt, a["id"], action, **body)
    assert r.status_code == 400, r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Appeal, a["id"]).version == a["version"]


def test_not_json_unknown_action_and_missing_appeal(client, jwt, app):
    a = new_appeal(client, jwt, app)
    r = client.post(f"/api/v1/appeal/{a['id']}/withdraw", data="reason=x", headers=jwt())
    assert r.status_code == 400
    assert act(client, jwt, a["id"], "teleport").status_code == 404
    assert act(client, jwt, 99999999, "withdraw", reason="x").status_code == 404


def test_head_may_not_run_actions(client, jwt, app):
    a = new_appeal(client, jwt, app)
    assert act(client, jwt, a["id"], "withdraw", user="head", reason="x").status_code == 403


def test_messages_follow_the_request_language(client, jwt, app):
    a = new_appeal(client, jwt, app)
    msgs = {}
    for lang in ("kk", "ru", "en"):
        r = client.post(f"/api/v1/appeal/{a['id']}/leave-without-consideration", json={},
                        headers={**jwt(), "Accept-Language": lang})
        assert r.status_code == 422 and r.get_json()["rule"] == "R5"
        msgs[lang] = r.get_json()["message"]
    assert len(set(msgs.values())) == 3 and msgs["en"] == "State the reason."


def test_put_with_a_stale_version_is_409_with_the_current_one_200(client, jwt, app):
    a = new_appeal(client, jwt, app)
    r = client.put(f"/api/v1/appeal/{a['id']}", json={"substance": "Уточнено", "version": a["version"] + 1}, headers=jwt())
    assert r.status_code == 409
    r = client.put(f"/api/v1/appeal/{a['id']}", json={"substance": "Уточнено", "version": a["version"]}, headers=jwt())
    assert r.status_code == 200, r.get_data(as_text=True)
    with app.app_context():
        appeal = db.session.get(Appeal, a["id"])
        assert appeal.substance == "Уточнено" and appeal.version == a["version"] + 1


def test_R29_the_first_answer_sets_the_answer_day_and_later_events_keep_it(client, jwt, app):
    """``answered_on`` (deadline compliance) is the day of the first answering
    event; an event that does not answer leaves it empty."""
    from datetime import datetime

    a = new_appeal(client, jwt, app)
    with app.app_context():
        assert db.session.get(Appeal, a["id"]).answered_on is None
    session_id, _day = _session(app, a["official"], days_ahead=36)
    assert act(client, jwt, a["id"], "schedule", session=session_id).status_code == 200
    with app.app_context():
        appeal = db.session.get(Appeal, a["id"])
        first = db.session.execute(select(AppealEvent).where(
            AppealEvent.appeal_id == a["id"], AppealEvent.action == "schedule")).scalar_one()
        from app.services.clock import today as local_today
        from app.services.clock import utc_to_local

        # the local day (Asia/Almaty), whatever the UTC hour the test runs at
        assert appeal.answered_on == utc_to_local(first.at).date() == local_today()
        # a later answering event written a day "earlier" would win; one written later does not
        db.session.add(AppealEvent(appeal_id=appeal.id, at=datetime(2031, 1, 1), action="withdraw",
                                   from_status=appeal.status, to_status=appeal.status, rule="R29", reason=""))
        db.session.commit()
        assert db.session.get(Appeal, a["id"]).answered_on == utc_to_local(first.at).date()
