"""Aggregates for the heads' charts and dashboard, computed in SQL (GROUP BY
over indexed columns — never by loading appeals into Python), with a short
in-process cache dropped whenever appeals or survey calls change."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Optional

from sqlalchemy import Date, and_, case, cast, distinct, func, select

from app.domain.vocabulary import AppealStatus, CallOutcome
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

from . import selection as S

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
    department_id: Optional[int] = None

    def key(self) -> tuple:
        return (self.start, self.end, self.district_id, self.category_id, self.place_id, self.department_id)

    def dimensions(self) -> dict[str, int]:
        """The filters set besides the period, by name (``selection.DIMENSIONS``)."""
        values = {"district": self.district_id, "place": self.place_id, "section": self.category_id,
                  "department": self.department_id}
        return {k: v for k, v in values.items() if v}

    def previous(self) -> Filters:
        length = (self.end - self.start).days + 1
        return replace(self, start=self.start - timedelta(days=length), end=self.start - timedelta(days=1))


@dataclass
class Table:
    """What a chart shows: column titles and rows (also its CSV).

    ``links`` (per row, per cell) says what a figure counts, as drill-down
    criteria the dashboard turns into a link to the list (``None``: no link);
    ``thin`` marks the rows whose sample is too small to compare; ``areas``
    are the clickable shapes of the chart's PNG (criteria, shape, coords,
    title) and ``size`` its pixels."""

    columns: list[Any]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""
    links: list[list[Optional[dict]]] = field(default_factory=list)
    thin: list[bool] = field(default_factory=list)
    areas: list[tuple[dict, str, str, str]] = field(default_factory=list)
    size: tuple[int, int] = (0, 0)


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
    """``stmt`` limited to the appeals registered in the period, of the
    filters' district, place, section (with its subtopics) and department,
    in the user's scope — what the appeal list shows for the same filters."""
    return _of_dimensions(stmt.where(S.period(Appeal.registered_on, f.start, f.end)), f, Appeal)


def _of_dimensions(stmt, f: Filters, model):
    for name, value in f.dimensions().items():
        stmt = stmt.where(S.dimension(model, name, value))
    return scoped(stmt, model)


# --- M7.2: the problem map, heat map and rising topics --------------------------
def district_counts(f: Filters) -> list[dict]:
    """Appeals by district: total, per 10,000 residents, refused, awaiting
    the answer, overdue (M7.2)."""
    from .clock import today as local_today

    today = local_today()
    counts = appeal_filter(
        select(
            Appeal.district_id.label("district_id"),
            func.count().label("total"),
            func.sum(case((Appeal.status == AppealStatus.refused, 1), else_=0)).label("refused"),
            func.sum(case((Appeal.status.in_(S.RUNNING), 1), else_=0)).label("open"),
            func.sum(case((S.overdue_now(today), 1), else_=0)).label("overdue"),
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
                    "refused": refused or 0, "open": open_ or 0, "overdue": overdue or 0,
                    "in_filter": not f.district_id or district.id == f.district_id})
    return out


def heatmap(f: Filters) -> tuple[list[District], list[Category], dict[tuple[int, str], int]]:
    """District × category section counts (M7.1, M7.2): the districts and
    sections the filters leave in."""
    section = section_of_category().label("section")
    rows = db.session.execute(
        appeal_filter(
            select(Appeal.district_id, section, func.count()).join(Category, Category.id == Appeal.category_id), f
        ).group_by(Appeal.district_id, section)
    ).all()
    districts = select(District).order_by(District.kato)
    if f.district_id:
        districts = districts.where(District.id == f.district_id)
    sections = select(Category).where(Category.parent_id.is_(None)).order_by(Category.code)
    if f.category_id:
        code = db.session.execute(select(Category.code).where(Category.id == f.category_id)).scalar_one_or_none()
        sections = sections.where(Category.code == (code or "")[:2])
    return (db.session.execute(districts).scalars().all(), db.session.execute(sections).scalars().all(),
            {(d, s): n for d, s, n in rows})


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
    place, section and department, in the user's scope."""
    return _of_dimensions(stmt.where(S.period(SurveyCall.called_at, f.start, f.end)), f, SurveyCall)


def answered_call():
    """A call that reached the person and got a satisfaction score."""
    return and_(SurveyCall.outcome == CallOutcome.reached, SurveyCall.satisfaction.is_not(None))


