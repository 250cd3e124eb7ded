"""Audit of every change, in the same transaction as the change.

One ``after_flush`` listener on every SQLAlchemy session: for each object
the flush inserted, updated or deleted it writes an ``audit_log`` row —
who (the logged-in user), from which IP, which table and id, and for
updates each changed field with its old and new value. The rows are
inserted on the flush's own connection, so they commit or roll back with
the change itself.
"""
from __future__ import annotations

import datetime as dt
import decimal
import enum

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from app.models.audit import AuditLog

# Changes to these drop the cached chart aggregates.
ANALYTICS_TABLES = {"appeal", "appeal_event", "survey_call", "district", "category"}
# Never audited: the audit itself and a pure counter.
SKIP_TABLES = {"audit_log", "reg_counter", "ab_permission_view_role", "job", "notification", "user_session"}
# Bookkeeping fields whose change alone is not worth a row.
NOISE_FIELDS = {"last_login", "login_count", "fail_login_count", "changed_on", "changed_by_fk"}
# Never written to the log in clear.
SECRET_FIELDS = {"password", "api_key", "key_hash"}


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (dict, list)):
        return value
    return str(value)


def _columns(obj):
    return inspect(obj).mapper.column_attrs


def _snapshot(obj) -> dict:
    out = {}
    for attr in _columns(obj):
        if attr.key in SECRET_FIELDS:
            out[attr.key] = "***"
        else:
            out[attr.key] = _plain(getattr(obj, attr.key, None))
    return out


def _diff(obj) -> dict:
    state = inspect(obj)
    out = {}
    for attr in _columns(obj):
        hist = state.attrs[attr.key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if _plain(old) == _plain(new):
            continue
        if attr.key in SECRET_FIELDS:
            old, new = "***", "***"
        out[attr.key] = [_plain(old), _plain(new)]
    return out


def _actor() -> tuple[int | None, str | None]:
    try:
        from flask import g, has_request_context, request

        if not has_request_context():
            return None, None
        user = getattr(g, "user", None)
        user_id = getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None
        return user_id, request.remote_addr
    except Exception:  # outside Flask (scripts): no actor
        return None, None


def _pk(obj):
    # after_flush runs before new rows get their identity key; the primary
    # key attribute itself is already filled in by the INSERT.
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    if len(key) == 1 and isinstance(key[0], int):
        return key[0]
    return None


@event.listens_for(Session, "after_flush")
def _audit_after_flush(session, flush_context):
    rows = []
    now = dt.datetime.utcnow()
    user_id, ip = _actor()
    for operation, objects in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            table = getattr(obj, "__tablename__", None)
            if table is None or table in SKIP_TABLES:
                continue
            if operation == "update":
                if not session.is_modified(obj, include_collections=False):
                    continue
                changes = _diff(obj)
                if not changes or set(changes) <= NOISE_FIELDS:
                    continue
            elif operation == "create":
                changes = {k: [None, v] for k, v in _snapshot(obj).items() if v is not None}
            else:
                changes = {k: [v, None] for k, v in _snapshot(obj).items() if v is not None}
            rows.append(
                {"at": now, "user_id": user_id, "ip": ip, "operation": operation,
                 "table_name": table, "record_id": _pk(obj), "changes": changes}
            )
    if rows:
        session.connection().execute(insert(AuditLog.__table__), rows)
        if any(r["table_name"] in ANALYTICS_TABLES for r in rows):
            from app.services.analytics import invalidate

            invalidate()


def record_created(session, table: str, rows: list[dict]) -> None:
    """Audit rows for records inserted in bulk (the importer bypasses the
    flush for speed): the same shape as a flush writes, on the session's
    connection, so they commit or roll back with the records."""
    if not rows:
        return
    now = dt.datetime.utcnow()
    user_id, ip = _actor()
    plain_types = (str, int, float, bool)

    def changes(row: dict) -> dict:
        return {k: [None, v if type(v) in plain_types else _plain(v)] for k, v in row.items() if v is not None}

    audit = [{"at": now, "user_id": user_id, "ip": ip, "operation": "create", "table_name": table,
              "record_id": row["id"], "changes": changes(row)} for row in rows]
    if session.get_bind().dialect.name == "postgresql":
        from app.services.bulk import copy_rows

        copy_rows(AuditLog.__table__, audit)
    else:
        session.connection().execute(insert(AuditLog.__table__), audit)
    if table in ANALYTICS_TABLES:
        from app.services.analytics import invalidate

        invalidate()
