"""The audit trail of one record, for its page (presented by the caller
through the privacy presenter)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import AuditLog

AUDIT_LIMIT = 50
"""Audit rows shown on a record's page (the log itself has them all)."""


def audit_rows(table_name: str, record_id) -> list[AuditLog]:
    """The latest audit rows of one record (shown on its page)."""
    try:
        record_id = int(record_id)
    except (TypeError, ValueError):
        return []
    return db.session.execute(
        select(AuditLog).options(selectinload(AuditLog.user))
        .where(AuditLog.table_name == table_name, AuditLog.record_id == record_id)
        .order_by(AuditLog.id.desc()).limit(AUDIT_LIMIT)
    ).scalars().all()
