"""R38: satisfaction survey calls."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import SurveyCall

from .base import QInterface, QModelView


class SurveyCallView(QModelView):
    list_title = _l("Survey calls")
    show_title = _l("Survey call")
    add_title = _l("Record a survey call")
    edit_title = _l("Edit survey call")
    datamodel = QInterface(SurveyCall, eager=("applicant", "appeal", "caller"))
    class_permission_name = "SurveyCall"
    base_order = ("called_at", "desc")
    list_columns = ["called_at", "applicant", "appeal", "caller", "outcome", "satisfaction", "resolved"]
    add_columns = edit_columns = [
        "applicant", "appeal", "called_at", "outcome", "satisfaction", "resolved", "politeness",
        "clarity", "comment",
    ]
    show_columns = add_columns + ["caller"]
    lookups = {"applicant": "applicant", "appeal": "appeal"}
    search_columns = ["called_at", "outcome", "satisfaction", "resolved", "comment"]
    label_columns = {
        "called_at": _l("Called at"),
        "applicant": _l("Applicant"),
        "appeal": _l("Appeal"),
        "caller": _l("Caller"),
        "outcome": _l("Outcome"),
        "satisfaction": _l("Satisfaction (1-5)"),
        "resolved": _l("Was the question resolved"),
        "politeness": _l("Politeness (0-2)"),
        "clarity": _l("Clarity (0-2)"),
        "comment": _l("Comment"),
    }
