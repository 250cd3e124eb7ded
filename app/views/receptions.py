"""Rosters (reception sessions), protocols and instructions."""
from __future__ import annotations

from flask import g
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.domain.deadlines import participation_notice_due, participation_refusal_report_due, reference_note_due
from app.fab.interface import QInterface
from app.models import Instruction, MaterialsRequest, ParticipationRequest, Protocol, ProtocolEntry, ReceptionSession
from app.security.roles import can
from app.security.scope import is_writable
from app.services.calendar import working_calendar
from app.services.receptions import (
    session_queue,
    validate_instruction,
    validate_materials_request,
    validate_protocol_entry,
    validate_session,
)

from .appeals import AppealView
from .base import COMMON_LABELS, QModelView
from .feedback import form_error

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


def back_to_protocol():
    """After a decision or an instruction added from a protocol's sheet
    (its link carries ``?protocol=``): back to that sheet — the protocol of
    the record just saved, never an address taken from the request."""
    from flask import redirect, request, url_for

    from app.extensions import db

    pk = g.get("saved_pk")
    if not request.args.get("protocol") or pk is None:
        return None
    model = Instruction if request.endpoint and request.endpoint.startswith("InstructionView") else ProtocolEntry
    saved = db.session.get(model, pk)
    if saved is None:
        return None
    return redirect(url_for("ProtocolView.show", pk=saved.protocol_id) + f"#sheet-{saved.appeal_id}")


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
    edit_columns = ["text", "assignee_department", "assignee_official"]
    """Control (status, answers, the deadline) changes only by its own recorded actions (R23, R34-R35)."""
    show_columns = add_columns + ["status", "executor_answer", "executor_answered_on", "final_answer", "answered_on",
                                  "rework_count"]
    base_permissions = ["can_read", "can_write"]  # no deletion (R34-R35)
    search_columns = ["text", "status", "due_on", "assignee_department"]
    lookups = {"appeal": "appeal", "protocol": "protocol"}
    add_prefill_args = ("protocol", "appeal")  # "Add an instruction" on the protocol's sheet
    show_template = "qabyldau/instruction_show.html"

    def post_add_redirect(self):
        return back_to_protocol() or super().post_add_redirect()

    def pre_add(self, item):
        form_error(validate_instruction, item)

    def render_template(self, template, **kwargs):
        if template == self.show_template and "pk" in kwargs:
            kwargs["can_write"] = (self.appbuilder.sm.has_access("can_write", "Instruction")
                                   and is_writable(Instruction, kwargs["pk"]))
            kwargs["instruction"] = self.datamodel.get(kwargs["pk"])
            kwargs["may_control"] = can(g.user, "control_instructions")
        return super().render_template(template, **kwargs)

    label_columns = {
        "protocol": _l("Protocol"),
        "appeal": _l("Appeal"),
        "text": _l("Instruction"),
        "assignee_department": _l("Assigned to (body)"),
        "assignee_official": _l("Assigned to (official)"),
        "due_on": _l("Deadline"),
        "status": _l("Control"),
        "executor_answer": _l("The executor's answer (R34)"),
        "executor_answered_on": _l("Executor answered on"),
        "final_answer": _l("Final motivated answer (R35)"),
        "answered_on": _l("Answered on"),
        "rework_count": _l("Sent back for rework (M5.5)"),
    }


class ProtocolEntryView(QModelView):
    """R23: the decision taken on each appeal at the reception."""

    list_title = _l("Decisions of the protocols (R23)")
    show_title = _l("Decision on an appeal")
    add_title = _l("Record the decision on an appeal")
    edit_title = _l("Edit the decision")
    datamodel = QInterface(ProtocolEntry, eager=("protocol", "appeal"))
    class_permission_name = "Protocol"
    base_permissions = ["can_read", "can_write"]  # no deletion: a closed appeal rests on it
    base_order = ("id", "desc")
    list_columns = ["protocol", "appeal", "decision"]
    add_columns = ["protocol", "appeal", "decision"]
    edit_columns = ["decision"]
    show_columns = list_columns
    search_columns = ["protocol", "decision"]
    lookups = {"appeal": "appeal", "protocol": "protocol"}
    add_prefill_args = ("protocol", "appeal")  # "Record the decision" on the protocol's sheet
    label_columns = {"protocol": _l("Protocol"), "appeal": _l("Appeal"), "decision": _l("Decision taken")}

    def post_add_redirect(self):
        return back_to_protocol() or super().post_add_redirect()

    def pre_add(self, item):
        form_error(validate_protocol_entry, item)

    def pre_update(self, item):
        form_error(validate_protocol_entry, item)


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
    # its decisions and instructions are on the work sheet (protocol_show.html), not in FAB's related lists
    lookups = {"session": "held_session"}  # a held reception, never a cancelled or future one
    show_template = "qabyldau/protocol_show.html"
    method_permission_name = {**QModelView.method_permission_name, "print_sheet": "read"}

    @expose("/print/<pk>", methods=["GET"])
    @has_access
    def print_sheet(self, pk):
        """The protocol on paper: the session, every appeal with its decision
        and instructions, the official's signature (R23, R34)."""
        from flask import render_template

        from app.security.scope import get_visible_or_404
        from app.services.clock import now_local
        from app.services.receptions import protocol_sheet

        protocol = get_visible_or_404(Protocol, pk)
        return render_template("qabyldau/protocol_print.html", protocol=protocol, sheet=protocol_sheet(protocol),
                               printed_at=now_local().strftime("%d.%m.%Y %H:%M"), printed_by=str(g.user))

    def render_template(self, template, **kwargs):
        if template == self.show_template and "pk" in kwargs:
            from app.services.receptions import protocol_sheet

            protocol = self.datamodel.get(kwargs["pk"], self._base_filters)
            sheet = protocol_sheet(protocol) if protocol is not None else None
            if sheet is not None:
                sm = self.appbuilder.sm
                sheet["may_write"] = sm.has_access("can_write", "Protocol") and is_writable(Protocol, protocol.id)
                sheet["may_write_instructions"] = sm.has_access("can_write", "Instruction") and sheet["may_write"]
            kwargs["sheet"] = sheet
        return super().render_template(template, **kwargs)

    def _get_add_widget(self, form, exclude_cols=None, widgets=None):
        """The next protocol number of the year is offered: typed by hand, two
        clerks gave the same one."""
        from flask import request

        from app.services.receptions import next_protocol_number

        if request.method == "GET" and not form.number.data:
            form.number.data = next_protocol_number()
        return super()._get_add_widget(form, exclude_cols=exclude_cols, widgets=widgets)

    def pre_add(self, item):
        """The protocol names who drew it up (the logged-in user)."""
        from flask import g

        item.created_by_id = getattr(getattr(g, "user", None), "id", None)


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
    show_template = "qabyldau/session_show.html"
    add_form_extra_fields = {}

    def _check(self, item):
        form_error(validate_session, item)

    def pre_add(self, item):
        self._check(item)

    def pre_update(self, item):
        self._check(item)

    def render_template(self, template, **kwargs):
        if template == self.show_template and "pk" in kwargs:
            session = self.datamodel.get(kwargs["pk"])
            if session is not None:
                kwargs["queue"] = session_queue(session.id)
                kwargs["can_write"] = self.appbuilder.sm.has_access("can_write", "ReceptionSession")
                kwargs["reference_note_due"] = reference_note_due(session.day, working_calendar()).due
        return super().render_template(template, **kwargs)


