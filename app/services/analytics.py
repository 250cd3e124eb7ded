"""Aggregates for the heads' charts and dashboard, computed in SQL (GROUP BY
over indexed columns — never by loading appeals into Python), with a short
in-process cache dropped whenever appeals or survey calls change."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Optional

from sqlalchemy import Date, and_, case, cast, func, or_, select

from app.domain.vocabulary import TERM_RUNNING_STATUSES, AppealStatus, CallOutcome
from app.extensions import db
from app.models import (
    Appeal,
    AppealEvent,
    Category,
    Consultation,
    Department,
    District,
    Official,
    ReceptionPlace,
    SurveyCall,
)
from app.security.scope import scoped

# Events that answer the applicant within the R29 term (the answer with the
# date of the reception, or a decision ending the review).
SATISFIED_FROM = 4  # a score of 4 or 5 counts as satisfied


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    district_id: Optional[int] = None
    category_id: Optional[int] = None
    place_id: Optional[int] = None

    def key(self) -> tuple:
        return (self.start, self.end, self.district_id, self.category_id, self.place_id)

    def previous(self) -> Filters:
        length = (self.end - self.start).days + 1
        return replace(self, start=self.start - timedelta(days=length), end=self.start - timedelta(days=1))


@dataclass
class Table:
    """What a chart shows: column titles and rows (also its CSV)."""

    columns: list[Any]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""


# --- cache ------------------------------------------------------------------
_CACHE: dict[tuple, tuple[float, Any]] = {}
_VERSION = [0]
CACHE_TTL = 60.0


def invalidate() -> None:
    """Called when appeals or calls change (``app/services/audit_log.py``)."""
    _VERSION[0] += 1


def cached(name: str, filters: Filters, compute: Callable[[], Any], extra: tuple = ()) -> Any:
    from app.security.roles import traits
    from app.security.scope import current_user

    user = current_user()
    t = traits(user)
    who = (tuple(sorted(t.read_scopes)), tuple(sorted(t.personal_fields))) + ((user.id,) if user is not None else ())
    key = (name, filters.key(), extra, who, _VERSION[0], db.engine.url.render_as_string())
    hit = _CACHE.get(key)
    now = time.monotonic()
    if hit and now - hit[0] < CACHE_TTL:
        return hit[1]
    value = compute()
    if len(_CACHE) > 500:
        _CACHE.clear()
    _CACHE[key] = (now, value)
    return value


# --- SQL helpers --------------------------------------------------------------
def _dialect() -> str:
    return db.engine.dialect.name


def month_of(column):
    """'YYYY-MM' of a date or timestamp column, on PostgreSQL and SQLite."""
    if _dialect() == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def day_of(column):
    return cast(column, Date) if _dialect() == "postgresql" else func.date(column)


def section_of_category():
    """The section code ('01') of an appeal's category code ('01.02')."""
    return func.substr(Category.code, 1, 2)


def appeal_filter(stmt, f: Filters):
    return _of_district_place_topic(stmt.where(Appeal.registered_on.between(f.start, f.end)), f, Appeal)


def _of_district_place_topic(stmt, f: Filters, model):
    """``stmt`` limited to the filters' district, place and topic (with its
    subtopics) on ``model`` (an appeal or a consultation), in the user's scope."""
    if f.district_id:
        stmt = stmt.where(model.district_id == f.district_id)
    if f.place_id:
        stmt = stmt.where(model.reception_place_id == f.place_id)
    if f.category_id:
        stmt = stmt.where(model.category_id.in_(_topic_ids(f.category_id)))
    return scoped(stmt, model)


def _topic_ids(category_id: int):
    """The category and every topic and question under it."""
    code = db.session.execute(select(Category.code).where(Category.id == category_id)).scalar_one_or_none()
    if not code:
        return select(Category.id).where(Category.id == category_id)
    return select(Category.id).where(or_(Category.code == code, Category.code.like(code + ".%")))


