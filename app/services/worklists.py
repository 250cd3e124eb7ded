"""The work lists of the day ("my work"): each is one SQL condition on the
appeals, used alike by the appeal list's quick filter and by the count on
the home page — so the figure and the list it opens are the same rows —
and always inside the reader's scope."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from app.domain.vocabulary import TERM_RUNNING_STATUSES, AppealStatus, SessionStatus
from app.extensions import db
from app.models import Appeal, ReceptionSession
from app.security.roles import can
from app.security.scope import current_user, scoped, write_clause

from .clock import today


def _running():
    return Appeal.status.in_(list(TERM_RUNNING_STATUSES))


def mine(user):
    return Appeal.assignee_id == (user.id if user is not None else -1)


def overdue(user):
    from .selection import overdue_now

    return overdue_now(today())  # the dashboard's card and the desk's count: one rule


def due_this_week(user):
    now = today()
    return and_(_running(), Appeal.due_on.between(now, now + timedelta(days=6 - now.weekday())))


def awaiting_hearing(user):
    return and_(Appeal.status == AppealStatus.refusal_proposed, Appeal.hearing_recorded_on.is_(None))


def correction_term_over(user):
    return and_(Appeal.status == AppealStatus.correction_requested, Appeal.correction_fix_by < today())


def awaiting_my_decision(user):
    """R33: a proposed refusal whose hearing is recorded, or whose objection
    term is over — ready for the decision — among the appeals the user may
    change (a Responsible worker: those assigned to them)."""
    ready = and_(Appeal.status == AppealStatus.refusal_proposed,
                 or_(Appeal.hearing_recorded_on.is_not(None), Appeal.objection_due_on < today()))
    writable = write_clause(Appeal, user)
    return ready if writable is None else and_(ready, writable)


@dataclass(frozen=True)
class WorkList:
    key: str
    label: object
    condition: object  # user → SQL condition on Appeal
    capability: str | None = None  # who has this list at all
    urgent: bool = False


WORK_LISTS = (
    WorkList("mine", _l("Assigned to me"), mine, "assignee"),
    WorkList("decision", _l("Awaiting my decision"), awaiting_my_decision, "record_decisions"),
    WorkList("overdue", _l("Overdue"), overdue, urgent=True),
    WorkList("due_week", _l("Due this week"), due_this_week),
    WorkList("hearing", _l("Awaiting the hearing"), awaiting_hearing),
    WorkList("correction", _l("Correction term over"), correction_term_over),
)
BY_KEY = {w.key: w for w in WORK_LISTS}


def lists_of(user=None) -> list[WorkList]:
    user = user if user is not None else current_user()
    return [w for w in WORK_LISTS if w.capability is None or can(user, w.capability)]


def counts(user=None) -> dict[str, int]:
    """Each work list's count for ``user``, in one query, within their scope."""
    user = user if user is not None else current_user()
    lists = lists_of(user)
    if not lists:
        return {}
    columns = [func.count().filter(w.condition(user)).label(w.key) for w in lists]
    row = db.session.execute(scoped(select(*columns).select_from(Appeal), Appeal, user)).one()
    return {w.key: getattr(row, w.key) for w in lists}


def todays_sessions(user=None) -> list[tuple[ReceptionSession, int]]:
    """Today's receptions the user may see (an official: their own), with
    the number of appeals booked on each."""
    user = user if user is not None else current_user()
    booked = (select(func.count()).select_from(Appeal).where(Appeal.session_id == ReceptionSession.id)
              .correlate(ReceptionSession).scalar_subquery())
    stmt = (select(ReceptionSession, booked).where(ReceptionSession.day == today(),
                                                   ReceptionSession.status != SessionStatus.cancelled)
            .options(selectinload(ReceptionSession.official), selectinload(ReceptionSession.place))
            .order_by(ReceptionSession.starts_at, ReceptionSession.id).limit(50))
    return [(s, n) for s, n in db.session.execute(scoped(stmt, ReceptionSession, user)).all()]