def _materials_term(value: tuple) -> Markup:
    """R31: overdue requests stand out in the list."""
    from app.domain.receptions import materials_term
    from app.services.clock import today

    due_on, answered_on = value
    state = materials_term(due_on, answered_on, today())
    text = {"answered": _l("Answered"), "overdue": _l("Overdue"), "open": _l("Awaiting the answer")}[state]
    css = {"answered": "text-success", "overdue": "text-danger", "open": ""}[state]
    return Markup('<span class="{}">{}</span>').format(css, text)


class MaterialsRequestView(QModelView):
    """R31: binding requests for materials to structural units; overdue ones visible."""

    datamodel = QInterface(MaterialsRequest, eager=("appeal", "department"))
    datamodel.computed_columns = {"term": ("due_on", "answered_on")}
    class_permission_name = "Appeal"
    base_permissions = ["can_read", "can_write"]  # a request is never deleted
    list_title = _l("Requests for materials (R31)")
    show_title = _l("Request for materials")
    add_title = _l("Request materials from a unit")
    edit_title = _l("Record the answer")
    base_order = ("due_on", "asc")
    list_columns = ["appeal", "department", "subject", "requested_on", "due_on", "term", "answered_on"]
    add_columns = ["appeal", "department", "subject", "requested_on", "due_on"]
    edit_columns = ["answered_on", "answer"]
    show_columns = ["appeal", "department", "subject", "requested_on", "due_on", "term", "answered_on", "answer"]
    search_columns = ["department", "requested_on", "due_on", "answered_on"]
    lookups = {"appeal": "appeal"}
    label_columns = {
        "appeal": _l("Appeal"), "department": _l("Addressee (structural unit)"), "subject": _l("Materials requested"),
        "requested_on": _l("Requested on"), "due_on": _l("Due on"), "term": _l("Term"),
        "answered_on": _l("Answered on"), "answer": _l("Answer"),
    }
    formatters_columns = {"term": _materials_term}

    def pre_add(self, item):
        form_error(validate_materials_request, item)

    def pre_update(self, item):
        form_error(validate_materials_request, item)


def _term_end(term, start: tuple) -> str:
    """The last day of an R19/R20 term counted from ``start`` on the working calendar."""
    (day,) = start
    return term(day, working_calendar()).due.strftime("%d.%m.%Y") if day else "—"


class ParticipationRequestView(QModelView):
    """R18-R20: other bodies asked to take part in a reception."""

    datamodel = QInterface(ParticipationRequest, eager=("appeal", "department"))
    datamodel.computed_columns = {"tell_term": ("requested_on",), "report_term": ("refused_on",)}
    class_permission_name = "ReceptionSession"
    list_title = _l("Participation of other bodies (R18-R20)")
    show_title = _l("Request to take part")
    add_title = _l("Ask a body to take part")
    edit_title = _l("Edit the request")
    base_order = ("requested_on", "desc")
    list_columns = ["appeal", "department", "requested_on", "tell_term", "applicant_told_on", "refused_on",
                    "report_term", "reported_on"]
    add_columns = edit_columns = ["appeal", "department", "requested_on", "applicant_told_on", "refused_on",
                                  "reported_on"]
    show_columns = list_columns
    search_columns = ["department", "requested_on", "refused_on"]
    lookups = {"appeal": "appeal"}
    label_columns = {
        "appeal": _l("Appeal"), "department": _l("Body asked to take part (R18)"),
        "requested_on": _l("Requested on"), "tell_term": _l("Tell the applicant by (R19)"),
        "applicant_told_on": _l("Applicant told on"), "refused_on": _l("The body refused on"),
        "report_term": _l("Report the refusal by (R20)"), "reported_on": _l("Reported to the Government Office on"),
    }
    formatters_columns = {
        "tell_term": lambda v: _term_end(participation_notice_due, v),
        "report_term": lambda v: _term_end(participation_refusal_report_due, v),
    }