# --- M7.2: the problem map, heat map and rising topics --------------------------
def district_counts(f: Filters) -> list[dict]:
    """Appeals by district: total, per 10,000 residents, refused, awaiting
    the answer, overdue (M7.2)."""
    from .clock import today as local_today

    running = [s.value for s in TERM_RUNNING_STATUSES]
    today = local_today()
    counts = appeal_filter(
        select(
            Appeal.district_id.label("district_id"),
            func.count().label("total"),
            func.sum(case((Appeal.status == AppealStatus.refused, 1), else_=0)).label("refused"),
            func.sum(case((Appeal.status.in_(running), 1), else_=0)).label("open"),
            func.sum(case((and_(Appeal.status.in_(running), Appeal.due_on < today), 1), else_=0)).label("overdue"),
        ),
        f,
    ).group_by(Appeal.district_id).subquery()
    rows = db.session.execute(
        select(District, counts.c.total, counts.c.refused, counts.c.open, counts.c.overdue)
        .outerjoin(counts, counts.c.district_id == District.id)
        .order_by(District.kato)
    ).all()
    out = []
    for district, total, refused, open_, overdue in rows:
        total = total or 0
        per_10k = round(total * 10000 / district.population, 1) if district.population else None
        out.append({"district": district, "total": total, "per_10k": per_10k,
                    "refused": refused or 0, "open": open_ or 0, "overdue": overdue or 0})
    return out


def heatmap(f: Filters) -> tuple[list[District], list[Category], dict[tuple[int, str], int]]:
    """District × category section counts (M7.1, M7.2)."""
    section = section_of_category().label("section")
    rows = db.session.execute(
        appeal_filter(
            select(Appeal.district_id, section, func.count()).join(Category, Category.id == Appeal.category_id), f
        ).group_by(Appeal.district_id, section)
    ).all()
    districts = db.session.execute(select(District).order_by(District.kato)).scalars().all()
    sections = db.session.execute(
        select(Category).where(Category.parent_id.is_(None)).order_by(Category.code)
    ).scalars().all()
    return districts, sections, {(d, s): n for d, s, n in rows}


def rising_topics(f: Filters, per_district: int = 3) -> list[dict]:
    """The topics whose count grew most against the previous period of the
    same length, per district (M7.2 trends)."""
    def counts(ff: Filters):
        rows = db.session.execute(
            appeal_filter(select(Appeal.district_id, Appeal.category_id, func.count()), ff)
            .group_by(Appeal.district_id, Appeal.category_id)
        ).all()
        return {(d, c): n for d, c, n in rows}

    now, before = counts(f), counts(f.previous())
    names = dict(db.session.execute(select(Category.id, Category.code)).all())
    districts = {d.id: d for d in db.session.execute(select(District)).scalars()}
    cats = {c.id: c for c in db.session.execute(select(Category)).scalars()}
    grouped: dict[int, list] = {}
    for (d, c), n in now.items():
        growth = n - before.get((d, c), 0)
        if growth > 0:
            grouped.setdefault(d, []).append((growth, n, before.get((d, c), 0), c))
    out = []
    for d, items in grouped.items():
        for growth, n, prev, c in sorted(items, key=lambda x: (-x[0], names.get(x[3], "")))[:per_district]:
            out.append({"district": districts[d], "category": cats[c], "now": n, "before": prev, "growth": growth})
    return sorted(out, key=lambda r: (r["district"].kato, -r["growth"]))


# --- R38: satisfaction ---------------------------------------------------------
def _call_filter(stmt, f: Filters):
    """R38 calls made in the period — about an appeal or about a consultation
    after which the person declined to register — of the filters' district,
    place and topic."""
    stmt = stmt.where(day_of(SurveyCall.called_at).between(f.start, f.end))
    if f.district_id or f.place_id or f.category_id:
        any_day = replace(f, start=date(1900, 1, 1), end=date(2999, 12, 31))
        stmt = stmt.where(or_(SurveyCall.appeal_id.in_(appeal_filter(select(Appeal.id), any_day)),
                              SurveyCall.consultation_id.in_(_of_district_place_topic(select(Consultation.id), f, Consultation))))
    return scoped(stmt, SurveyCall)


def _satisfaction_columns():
    answered = and_(SurveyCall.outcome == CallOutcome.reached, SurveyCall.satisfaction.is_not(None))
    return (
        func.count().label("calls"),
        func.sum(case((SurveyCall.outcome == CallOutcome.reached, 1), else_=0)).label("reached"),
        func.sum(case((answered, 1), else_=0)).label("answered"),
        func.sum(case((and_(answered, SurveyCall.satisfaction >= SATISFIED_FROM), 1), else_=0)).label("satisfied"),
        func.avg(case((answered, SurveyCall.satisfaction), else_=None)).label("mean"),
    )


