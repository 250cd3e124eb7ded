"""R25 part 3: the daily protocol of the oral and phone appeals received at
a reception place — in the user's scope, printable."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.domain.vocabulary import ORAL_PROTOCOL_CHANNELS
from app.extensions import db
from app.models import Appeal
from app.security.scope import scoped


def oral_protocol(place_id: int, day: date) -> list[Appeal]:
    """The oral and phone appeals received at ``place_id`` on the local
    ``day``, in the order they came in (only those the user may see)."""
    start = datetime.combine(day, time.min)
    stmt = (
        select(Appeal)
        .where(Appeal.reception_place_id == place_id, Appeal.channel.in_([c.value for c in ORAL_PROTOCOL_CHANNELS]),
               Appeal.received_at >= start, Appeal.received_at < start + timedelta(days=1))
        .options(selectinload(Appeal.applicant), selectinload(Appeal.official), selectinload(Appeal.created_by),
                 selectinload(Appeal.category))
        .order_by(Appeal.received_at, Appeal.id)
    )
    return db.session.execute(scoped(stmt, Appeal)).scalars().all()
