"""Systemic-problem alerts (M7.1): a week whose count of appeals of one
district on one topic is out of line with its own baseline
(``app.domain.signals``, ``app.services.alerts``)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

ALERT_STATUSES = ("open", "acknowledged")


class SystemicAlert(Model):
    """One signal: the ISO week (its Monday), the district and the topic
    (a level-2 category, its questions included), the week's count against
    the baseline. One per week × district × topic, so a scan run again
    never alerts twice. Acknowledged by the control department with a note."""

    __tablename__ = "systemic_alert"
    __table_args__ = (
        UniqueConstraint("week_start", "district_id", "category_id", name="uq_systemic_alert_week_district_topic"),
        CheckConstraint("status IN ('open', 'acknowledged')", name="ck_systemic_alert_status"),
        CheckConstraint("count >= 0 AND expected >= 0", name="ck_systemic_alert_counts"),
        Index("ix_systemic_alert_status_week", "status", "week_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    week_start: Mapped[date] = mapped_column(Date)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id", ondelete="CASCADE"))
    count: Mapped[int] = mapped_column(Integer)
    expected: Mapped[float] = mapped_column(Float)
    """The baseline mean, appeals per week."""
    baseline_weeks: Mapped[int] = mapped_column(Integer)
    dispersion: Mapped[float] = mapped_column(Float, default=1.0)
    p_value: Mapped[float] = mapped_column(Float)
    per_100k: Mapped[Optional[float]] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default="open")
    acknowledged_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    note: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)

    district = relationship("District")
    category = relationship("Category")
    acknowledged_by = relationship("User")

    def __str__(self) -> str:
        return f"{self.week_start:%d.%m.%Y} {self.district_id}/{self.category_id}"