def _satisfaction_row(key, calls, reached, answered, satisfied, mean):
    answered = answered or 0
    return {
        "key": key, "calls": calls or 0, "reached": reached or 0, "answered": answered,
        "satisfied_share": round(100.0 * (satisfied or 0) / answered, 1) if answered else None,
        "mean": round(float(mean), 2) if mean is not None else None,
        "response_rate": round(100.0 * (reached or 0) / calls, 1) if calls else None,
    }


def satisfaction_by_month(f: Filters) -> list[dict]:
    month = month_of(SurveyCall.called_at).label("month")
    rows = db.session.execute(_call_filter(select(month, *_satisfaction_columns()), f).group_by(month).order_by(month)).all()
    return [_satisfaction_row(*r) for r in rows]


def satisfaction_by_district(f: Filters) -> list[dict]:
    """By the district of the appeal or of the consultation the call was about."""
    district = func.coalesce(Appeal.district_id, Consultation.district_id).label("district_id")
    rows = db.session.execute(
        _call_filter(select(district, *_satisfaction_columns()).select_from(SurveyCall)
                     .outerjoin(Appeal, Appeal.id == SurveyCall.appeal_id)
                     .outerjoin(Consultation, Consultation.id == SurveyCall.consultation_id), f)
        .group_by(district)
    ).all()
    districts = {d.id: d for d in db.session.execute(select(District)).scalars()}
    return sorted((_satisfaction_row(districts[r[0]], *r[1:]) for r in rows if r[0] in districts),
                  key=lambda r: r["key"].kato)


def satisfaction_by_department(f: Filters, min_answers: int) -> list[dict]:
    """By the department of the official asked for (calls about an appeal);
    a unit with fewer than ``min_answers`` answers is listed without a
    ranking value."""
    rows = db.session.execute(
        _call_filter(
            select(Official.department_id, *_satisfaction_columns())
            .join(Appeal, Appeal.id == SurveyCall.appeal_id).join(Official, Official.id == Appeal.official_id), f
        ).group_by(Official.department_id)
    ).all()
    deps = {d.id: d for d in db.session.execute(select(Department)).scalars()}
    out = [_satisfaction_row(deps[r[0]], *r[1:]) for r in rows]
    for row in out:
        row["ranked"] = row["answered"] >= min_answers
    return sorted(out, key=lambda r: (not r["ranked"], -(r["satisfied_share"] or 0), str(r["key"])))


# --- deadline compliance ----------------------------------------------------------
def _on_time(today: date):
    """Answered (``Appeal.answered_on``: the first answering event) within the term."""
    return and_(Appeal.answered_on.is_not(None), Appeal.answered_on <= Appeal.due_on)


def _late(today: date):
    """Answered after the term, or still unanswered past it."""
    return or_(and_(Appeal.answered_on.is_not(None), Appeal.answered_on > Appeal.due_on),
               and_(Appeal.answered_on.is_(None), Appeal.due_on < today))


def compliance_by_month(f: Filters, today: date) -> list[dict]:
    """Answered on time vs late by month of registration; appeals still
    waiting past their term count as late; those still within it as pending."""
    month = month_of(Appeal.registered_on).label("month")
    on_time, late = _on_time(today), _late(today)
    rows = db.session.execute(
        appeal_filter(
            select(month, func.sum(case((on_time, 1), else_=0)), func.sum(case((late, 1), else_=0)), func.count()), f
        ).group_by(month).order_by(month)
    ).all()
    out = []
    for m, ok, bad, total in rows:
        ok, bad = ok or 0, bad or 0
        out.append({"key": m, "on_time": ok, "late": bad, "pending": total - ok - bad,
                    "on_time_share": round(100.0 * ok / (ok + bad), 1) if ok + bad else None})
    return out


