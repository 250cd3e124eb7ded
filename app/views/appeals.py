"""Applicants, appeals and the appeal history."""
from __future__ import annotations

from flask import g
from flask_babel import gettext, lazy_gettext as _l
from flask_appbuilder.fieldwidgets import DateTimePickerWidget
from wtforms import DateTimeField
from wtforms.validators import DataRequired, ValidationError

from app.validators import identifier_error
from app.extensions import db
from app.models import Appeal, AppealEvent, Applicant
from app.services import appeals as appeal_service
from app.services.clock import now_local
from app.services.errors import RuleViolation

from .base import COMMON_LABELS, QInterface, QModelView, ReadOnlyModelView


class IinValidator:
    """ИИН: 12 digits with a valid birth date and control digit."""

    def __init__(self, bin_: bool = False):
        self.bin = bin_

    def __call__(self, form, field):
        error = identifier_error(field.data, self.bin)
        if error is not None:
            raise ValidationError(str(error))


APPLICANT_LABELS = {
    **COMMON_LABELS,
    "full_name": _l("Full name"),
    "iin": _l("IIN"),
    "organization": _l("Organization"),
    "bin": _l("BIN"),
    "authority_document": _l("Authority document (R10)"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "privilege": _l("Privilege (R12)"),
    "foreigner": _l("Foreigner or stateless person"),
}


class ApplicantView(QModelView):
    list_title = _l("Applicants")
    show_title = _l("Applicant")
    add_title = _l("Add an applicant")
    edit_title = _l("Edit applicant")
    datamodel = QInterface(Applicant, eager=("district",))
    class_permission_name = "Applicant"
    base_order = ("id", "desc")
    list_columns = ["full_name", "kind", "organization", "district", "privilege"]
    add_columns = edit_columns = show_columns = [
        "kind", "full_name", "iin", "organization", "bin", "authority_document",
        "phone", "email", "address", "district", "privilege", "foreigner",
    ]
    search_columns = ["full_name", "iin", "organization", "kind", "district", "privilege"]
    label_columns = APPLICANT_LABELS
    validators_columns = {"iin": [IinValidator()], "bin": [IinValidator(bin_=True)]}

    def _normalize(self, item: Applicant) -> None:
        for col in ("iin", "bin", "organization", "phone", "email", "address", "authority_document"):
            value = getattr(item, col)
            setattr(item, col, value.strip() or None if isinstance(value, str) else value)

    def pre_add(self, item):
        self._normalize(item)

    def pre_update(self, item):
        self._normalize(item)


class AppealEventView(ReadOnlyModelView):
    """The append-only history of an appeal (a tab on its page)."""

    list_title = _l("Appeal history")
    show_title = _l("History event")
    datamodel = QInterface(AppealEvent, eager=("appeal", "user"))
    class_permission_name = "AppealEvent"
    base_order = ("id", "desc")
    list_columns = ["at", "appeal", "action", "from_status", "to_status", "rule", "user", "reason"]
    show_columns = list_columns + ["payload"]
    search_columns = ["at", "action", "to_status", "rule"]
    label_columns = {
        "at": _l("When (UTC)"),
        "appeal": _l("Appeal"),
        "action": _l("Action"),
        "from_status": _l("From"),
        "to_status": _l("To"),
        "rule": _l("Rule"),
        "user": _l("Who"),
        "reason": _l("Reason"),
        "payload": _l("Details"),
    }


APPEAL_LABELS = {
    **COMMON_LABELS,
    "reg_number": _l("Registration number"),
    "channel": _l("Channel (R4)"),
    "received_at": _l("Received at"),
    "registered_on": _l("Registered on"),
    "applicant": _l("Applicant"),
    "reception_place": _l("Reception place"),
    "category": _l("Category"),
    "official": _l("Official asked for"),
    "substance": _l("Substance of the question"),
    "language": _l("Language (R21)"),
    "privilege": _l("Privilege (R12)"),
    "foreigner": _l("Foreigner or stateless person (R11)"),
    "interpreter_needed": _l("Interpreter needed (R11)"),
    "video_consent": _l("Consents to a video-conference (R13)"),
    "from_reception": _l("Filed during a reception (R36)"),
    "status": _l("Status"),
    "answer_due_on": _l("Answer due (R29)"),
    "due_on": _l("Due on"),
    "session": _l("Reception session"),
    "assignee": _l("Responsible worker"),
    "refusal_ground": _l("Refusal ground (R15)"),
    "version": _l("Version"),
    "created_by": _l("Registered by"),
}


class AppealView(QModelView):
    list_title = _l("Appeals")
    show_title = _l("Appeal")
    add_title = _l("Register an appeal")
    edit_title = _l("Edit appeal")
    datamodel = QInterface(Appeal, eager=("applicant", "district", "category", "official"))
    class_permission_name = "Appeal"
    base_order = ("registered_on", "desc")
    list_columns = [
        "reg_number", "registered_on", "applicant", "district", "category", "official",
        "channel", "status", "due_on",
    ]
    add_columns = [
        "channel", "received_at", "applicant", "reception_place", "district", "category",
        "official", "substance", "language", "privilege", "foreigner", "interpreter_needed",
        "video_consent", "from_reception",
    ]
    edit_columns = [
        "applicant", "district", "category", "official", "substance", "language",
        "privilege", "foreigner", "interpreter_needed", "video_consent",
    ]
    show_fieldsets = [
        (_l("Registration"), {"fields": [
            "reg_number", "channel", "received_at", "registered_on", "reception_place",
            "created_by", "status", "answer_due_on", "due_on", "version",
        ]}),
        (_l("Applicant and question"), {"fields": [
            "applicant", "district", "category", "official", "substance", "language",
            "privilege", "foreigner", "interpreter_needed", "video_consent", "from_reception",
        ]}),
        (_l("Review"), {"fields": ["assignee", "session", "refusal_ground"]}),
    ]
    search_columns = [
        "reg_number", "substance", "status", "channel", "district", "category", "official",
        "reception_place", "registered_on", "due_on", "language", "privilege",
    ]
    label_columns = APPEAL_LABELS
    lookups = {"applicant": "applicant"}
    add_form_extra_fields = {
        "received_at": DateTimeField(
            APPEAL_LABELS["received_at"],
            format="%Y-%m-%d %H:%M:%S",
            default=lambda: now_local().replace(second=0, microsecond=0),
            widget=DateTimePickerWidget(),
            validators=[DataRequired()],
            description=_l("Local time (Asia/Almaty). After 18:30 or on a day off the appeal is registered the next working day (R25)."),
        ),
    }
    related_views = [AppealEventView]
    show_template = "appbuilder/general/model/show_cascade.html"

    def pre_add(self, item: Appeal) -> None:
        user_id = getattr(g.user, "id", None) if getattr(g, "user", None) else None
        try:
            appeal_service.prepare_registration(item, user_id)
        except RuleViolation as exc:
            db.session.rollback()
            raise ValueError(gettext("%(message)s (rule %(rule)s)", message=str(exc.message), rule=exc.rule))
