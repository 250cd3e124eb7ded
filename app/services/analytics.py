"""Aggregates for the heads' overview, computed in SQL (never row by row)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select

from app.domain.vocabulary import TERM_RUNNING_STATUSES, AppealStatus
from app.extensions import db
from app.models import Appeal, District


def district_overview(start: date, end: date, today: date) -> list[dict]:
    """Appeals registered in [start, end] by district: total, per 10,000
    residents, refused, still awaiting the answer, overdue (M7.2)."""
    running = [s.value for s in TERM_RUNNING_STATUSES]
    counts = (
        select(
            Appeal.district_id.label("district_id"),
            func.count().label("total"),
            func.sum(case((Appeal.status == AppealStatus.refused, 1), else_=0)).label("refused"),
            func.sum(case((Appeal.status.in_(running), 1), else_=0)).label("open"),
            func.sum(case(((Appeal.status.in_(running)) & (Appeal.due_on < today), 1), else_=0)).label("overdue"),
        )
        .where(Appeal.registered_on.between(start, end))
        .group_by(Appeal.district_id)
        .subquery()
    )
    rows = db.session.execute(
        select(District, counts.c.total, counts.c.refused, counts.c.open, counts.c.overdue)
        .outerjoin(counts, counts.c.district_id == District.id)
        .order_by(District.kato)
    ).all()
    out = []
    for district, total, refused, open_, overdue in rows:
        total = total or 0
        per_10k = round(total * 10000 / district.population, 1) if district.population else None
        out.append(
            {
                "district": district, "total": total, "per_10k": per_10k,
                "refused": refused or 0, "open": open_ or 0, "overdue": overdue or 0,
            }
        )
    return out
