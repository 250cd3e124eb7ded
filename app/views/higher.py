"""M9: the register of the instructions of the President, the Presidential
Administration and the President's assistant on appeals."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.fab.interface import QInterface
from app.models import HigherInstruction
from app.services.higher import validate_higher_instruction

from .base import QModelView
from .feedback import form_error

STATE_TEXT = {
    "executed_on_time": (_l("Executed on time"), "text-success"),
    "executed_late": (_l("Executed late"), "text-warning"),
    "overdue": (_l("Overdue"), "text-danger"),
    "on_control": (_l("On control"), ""),
}


def format_execution(value: tuple) -> Markup:
    """M9: where the instruction stands; overdue ones stand out."""
    from app.domain.higher import higher_state
    from app.services.clock import today

    due_on, executed_on = value
    text, css = STATE_TEXT[higher_state(due_on, executed_on, today())]
    return Markup('<span class="{}">{}</span>').format(css, text)


class HigherInstructionView(QModelView):
    """M9: instructions of higher bodies on appeals, with terms and execution
    (the half-year account of M7.6 is ordered on the Reports page)."""

    datamodel = QInterface(HigherInstruction, eager=("department", "appeal"))
    datamodel.computed_columns = {"term": ("due_on", "executed_on")}
    class_permission_name = "HigherInstruction"
    base_permissions = ["can_read", "can_write"]  # never deleted: it leaves control only by its execution
    list_title = _l("Instructions of higher bodies (M9)")
    show_title = _l("Instruction of a higher body")
    add_title = _l("Register an instruction of a higher body")
    edit_title = _l("Edit the instruction of a higher body")
    base_order = ("due_on", "asc")
    list_columns = ["issuer", "document_ref", "issued_on", "subject", "department", "due_on", "term", "executed_on"]
    add_columns = ["issuer", "document_ref", "issued_on", "received_on", "subject", "appeal", "department", "due_on"]
    edit_columns = ["subject", "appeal", "department", "due_on", "executed_on", "report"]
    show_columns = ["issuer", "document_ref", "issued_on", "received_on", "subject", "appeal", "department",
                    "due_on", "term", "executed_on", "report"]
    search_columns = ["issuer", "document_ref", "issued_on", "received_on", "department", "due_on", "executed_on",
                      "subject"]
    lookups = {"appeal": "appeal"}
    label_columns = {
        "issuer": _l("Issued by"), "document_ref": _l("Number of the instruction"), "issued_on": _l("Issued on"),
        "received_on": _l("Received on"), "subject": _l("Content of the instruction"),
        "appeal": _l("Appeal concerned"), "department": _l("Executor"), "due_on": _l("Term"),
        "term": _l("Execution"), "executed_on": _l("Executed on"), "report": _l("Report on the execution"),
    }
    description_columns = {
        "executed_on": _l("The instruction leaves control once its execution is recorded with the report."),
    }
    formatters_columns = {"term": format_execution}

    def pre_add(self, item):
        form_error(validate_higher_instruction, item)

    def pre_update(self, item):
        form_error(validate_higher_instruction, item)
