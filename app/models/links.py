"""Appeals linked as the same question (R15 grounds 2, 3 and 5 rest on an
earlier decision on it; R37 keeps the employees who handled a linked appeal
off the later one). A link is kept in one row per pair, the smaller id
first; making and removing it are events of both appeals' histories."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class AppealLink(Model):
    __tablename__ = "appeal_link"
    __table_args__ = (
        UniqueConstraint("appeal_id", "linked_id", name="uq_appeal_link_pair"),
        CheckConstraint("appeal_id < linked_id", name="ck_appeal_link_order"),
        Index("ix_appeal_link_linked", "linked_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id", ondelete="CASCADE"))
    linked_id: Mapped[int] = mapped_column(ForeignKey("appeal.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)
