"""Background jobs (rq) and in-app notifications."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from flask_appbuilder import Model
from sqlalchemy import JSON, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship


class Job(Model):
    """One background job, keyed by its rq job id: status, progress, result."""

    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'finished', 'failed')", name="ck_job_status"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="ck_job_progress"),
        Index("ix_job_user", "user_id", "created_at"),
        Index("ix_job_kind_status", "kind", "status"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200))
    """What makes two launches "the same job" (kind and parameters)."""
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)
    started_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    ended_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    result_path: Mapped[Optional[str]] = mapped_column(String(300))
    result_name: Mapped[Optional[str]] = mapped_column(String(200))
    message: Mapped[Optional[str]] = mapped_column(Text)
    error: Mapped[Optional[str]] = mapped_column(Text)

    user = relationship("User")

    def __str__(self) -> str:
        return f"{self.kind} {self.id[:8]}"


class Notification(Model):
    """An in-app reminder of a term; one per user and term, never twice."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("user_id", "term_key", name="uq_notification_user_term"),
        Index("ix_notification_user_unread", "user_id", "read_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"))
    term_key: Mapped[str] = mapped_column(String(120))
    rule: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(40))
    appeal_id: Mapped[Optional[int]] = mapped_column(ForeignKey("appeal.id", ondelete="CASCADE"))
    instruction_id: Mapped[Optional[int]] = mapped_column(ForeignKey("instruction.id", ondelete="CASCADE"))
    higher_instruction_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("higher_instruction.id", ondelete="CASCADE"))
    systemic_alert_id: Mapped[Optional[int]] = mapped_column(  # M7.1: the alert this notification announces
        ForeignKey("systemic_alert.id", ondelete="CASCADE"))
    due_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)
    read_at: Mapped[Optional[datetime]] = mapped_column(DateTime)

    appeal = relationship("Appeal")
    instruction = relationship("Instruction")
    higher_instruction = relationship("HigherInstruction")
    systemic_alert = relationship("SystemicAlert")


class UserSession(Model):
    """A browser session of a user, so that logging out ends it on the
    server: a session cookie captured before the logout no longer works."""

    __tablename__ = "user_session"
    __table_args__ = (Index("ix_user_session_user", "user_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)
    ended_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
