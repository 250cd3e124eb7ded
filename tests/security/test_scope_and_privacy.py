"""A clerk of one reception place cannot read, change or export anything
of another place by any route; personal data is masked for roles that may
not see it; every change is audited."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Appeal, Applicant, AuditLog, District, UserPlace
from tests.conftest import login


def place_of(app, username):
    with app.app_context():
        user = app.appbuilder.sm.find_user(username=username)
        return db.session.get(UserPlace, user.id).place_id


@pytest.fixture
def foreign_appeal(app):
    """An appeal of clerk2's place whose applicant has nothing at clerk's place
    (no appeal, no consultation, not entered there)."""
    from app.models import Applicant, Consultation

    mine, theirs = place_of(app, "clerk"), place_of(app, "clerk2")
    with app.app_context():
        mine_applicants = select(Appeal.applicant_id).where(Appeal.reception_place_id == mine).union(
            select(Consultation.applicant_id).where(Consultation.reception_place_id == mine),
            select(Applicant.id).where(Applicant.registered_place_id == mine))
        row = db.session.execute(
            select(Appeal.id, Appeal.reg_number, Appeal.applicant_id).where(
                Appeal.reception_place_id == theirs, Appeal.applicant_id.not_in(mine_applicants)
            ).limit(1)
        ).one()
    return row


def test_clerk_sees_only_appeals_of_their_place_in_the_list(client, app):
    mine = place_of(app, "clerk")
    login(client, "clerk")
    with app.app_context():
        expected = db.session.execute(select(func.count()).where(Appeal.reception_place_id == mine)).scalar_one()
    body = client.get("/appealview/list/").get_data(as_text=True)
    from tests.views.test_registers import record_count

    assert record_count(body) == expected > 0


def test_clerk_cannot_open_act_on_or_print_an_appeal_of_another_place(client, jwt, app, foreign_appeal):
    appeal_id, reg_number, applicant_id = foreign_appeal
    login(client, "clerk")
    assert client.get(f"/appealview/show/{appeal_id}").status_code == 404
    assert client.get(f"/appealview/edit/{appeal_id}").status_code in (302, 404)
    assert client.get(f"/appeal-workflow/{appeal_id}/withdraw").status_code == 404
    assert client.post(f"/appeal-workflow/{appeal_id}/withdraw", data={"reason": "x"}).status_code == 404
    assert client.get(f"/appeal-workflow/{appeal_id}/letter/answer").status_code == 404
    assert client.get(f"/applicantview/show/{applicant_id}").status_code == 404
    results = client.get(f"/lookup/appeal?q={reg_number}").get_json()["results"]
    assert results == []
    h = jwt("clerk")
    assert client.get(f"/api/v1/appeal/{appeal_id}", headers=h).status_code == 404
    assert client.put(f"/api/v1/appeal/{appeal_id}", json={"substance": "x"}, headers=h).status_code == 404
    assert client.post(f"/api/v1/appeal/{appeal_id}/withdraw", json={"reason": "x"}, headers=h).status_code == 404
    assert client.get(f"/api/v1/applicant/{applicant_id}", headers=h).status_code == 404
    listed = client.get("/api/v1/appeal/?q=(page_size:100)", headers=h).get_json()["result"]
    assert all(r["reception_place"] == place_of(app, "clerk") for r in listed)
    with app.app_context():
        assert db.session.get(Appeal, appeal_id).status != "withdrawn"


def test_bulk_action_skips_appeals_of_another_place(client, app, foreign_appeal):
    appeal_id, reg_number, _ = foreign_appeal
    login(client, "clerk")
    r = client.post("/appeal-workflow/bulk/withdraw", data={"ids": str(appeal_id), "reason": "x"})
    assert reg_number not in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Appeal, appeal_id).status != "withdrawn"


def test_clerk_cannot_register_an_appeal_at_another_place(client, jwt, app):
    from tests.api.test_rest import _appeal_body

    theirs, mine = place_of(app, "clerk2"), place_of(app, "clerk")
    with app.app_context():  # an applicant the clerk may name (one of their place)
        own_applicant = db.session.execute(
            select(Appeal.applicant_id).where(Appeal.reception_place_id == mine).order_by(Appeal.id).limit(1)).scalar_one()
    body = _appeal_body(app, reception_place=theirs, substance="Чужое место 1234", applicant=own_applicant)
    assert client.post("/api/v1/appeal/", json=body, headers=jwt("clerk")).status_code == 403
    body["reception_place"] = place_of(app, "clerk")
    assert client.post("/api/v1/appeal/", json=body, headers=jwt("clerk")).status_code == 201
    with app.app_context():
        assert db.session.execute(
            select(func.count()).where(Appeal.substance == "Чужое место 1234", Appeal.reception_place_id == theirs)
        ).scalar_one() == 0


def test_clerk_without_a_place_sees_no_appeal(client, app):
    with app.app_context():
        sm = app.appbuilder.sm
        if sm.find_user(username="clerk_noplace") is None:
            sm.add_user("clerk_noplace", "Без", "Места", "np@qabyldau.local", sm.find_role("Clerk"), "demo-pass-123")
    login(client, "clerk_noplace")
    from tests.views.test_registers import record_count

    assert record_count(client.get("/appealview/list/").get_data(as_text=True)) == 0


def test_official_sees_only_own_sessions(client, app):
    from app.models import Official, ReceptionSession

    login(client, "official")
    with app.app_context():
        own = db.session.execute(
            select(Official.id).where(Official.user_id == app.appbuilder.sm.find_user(username="official").id)
        ).scalar_one()
        expected = db.session.execute(select(func.count()).where(ReceptionSession.official_id == own)).scalar_one()
    from tests.views.test_registers import record_count

    assert record_count(client.get("/receptionsessionview/list/").get_data(as_text=True)) == expected > 0


def _applicant_with_iin(app):
    with app.app_context():
        return db.session.execute(
            select(Applicant.id, Applicant.iin, Applicant.phone).where(Applicant.iin.is_not(None)).order_by(Applicant.id).limit(1)
        ).one()


def test_head_sees_masked_personal_data_manager_sees_it(client, jwt, app):
    applicant_id, iin, phone = _applicant_with_iin(app)
    masked = iin[:4] + "******" + iin[-2:]
    login(client, "head")
    page = client.get(f"/applicantview/show/{applicant_id}").get_data(as_text=True)
    assert iin not in page and masked in page and phone not in page
    got = client.get(f"/api/v1/applicant/{applicant_id}", headers=jwt("head")).get_json()["result"]
    assert got["iin"] == masked and got["phone"] != phone
    listed = client.get("/api/v1/applicant/?q=(page_size:100)", headers=jwt("head")).get_json()["result"]
    assert all(r["iin"] is None or "******" in r["iin"] for r in listed)
    assert client.get(f"/lookup/applicant?q={iin[:6]}").get_json()["results"] == []
    login(client, "manager")
    assert iin in client.get(f"/applicantview/show/{applicant_id}").get_data(as_text=True)
    assert client.get(f"/api/v1/applicant/{applicant_id}", headers=jwt("manager")).get_json()["result"]["iin"] == iin


def test_every_change_is_audited_with_user_ip_and_values(client, app):
    login(client, "manager")
    r = client.post("/districtview/add", data={
        "kato": "339999999", "kind": "district", "name_kk": "Сынақ ауданы", "name_ru": "Тестовый район",
        "centre_kk": "Сынақ", "centre_ru": "Тест", "lat": "45", "lon": "78", "population": "1000",
    })
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    with app.app_context():
        district_id = db.session.execute(select(District.id).where(District.kato == "339999999")).scalar_one()
    client.post(f"/districtview/edit/{district_id}", data={
        "kato": "339999999", "kind": "district", "name_kk": "Сынақ ауданы", "name_ru": "Тестовый район 2",
        "centre_kk": "Сынақ", "centre_ru": "Тест", "lat": "45", "lon": "78", "population": "1000",
    })
    client.post(f"/districtview/delete/{district_id}")
    with app.app_context():
        rows = db.session.execute(
            select(AuditLog).where(AuditLog.table_name == "district", AuditLog.record_id == district_id).order_by(AuditLog.id)
        ).scalars().all()
        manager_id = app.appbuilder.sm.find_user(username="manager").id
    assert [r.operation for r in rows] == ["create", "update", "delete"]
    assert all(r.user_id == manager_id and r.ip for r in rows)
    assert rows[1].changes["name_ru"] == ["Тестовый район", "Тестовый район 2"]


def test_audit_covers_every_table_the_demo_wrote(app):
    with app.app_context():
        tables = set(db.session.execute(select(AuditLog.table_name).distinct()).scalars())
    for table in ("district", "department", "official", "reception_place", "category", "applicant", "appeal",
                  "appeal_event", "reception_session", "protocol", "instruction", "survey_call", "ab_user"):
        assert table in tables, table


def test_audit_log_is_append_only_and_shown_on_the_record(client, app):
    from app.models import AppendOnlyError

    login(client, "manager")
    with app.app_context():
        row = db.session.execute(select(AuditLog).where(AuditLog.table_name == "appeal").limit(1)).scalar_one()
        row.ip = "0.0.0.0"
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        record = row.record_id
    assert client.get("/auditlogview/edit/1").status_code in (302, 403, 404)
    assert client.get("/auditlogview/delete/1").status_code in (302, 403, 404)
    page = client.get(f"/appealview/show/{record}").get_data(as_text=True)
    assert 'class="q-audit-row"' in page  # the audit rows in the record's one history
    login(client, "head")  # no audit log for the head: the events only
    page = client.get(f"/appealview/show/{record}").get_data(as_text=True)
    assert 'id="timeline"' in page and 'class="q-audit-row"' not in page


def test_the_database_refuses_to_rewrite_history(app):
    """PostgreSQL: triggers refuse raw UPDATE/DELETE too. SQLite has no such
    trigger: there the ORM guard (tested above) is the barrier."""
    if app.config["DB_KIND"] != "postgresql":
        from app.models import AppealEvent, AppendOnlyError

        with app.app_context():
            db.session.delete(db.session.execute(select(AppealEvent).limit(1)).scalar_one())
            with pytest.raises(AppendOnlyError):
                db.session.flush()
            db.session.rollback()
        return
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with app.app_context():
        with pytest.raises(DBAPIError), db.engine.begin() as conn:
            conn.execute(text("UPDATE audit_log SET ip = 'x' WHERE id = (SELECT min(id) FROM audit_log)"))
        with pytest.raises(DBAPIError), db.engine.begin() as conn:
            conn.execute(text("DELETE FROM appeal_event WHERE id = (SELECT min(id) FROM appeal_event)"))


def test_home_page_counts_only_the_clerks_place(client, app):
    from app.domain.vocabulary import TERM_RUNNING_STATUSES

    mine = place_of(app, "clerk")
    with app.app_context():
        expected = db.session.execute(select(func.count()).where(
            Appeal.reception_place_id == mine, Appeal.status == "registered")).scalar_one()
        everyone = db.session.execute(select(func.count()).where(Appeal.status == "registered")).scalar_one()
    assert expected < everyone and TERM_RUNNING_STATUSES
    login(client, "clerk")
    client.get("/lang/en")
    body = client.get("/").get_data(as_text=True)
    row = body.split("Registered</a></td>", 1)[1].split("</tr>", 1)[0]
    assert f">{expected}<" in row
