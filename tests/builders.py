"""Builders shared by tests of several layers: records put in the state a
test needs, as the clock would have put them there."""
from __future__ import annotations


def back_date_draft(app, appeal_id: int) -> None:
    """The draft decision went out (and was received) on the registration
    day, as if the clock had moved on: its R32 terms counted from that day."""
    from app.domain import deadlines
    from app.extensions import db
    from app.models import Appeal
    from app.services.calendar import counting_rules, working_calendar

    with app.app_context():
        appeal = db.session.get(Appeal, appeal_id)
        cal = working_calendar()
        appeal.draft_sent_on = appeal.draft_delivered_on = appeal.registered_on
        appeal.objection_due_on = deadlines.objection_due(appeal.registered_on, cal, counting_rules()).due
        appeal.decision_earliest_on = deadlines.refusal_decision_earliest(appeal.registered_on, cal).due
        db.session.commit()


def decider_id(app, level: str = "deputy_akim") -> int:
    """An active official on whose behalf the office decides (R27)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Official

    with app.app_context():
        return db.session.execute(select(Official.id).where(Official.level == level, Official.active.is_(True))
                                  .order_by(Official.id).limit(1)).scalar_one()


def fresh_official(app, level: str = "deputy_akim") -> int:
    """A new active official of the akim's office with no appeals waiting for
    them: booking tests are not in the queue (R12/R28) of the demo's backlog."""
    import uuid

    from sqlalchemy import select

    from app.domain.vocabulary import DepartmentKind
    from app.extensions import db
    from app.models import Department, Official

    with app.app_context():
        office = db.session.execute(select(Department).where(Department.kind == DepartmentKind.akim_office)
                                    .order_by(Department.id).limit(1)).scalar_one()
        official = Official(full_name=f"Тестов {uuid.uuid4().hex[:6]}", position_kk="Әкім орынбасары",
                            position_ru="Заместитель акима", level=level, department=office, active=True)
        db.session.add(official)
        db.session.commit()
        return official.id


def empty_app(kind: str, tmp_path_factory, prefix: str, user: tuple[str, str, str], password: str):
    """A generator for a fixture: an app on an empty, migrated database of
    ``kind`` ("sqlite" or "postgresql"): roles synced, one Manager ``user``
    (username, first, last), no demo data; the database is dropped after."""
    import uuid

    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from app import create_app
    from app.security.sync import sync_roles
    from tests.conftest import PG_ADMIN_URL, _make_config, drop_database

    admin, name = make_url(PG_ADMIN_URL), f"qab_{prefix}_{uuid.uuid4().hex[:10]}"
    if kind == "sqlite":
        uri = f"sqlite:///{tmp_path_factory.mktemp(prefix) / f'{prefix}.db'}"
    else:
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        uri = admin.set(database=name).render_as_string(hide_password=False)
    application = create_app(_make_config(uri))
    with application.app_context():
        upgrade()
        sync_roles()
        sm = application.appbuilder.sm
        username, first, last = user
        sm.add_user(username, first, last, f"{username}@qabyldau.local", sm.find_role("Manager"), password)
    yield application
    with application.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()
    if kind == "postgresql":
        drop_database(admin, name)
