"""What a filter of the heads' dashboard selects, as SQL clauses shared by
the charts (``app/services/analytics.py``) and the list filters they drill
down to (``app/fab/filters.py``): a card's figure and the list behind it are
counted by the same clause, so they cannot drift apart."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import DateTime, and_, false, or_, select

from app.domain.vocabulary import TERM_RUNNING_STATUSES
from app.extensions import db
from app.models import Appeal, AppealEvent, Category, Consultation, Official, SurveyCall

DIMENSIONS = ("district", "place", "section", "department")
"""The dashboard's filters besides the period, by the name its criteria use."""

RUNNING = [s.value for s in TERM_RUNNING_STATUSES]


def topic_ids(category_id: int):
    """The category and every topic and question under it (by code: '01' → '01', '01.02', '01.02.03')."""
    code = db.session.execute(select(Category.code).where(Category.id == category_id)).scalar_one_or_none()
    if not code:
        return select(Category.id).where(Category.id == category_id)
    return select(Category.id).where(or_(Category.code == code, Category.code.like(code + ".%")))


def dimension(model, name: str, value: int):
    """The appeals — or consultations, or survey calls about either — of one
    value of a dashboard filter: a district, a reception place, a section
    (a category with everything under it) or a department (of the official
    asked for; a consultation belongs to none)."""
    if model is SurveyCall:
        return or_(SurveyCall.appeal_id.in_(select(Appeal.id).where(dimension(Appeal, name, value))),
                   SurveyCall.consultation_id.in_(select(Consultation.id).where(dimension(Consultation, name, value))))
    if name == "district":
        return model.district_id == value
    if name == "place":
        return model.reception_place_id == value
    if name == "section":
        return model.category_id.in_(topic_ids(value))
    if name == "department":
        if model is Consultation:
            return false()
        return model.official_id.in_(select(Official.id).where(Official.department_id == value))
    raise ValueError(name)


def since(column, day: date):
    """``column`` on or after ``day`` (a date, or a local timestamp from its midnight)."""
    return column >= (datetime.combine(day, time()) if isinstance(column.type, DateTime) else day)


def until(column, day: date):
    """``column`` on or before ``day`` (a local timestamp: before the next midnight)."""
    if isinstance(column.type, DateTime):
        return column < datetime.combine(day + timedelta(days=1), time())
    return column <= day


def period(column, start: date, end: date):
    return and_(since(column, start), until(column, end))


def month_bounds(key: str, start: date, end: date) -> tuple[date, date]:
    """The days of month 'YYYY-MM' inside the period."""
    first = date(int(key[:4]), int(key[5:7]), 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return max(first, start), min(last, end)


# --- the state of an appeal's term (R29, R30) -------------------------------------
def overdue_now(today: date):
    """The term runs and its last day has passed."""
    return and_(Appeal.status.in_(RUNNING), Appeal.due_on < today)


def answered_on_time(today: date | None = None):
    """Answered (``Appeal.answered_on``: the first answering event) within
    the term (what day it is plays no part)."""
    return and_(Appeal.answered_on.is_not(None), Appeal.answered_on <= Appeal.due_on)


def term_missed(today: date):
    """Answered after the term, or still unanswered past it."""
    return or_(and_(Appeal.answered_on.is_not(None), Appeal.answered_on > Appeal.due_on),
               and_(Appeal.answered_on.is_(None), Appeal.due_on < today))


def term_running(today: date):
    """Neither answered on time nor late yet (NULLs included: what the charts call pending)."""
    return or_(answered_on_time(), term_missed(today)).is_not(True)


def extended_as(rule: str):
    """Appeals whose term was extended under ``rule`` (R30a, R30b)."""
    return Appeal.id.in_(select(AppealEvent.appeal_id).where(AppealEvent.action == "extend", AppealEvent.rule == rule))
