"""The audit log: read-only, searchable by Manager and Admin."""
from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import AuditLog
from app.security.privacy import present_changes

from .base import QInterface, ReadOnlyModelView

AUDIT_LIMIT = 50


def format_changes(changes, table: str = "") -> Markup:
    """field: old → new, one per line — through the privacy presenter."""
    if not changes:
        return Markup("")
    changes = present_changes(table, changes) if isinstance(changes, dict) else changes
    lines = []
    for field, pair in sorted((changes or {}).items()):
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        lines.append(
            Markup("<code>{}</code>: {} → {}").format(
                field, escape(json.dumps(old, ensure_ascii=False)), escape(json.dumps(new, ensure_ascii=False))
            )
        )
    return Markup("<br>").join(lines)


def format_change_set(value) -> Markup:
    table, changes = value
    return format_changes(changes, table)


class AuditLogView(ReadOnlyModelView):
    datamodel = QInterface(AuditLog, eager=("user",))
    datamodel.computed_columns = {"change_set": ("table_name", "changes")}
    class_permission_name = "AuditLog"
    list_title = _l("Audit log")
    show_title = _l("Audit record")
    base_order = ("id", "desc")
    list_columns = ["at", "user", "ip", "operation", "table_name", "record_id", "change_set"]
    show_columns = list_columns
    search_columns = ["at", "user", "ip", "operation", "table_name", "record_id"]
    label_columns = {
        "at": _l("When (UTC)"),
        "user": _l("Who"),
        "ip": _l("IP address"),
        "operation": _l("Operation"),
        "table_name": _l("Table"),
        "record_id": _l("Record"),
        "change_set": _l("Changes"),
    }
    formatters_columns = {"change_set": format_change_set}


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