def compliance_by_department(f: Filters, today: date) -> list[dict]:
    on_time, late = _on_time(today), _late(today)
    overdue_now = and_(Appeal.status.in_([s.value for s in TERM_RUNNING_STATUSES]), Appeal.due_on < today)
    rows = db.session.execute(
        appeal_filter(
            select(Official.department_id, func.sum(case((on_time, 1), else_=0)), func.sum(case((late, 1), else_=0)),
                   func.sum(case((overdue_now, 1), else_=0)))
            .join(Official, Official.id == Appeal.official_id), f
        ).group_by(Official.department_id)
    ).all()
    deps = {d.id: d for d in db.session.execute(select(Department)).scalars()}
    out = [{"key": deps[d], "on_time": ok or 0, "late": bad or 0, "overdue_now": od or 0,
            "on_time_share": round(100.0 * (ok or 0) / ((ok or 0) + (bad or 0)), 1) if (ok or 0) + (bad or 0) else None}
           for d, ok, bad, od in rows]
    return sorted(out, key=lambda r: (-r["late"], str(r["key"])))


def outcomes(f: Filters) -> dict[str, list[tuple[Any, int]]]:
    """Extensions by kind, refusals by ground, returns and left without consideration."""
    ext = db.session.execute(
        scoped(
            select(AppealEvent.rule, func.count()).join(Appeal, Appeal.id == AppealEvent.appeal_id)
            .where(AppealEvent.action == "extend", Appeal.registered_on.between(f.start, f.end)), AppealEvent
        ).group_by(AppealEvent.rule).order_by(AppealEvent.rule)
    ).all()
    # refusals by ground and the other endings: one pass over the period
    grounds, ends = [], []
    for status, ground, n in db.session.execute(
        appeal_filter(select(Appeal.status, Appeal.refusal_ground, func.count()).where(
            Appeal.status.in_([AppealStatus.refused, AppealStatus.returned, AppealStatus.left_without_consideration])), f)
        .group_by(Appeal.status, Appeal.refusal_ground).order_by(Appeal.status, Appeal.refusal_ground)
    ).all():
        if status == AppealStatus.refused:
            grounds.append((ground, n))
        else:
            ends.append((status, n))
    return {"extensions": [(r, n) for r, n in ext], "refusals": grounds, "ends": ends}


# --- volumes -----------------------------------------------------------------
def volume(f: Filters, by: str) -> list[tuple[Any, int]]:
    if by == "channel":
        key = Appeal.channel
        stmt = select(key, func.count())
    elif by == "section":
        key = section_of_category()
        stmt = select(key, func.count()).select_from(Appeal).join(Category, Category.id == Appeal.category_id)
    elif by == "month":
        key = month_of(Appeal.registered_on)
        stmt = select(key, func.count())
    elif by == "place":
        key = Appeal.reception_place_id
        stmt = select(key, func.count())
    else:
        raise ValueError(by)
    rows = db.session.execute(appeal_filter(stmt, f).group_by(key).order_by(key)).all()
    if by == "section":
        names = {c.code: c for c in db.session.execute(select(Category).where(Category.parent_id.is_(None))).scalars()}
        return [(names.get(k, k), n) for k, n in rows]
    if by == "place":
        places = {p.id: p for p in db.session.execute(select(ReceptionPlace)).scalars()}
        return [(places.get(k, k), n) for k, n in rows]
    return [(k, n) for k, n in rows]


def kpis(f: Filters, today: date) -> dict:
    month_start = today.replace(day=1)
    this_month = db.session.execute(
        scoped(select(func.count()).where(Appeal.registered_on.between(month_start, today)), Appeal)
    ).scalar_one()
    overdue = db.session.execute(
        scoped(select(func.count()).where(Appeal.status.in_([s.value for s in TERM_RUNNING_STATUSES]),
                                          Appeal.due_on < today), Appeal)
    ).scalar_one()
    comp = compliance_by_month(f, today)
    ok, bad = sum(r["on_time"] for r in comp), sum(r["late"] for r in comp)
    sat = satisfaction_by_month(f)
    answered = sum(r["answered"] for r in sat)
    satisfied = sum(round((r["satisfied_share"] or 0) * r["answered"] / 100) for r in sat)
    return {
        "this_month": this_month, "overdue": overdue,
        "on_time_share": round(100.0 * ok / (ok + bad), 1) if ok + bad else None,
        "satisfied_share": round(100.0 * satisfied / answered, 1) if answered else None,
        "answered": answered,
    }