def _satisfaction_columns():
    answered = answered_call()
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
        "key": key, "calls": calls or 0, "reached": reached or 0, "answered": answered, "satisfied": satisfied or 0,
        "satisfied_share": round(100.0 * (satisfied or 0) / answered, 1) if answered else None,
        "mean": round(float(mean), 2) if mean is not None else None,
        "response_rate": round(100.0 * (reached or 0) / calls, 1) if calls else None,
    }


def months_between(first: str, last: str) -> list[str]:
    """'YYYY-MM' keys from ``first`` to ``last``, both included."""
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def satisfaction_by_month(f: Filters) -> list[dict]:
    """By month of the call; a month without calls between the first and
    the last is listed with none (a gap, never a 0 %)."""
    month = month_of(SurveyCall.called_at).label("month")
    rows = db.session.execute(_call_filter(select(month, *_satisfaction_columns()), f).group_by(month).order_by(month)).all()
    found = {r[0]: _satisfaction_row(*r) for r in rows}
    if not found:
        return []
    return [found.get(m) or _satisfaction_row(m, 0, 0, 0, 0, None) for m in months_between(min(found), max(found))]


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
def _share(part: int, whole: int) -> Optional[float]:
    return round(100.0 * part / whole, 1) if whole else None


def compliance_by_month(f: Filters, today: date) -> list[dict]:
    """Answered on time vs late by month of registration; appeals still
    waiting past their term count as late; those still within it as pending."""
    month = month_of(Appeal.registered_on).label("month")
    on_time, late = S.answered_on_time(), S.term_missed(today)
    rows = db.session.execute(
        appeal_filter(
            select(month, func.sum(case((on_time, 1), else_=0)), func.sum(case((late, 1), else_=0)), func.count()), f
        ).group_by(month).order_by(month)
    ).all()
    out = []
    for m, ok, bad, total in rows:
        ok, bad = ok or 0, bad or 0
        out.append({"key": m, "on_time": ok, "late": bad, "pending": total - ok - bad,
                    "on_time_share": _share(ok, ok + bad)})
    return out


def compliance_by_department(f: Filters, today: date) -> list[dict]:
    """Per department of the official asked for: answered on time, late,
    overdue now, and the share on time of those whose term is decided (n)."""
    on_time, late = S.answered_on_time(), S.term_missed(today)
    rows = db.session.execute(
        appeal_filter(
            select(Official.department_id, func.sum(case((on_time, 1), else_=0)), func.sum(case((late, 1), else_=0)),
                   func.sum(case((S.overdue_now(today), 1), else_=0)))
            .join(Official, Official.id == Appeal.official_id), f
        ).group_by(Official.department_id)
    ).all()
    deps = {d.id: d for d in db.session.execute(select(Department)).scalars()}
    out = [{"key": deps[d], "on_time": ok or 0, "late": bad or 0, "overdue_now": od or 0, "n": (ok or 0) + (bad or 0),
            "on_time_share": _share(ok or 0, (ok or 0) + (bad or 0))}
           for d, ok, bad, od in rows]
    return sorted(out, key=lambda r: (-r["late"], str(r["key"])))


def outcomes(f: Filters) -> dict[str, list[tuple[Any, int]]]:
    """Appeals extended by kind (R30a, R30b), refused by ground, returned and
    left without consideration — of the filters."""
    ext = db.session.execute(
        appeal_filter(
            select(AppealEvent.rule, func.count(distinct(Appeal.id))).select_from(Appeal)
            .join(AppealEvent, AppealEvent.appeal_id == Appeal.id).where(AppealEvent.action == "extend"), f
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
    """The dashboard's cards, every one of the filters: appeals registered in
    the period, those of them overdue now, answered on time and late, and
    the satisfaction calls made in the period."""
    registered, overdue, ok, bad = db.session.execute(appeal_filter(select(
        func.count(), func.sum(case((S.overdue_now(today), 1), else_=0)),
        func.sum(case((S.answered_on_time(), 1), else_=0)), func.sum(case((S.term_missed(today), 1), else_=0))), f)
    ).one()
    sat = _satisfaction_row(None, *db.session.execute(_call_filter(select(*_satisfaction_columns()), f)).one())
    ok, bad = ok or 0, bad or 0
    return {
        "registered": registered or 0, "overdue": overdue or 0, "on_time": ok, "late": bad,
        "on_time_share": _share(ok, ok + bad),
        "satisfied_share": sat["satisfied_share"], "satisfied": sat["satisfied"], "answered": sat["answered"],
    }
