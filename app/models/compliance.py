"""The daily record of the compliance board (``app.services.compliance``):
how many cases broke each measured rule on a day, per reception place and
official, so "a week ago" and "a month ago" are what the board said then —
not a guess recomputed from rows that have moved on since."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column


class ComplianceCount(Model):
    """One measure's count on one day for one place × official (either may
    be empty: a measure with no place, or no official). ``base`` is the
    denominator of a share (R38's coverage), empty for a plain count. A
    day's rows are replaced as a whole when the snapshot is taken again."""

    __tablename__ = "compliance_count"
    __table_args__ = (Index("ix_compliance_count_measure_day", "measure", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    measure: Mapped[str] = mapped_column(String(40))
    place_id: Mapped[Optional[int]] = mapped_column(ForeignKey("reception_place.id", ondelete="CASCADE"))
    official_id: Mapped[Optional[int]] = mapped_column(ForeignKey("official.id", ondelete="CASCADE"))
    count: Mapped[int] = mapped_column(Integer, default=0)
    base: Mapped[Optional[int]] = mapped_column(Integer)
    taken_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)
