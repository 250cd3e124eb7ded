"""Rosters (reception sessions), protocols and instructions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import Instruction, Protocol, ReceptionSession

from .appeals import AppealView
from .base import COMMON_LABELS, QInterface, QModelView

SESSION_LABELS = {
    **COMMON_LABELS,
    "official": _l("Official"),
    "place": _l("Reception place"),
    "day": _l("Date"),
    "starts_at": _l("Starts at"),
    "ends_at": _l("Ends at"),
    "capacity": _l("Slots"),
    "status": _l("Status"),
    "order_ref": _l("Akim's order No. (R9)"),
    "order_date": _l("Order date (R9)"),
    "approved_by": _l("Approved by"),
    "approved_at": _l("Approved at"),
    "cancel_reason": _l("Reason for cancellation (R16)"),
    "staff_notified_at": _l("Reception staff told at (R16)"),
}


class InstructionView(QModelView):
    list_title = _l("Instructions")
    show_title = _l("Instruction")
    add_title = _l("Add an instruction")
    edit_title = _l("Edit instruction")
    datamodel = QInterface(
        Instruction, eager=("protocol", "appeal", "assignee_department", "assignee_official")
    )
    class_permission_name = "Instruction"
    base_order = ("due_on", "asc")
    list_columns = ["protocol", "appeal", "text", "assignee_department", "due_on", "status", "rework_count"]
    add_columns = ["protocol", "appeal", "text", "assignee_department", "assignee_official", "due_on"]
    edit_columns = [
        "text", "assignee_department", "assignee_official", "due_on", "status", "final_answer",
        "answered_on", "rework_count",
    ]
    show_columns = add_columns + ["status", "final_answer", "answered_on", "rework_count"]
    search_columns = ["text", "status", "due_on", "assignee_department"]
    lookups = {"appeal": "appeal", "protocol": "protocol"}
    label_columns = {
        "protocol": _l("Protocol"),
        "appeal": _l("Appeal"),
        "text": _l("Instruction"),
        "assignee_department": _l("Assigned to (body)"),
        "assignee_official": _l("Assigned to (official)"),
        "due_on": _l("Deadline"),
        "status": _l("Control"),
        "final_answer": _l("Final motivated answer (R35)"),
        "answered_on": _l("Answered on"),
        "rework_count": _l("Sent back for rework (M5.5)"),
    }


class ProtocolView(QModelView):
    list_title = _l("Protocols")
    show_title = _l("Protocol")
    add_title = _l("Draw up a protocol")
    edit_title = _l("Edit protocol")
    datamodel = QInterface(Protocol, eager=("session", "session.official", "created_by"))
    class_permission_name = "Protocol"
    base_order = ("drawn_up_on", "desc")
    list_columns = ["number", "drawn_up_on", "session", "created_by"]
    add_columns = edit_columns = ["number", "session", "drawn_up_on", "summary"]
    show_columns = ["number", "session", "drawn_up_on", "summary", "created_by"]
    search_columns = ["number", "drawn_up_on", "summary"]
    label_columns = {
        "number": _l("Protocol No."),
        "drawn_up_on": _l("Drawn up on"),
        "session": _l("Reception session"),
        "summary": _l("Summary"),
        "created_by": _l("Drawn up by"),
    }
    related_views = [InstructionView]
    lookups = {"session": "session"}


class ReceptionSessionView(QModelView):
    list_title = _l("Reception sessions (roster)")
    show_title = _l("Reception session")
    add_title = _l("Plan a reception session")
    edit_title = _l("Edit reception session")
    datamodel = QInterface(ReceptionSession, eager=("official", "place"))
    class_permission_name = "ReceptionSession"
    base_order = ("day", "desc")
    list_columns = ["day", "starts_at", "ends_at", "official", "place", "kind", "capacity", "status"]
    add_columns = edit_columns = [
        "official", "place", "day", "starts_at", "ends_at", "capacity", "kind", "order_ref",
        "order_date",
    ]
    show_columns = add_columns + [
        "status", "approved_by", "approved_at", "cancel_reason", "staff_notified_at",
    ]
    search_columns = ["day", "official", "place", "kind", "status"]
    label_columns = SESSION_LABELS
    related_views = [AppealView, ProtocolView]
