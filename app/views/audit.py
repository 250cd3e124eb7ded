"""The audit log: read-only, searchable by Manager and Admin."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.fab.interface import QInterface
from app.models import AuditLog

from .base import ReadOnlyModelView
from .fields import format_change_set, format_local, format_operation
from .timeline import TABLE_TITLES


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
        "at": _l("When (local time)"),
        "user": _l("Who"),
        "ip": _l("IP address"),
        "operation": _l("Operation"),
        "table_name": _l("Table"),
        "record_id": _l("Record"),
        "change_set": _l("Changes"),
    }
    formatters_columns = {"change_set": format_change_set, "at": format_local, "operation": format_operation,
                          "table_name": lambda t: str(TABLE_TITLES.get(t, t))}
