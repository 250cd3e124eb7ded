"""Database constraints, optimistic locking and append-only history, on
SQLite and PostgreSQL."""
from datetime import date, time

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm.exc import StaleDataError

from app.domain.vocabulary import AppealStatus
from app.extensions import db
from app.models import Appeal, AppealEvent, AppendOnlyError, Applicant, ReceptionSession, SurveyCall


def _first(model):
    return db.session.execute(select(model).order_by(model.id).limit(1)).scalar_one()


def test_R4_unknown_channel_is_refused_by_the_database(app_ctx):
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(text("UPDATE appeal SET channel = 'pigeon' WHERE id = (SELECT min(id) FROM appeal)"))


def test_unknown_enum_value_is_refused_by_the_orm(app_ctx):
    appeal = _first(Appeal)
    appeal.status = "lost"
    with pytest.raises(StatementError):
        db.session.flush()


def test_registration_numbers_are_unique(app_ctx):
    a, b = db.session.execute(select(Appeal).order_by(Appeal.id).limit(2)).scalars().all()
    b.reg_number = a.reg_number
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_R38_satisfaction_outside_1_to_5_is_refused(app_ctx):
    call = db.session.execute(
        select(SurveyCall).where(SurveyCall.outcome == "reached").limit(1)
    ).scalar_one()
    call.satisfaction = 6
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_R9_off_roster_session_needs_the_akims_order(app_ctx):
    s = _first(ReceptionSession)
    db.session.add(
        ReceptionSession(official_id=s.official_id, place_id=s.place_id, day=date(2030, 1, 9),
                         starts_at=time(9), ends_at=time(10), capacity=5, kind="off_roster")
    )
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_R10_legal_entity_applicant_needs_an_organization(app_ctx):
    db.session.add(Applicant(kind="legal_entity", full_name="Иванов Иван", organization=None))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_required_fields_are_not_null(app_ctx):
    db.session.add(Applicant(kind="individual", full_name=None))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_concurrent_edit_of_an_appeal_is_detected_not_overwritten(app):
    from app.extensions import db as _db

    with app.app_context():
        appeal_id = _db.session.execute(select(Appeal.id).order_by(Appeal.id).limit(1)).scalar_one()
        original = _db.session.get(Appeal, appeal_id).substance
        engine = _db.engine
    from sqlalchemy.orm import Session

    with Session(engine) as s1, Session(engine) as s2:
        a1 = s1.get(Appeal, appeal_id)
        a2 = s2.get(Appeal, appeal_id)
        a1.substance = original + " (first)"
        s1.commit()
        a2.substance = original + " (second)"
        with pytest.raises(StaleDataError):
            s2.commit()
        s2.rollback()
    with Session(engine) as s3:
        appeal = s3.get(Appeal, appeal_id)
        assert appeal.substance == original + " (first)"
        appeal.substance = original
        s3.commit()


def test_version_increments_on_every_change(app_ctx):
    appeal = _first(Appeal)
    before = appeal.version
    appeal.substance = appeal.substance + " "
    db.session.commit()
    assert appeal.version == before + 1
    appeal.substance = appeal.substance.rstrip()
    db.session.commit()


def test_appeal_history_is_append_only(app_ctx):
    event = _first(AppealEvent)
    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(_first(AppealEvent))
    with pytest.raises(AppendOnlyError):
        db.session.flush()


def test_R15_refused_appeal_must_name_a_ground(app_ctx):
    appeal = db.session.execute(
        select(Appeal).where(Appeal.status == AppealStatus.refused).limit(1)
    ).scalar_one()
    appeal.refusal_ground = None
    with pytest.raises(IntegrityError):
        db.session.flush()


@pytest.mark.parametrize("table", ["audit_log", "appeal_event"])
def test_history_and_audit_refuse_update_delete_and_truncate_in_postgresql_itself(app_ctx, table):
    """Below the ORM: plain SQL cannot rewrite, delete or truncate them."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    if app_ctx.config["DB_KIND"] != "postgresql":
        # SQLite (one user, embedded) has neither TRUNCATE nor these triggers: the ORM guard holds there
        from app.models import AuditLog

        db.session.delete(_first(AuditLog if table == "audit_log" else AppealEvent))
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        return
    for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}", f"TRUNCATE TABLE {table}"):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()


def test_answered_on_is_the_local_day_of_the_answer(app):
    """An answer recorded at 01:30 in Almaty (20:30 UTC the day before) counts
    for the local day: deadline compliance is measured in local days."""
    from datetime import date, datetime

    from sqlalchemy import select

    from app.domain.vocabulary import ANSWER_ACTIONS, AppealStatus
    from app.extensions import db
    from app.models import Appeal, AppealEvent

    with app.app_context():
        appeal = db.session.execute(select(Appeal).where(Appeal.answered_on.is_(None)).limit(1)).scalar_one()
        action = sorted(ANSWER_ACTIONS)[0]
        db.session.add(AppealEvent(appeal=appeal, at=datetime(2026, 4, 6, 20, 30), action=action,
                                   from_status=appeal.status, to_status=appeal.status, rule="R29", reason="",
                                   payload={}))
        db.session.commit()
        db.session.refresh(appeal)
        assert appeal.answered_on == date(2026, 4, 7)
        assert AppealStatus(appeal.status)  # the appeal itself is untouched otherwise



def test_R10_a_legal_entitys_representative_presents_the_authority_document(client, jwt, app):
    body = {"kind": "legal_entity", "full_name": "Сейткали Нурлан", "organization": "ТОО «Жол»"}
    r = client.post("/api/v1/applicant/", json=body, headers=jwt("manager"))
    assert r.status_code == 422 and r.get_json().get("rule") == "R10", r.get_data(as_text=True)
    r = client.post("/api/v1/applicant/", json={**body, "authority_document": "   "}, headers=jwt("manager"))
    assert r.status_code == 422 and r.get_json().get("rule") == "R10", r.get_data(as_text=True)
    r = client.post("/api/v1/applicant/", json={**body, "authority_document": "Доверенность № 12 от 01.11.2026"},
                    headers=jwt("manager"))
    assert r.status_code == 201, r.get_data(as_text=True)
    # the form says the same, above the form, and saves nothing
    from tests.conftest import login

    login(client, "manager")
    page = client.post("/applicantview/add", data={"kind": "legal_entity", "full_name": "Ахметов Ерлан",
                                                   "organization": "ТОО «Су»"}, follow_redirects=True)
    assert "R10" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(Applicant).where(Applicant.full_name == "Ахметов Ерлан")).first() is None
