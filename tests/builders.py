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
