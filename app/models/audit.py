"""The audit log: every create, update and delete of every model."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from flask_appbuilder import Model
from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .appeals import AppendOnlyError


class AuditLog(Model):
    """Who changed what, when and from where; old and new values per field.

    Written in the same transaction as the change (``app/services/audit_log.py``);
    append-only: the ORM refuses to update or delete a row, PostgreSQL too
    (trigger in the migration), and no view or API offers to.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_record", "table_name", "record_id", "id"),
        Index("ix_audit_log_at", "at", "id"),
        Index("ix_audit_log_user", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    ip: Mapped[Optional[str]] = mapped_column(String(45))
    operation: Mapped[str] = mapped_column(String(10))  # create | update | delete
    table_name: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[Optional[int]] = mapped_column(Integer)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    user = relationship("User")

    @property
    def change_set(self) -> tuple:
        """(table, changes): what the log's "Changes" column presents (personal
        fields masked per table for roles that may not see them)."""
        return (self.table_name, self.changes)

    def __str__(self) -> str:
        return f"{self.operation} {self.table_name}#{self.record_id}"


@event.listens_for(AuditLog, "before_update")
def _no_audit_update(mapper, connection, target):
    raise AppendOnlyError("the audit log is append-only")


@event.listens_for(AuditLog, "before_delete")
def _no_audit_delete(mapper, connection, target):
    raise AppendOnlyError("the audit log is append-only")
