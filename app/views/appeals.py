"""Applicants, appeals and the appeal history."""
from __future__ import annotations

from datetime import timedelta

from flask import abort, g, redirect, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.fieldwidgets import DateTimePickerWidget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import DateTimeField, HiddenField
from wtforms.validators import DataRequired, ValidationError

from app.domain.vocabulary import TERM_RUNNING_STATUSES, AppealStatus
from app.extensions import db
from app.fab.interface import QInterface
from app.fab.permissions import METHOD_PERMISSIONS
from app.models import Appeal, AppealEvent, Applicant
from app.security.privacy import PERSONAL_COLUMNS, personal, present_payload
from app.security.roles import can
from app.security.scope import current_user, is_writable, may_use_place, own_place_only, place_of
from app.services import appeals as appeal_service
from app.services.appeal_overview import overview
from app.services.applicants import normalize
from app.services.calendar import working_calendar
from app.services.clock import now_local, today
from app.services.errors import Conflict
from app.validators import identifier_error

from .base import COMMON_LABELS, QModelView, ReadOnlyModelView
from .feedback import form_error
from .fields import format_local, format_plain
from .workflow_forms import EVENT_LABELS, event_label


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
    list_column_choices = [*list_columns, "iin", "bin", "phone", "email", "address"]  # personal: to roles that see them
    export_columns = list_columns + ["iin", "bin", "phone", "email", "address"]
    add_columns = edit_columns = show_columns = [
        "kind", "full_name", "iin", "organization", "bin", "authority_document",
        "phone", "email", "address", "district", "privilege", "foreigner",
    ]
    search_columns = ["full_name", "iin", "organization", "kind", "district", "privilege"]
    label_columns = APPLICANT_LABELS
    validators_columns = {"iin": [IinValidator()], "bin": [IinValidator(bin_=True)]}

    formatters_columns = {
        field: (lambda v, _f=field: format_plain(personal(v, _f))) for field in PERSONAL_COLUMNS["applicant"]
    }

    def pre_add(self, item):
        form_error(normalize, item)  # R10 refused with its rule above the form
        user = current_user()
        if user is not None and own_place_only(user) is not None:
            item.registered_place_id = place_of(user)

    def pre_update(self, item):
        form_error(normalize, item)


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
        "at": _l("When"),
        "appeal": _l("Appeal"),
        "action": _l("Action"),
        "from_status": _l("From"),
        "to_status": _l("To"),
        "rule": _l("Rule"),
        "user": _l("Who"),
        "reason": _l("Reason"),
        "payload": _l("Details"),
    }
    formatters_columns = {"payload": lambda v: format_plain(present_payload(v)), "at": format_local,
                          "action": event_label}


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
    "deadline": _l("Working days left"),
}


def format_deadline(value) -> Markup:
    """Working days left to the current term, coloured: overdue (red),
    2 working days or fewer (amber); blank when no term runs."""
    status, due_on = value
    if due_on is None or (status not in TERM_RUNNING_STATUSES and status != AppealStatus.correction_requested):
        return Markup("")
    left = working_calendar().working_days_between(today(), due_on)
    if left < 0:
        return Markup('<span class="label label-danger">%s</span>') % gettext("overdue by %(n)s", n=-left)
    css = "label-warning" if left <= 2 else "label-success"
    return Markup('<span class="label %s">%s</span>') % (css, left)


class OwnPlaceFilter(BaseFilter):
    """The reception places a user may register at (all, for a Manager)."""

    name = "own place"
    arg_name = "q_own_place"

    def apply(self, query, value):
        place_id = own_place_only()
        return query if place_id is None else query.filter(self.model.id == place_id)


class FilterOverdue(BaseFilter):
    name = _l("Overdue")
    arg_name = "q_overdue"

    def apply(self, query, value):
        return query.filter(Appeal.status.in_(list(TERM_RUNNING_STATUSES)), Appeal.due_on < today())


class FilterDueThisWeek(BaseFilter):
    name = _l("Due this week")
    arg_name = "q_due_week"

    def apply(self, query, value):
        now = today()
        sunday = now + timedelta(days=6 - now.weekday())
        return query.filter(Appeal.status.in_(list(TERM_RUNNING_STATUSES)), Appeal.due_on.between(now, sunday))


class FilterAwaitingHearing(BaseFilter):
    name = _l("Awaiting the hearing")
    arg_name = "q_hearing"

    def apply(self, query, value):
        return query.filter(Appeal.status == AppealStatus.refusal_proposed, Appeal.hearing_recorded_on.is_(None))


class FilterCorrectionTermOver(BaseFilter):
    name = _l("Correction term over")
    arg_name = "q_correction_over"

    def apply(self, query, value):
        return query.filter(Appeal.status == AppealStatus.correction_requested, Appeal.correction_fix_by < today())


class FilterAssignedToMe(BaseFilter):
    """"My work": the appeals assigned to the user (R37 assignments)."""

    name = _l("Assigned to me")
    arg_name = "q_mine"

    def apply(self, query, value):
        user = current_user()
        return query.filter(Appeal.assignee_id == (user.id if user is not None else -1))


QUICK_FILTERS = [
    ("status", FilterAssignedToMe),
    ("due_on", FilterOverdue), ("due_on", FilterDueThisWeek),
    ("status", FilterAwaitingHearing), ("status", FilterCorrectionTermOver),
]


class AppealView(QModelView):
    list_title = _l("Appeals")
    show_title = _l("Appeal")
    add_title = _l("Register an appeal")
    edit_title = _l("Edit appeal")
    datamodel = QInterface(Appeal, eager=("applicant", "district", "category", "official"),
                           text_search=("substance",),
                           show_eager=("applicant", "district", "category", "official", "reception_place",
                                       "session", "created_by", "assignee"))
    datamodel.computed_columns = {"deadline": ("status", "due_on")}
    class_permission_name = "Appeal"
    base_order = ("registered_on", "desc")
    list_columns = [
        "reg_number", "registered_on", "applicant", "district", "category", "official",
        "channel", "status", "due_on", "deadline",
    ]
    # what fits 1366 px; each user may show the others (``ListPreferences``)
    default_list_columns = ["reg_number", "registered_on", "applicant", "category", "official", "status",
                            "due_on", "deadline"]
    list_column_choices = [
        "reg_number", "received_at", "registered_on", "applicant", "district", "category", "official", "channel",
        "reception_place", "language", "privilege", "status", "assignee", "answer_due_on", "due_on", "deadline",
    ]
    search_filters = {
        "due_on": [FilterOverdue("due_on", datamodel), FilterDueThisWeek("due_on", datamodel)],
        "status": [FilterAwaitingHearing("status", datamodel), FilterCorrectionTermOver("status", datamodel),
                   FilterAssignedToMe("status", datamodel)],
    }
    order_columns = ["reg_number", "registered_on", "channel", "status", "due_on"]
    method_permission_name = {**METHOD_PERMISSIONS, "bulk_extend": "write", "bulk_withdraw": "write"}
    list_template = "qabyldau/appeal_list.html"
    show_template = "qabyldau/appeal_show.html"
    add_columns = [
        "channel", "received_at", "applicant", "reception_place", "district", "category",
        "official", "substance", "language", "privilege", "foreigner", "interpreter_needed",
        "video_consent", "from_reception",
    ]
    edit_columns = [
        "applicant", "district", "category", "official", "substance", "language",
        "privilege", "foreigner", "interpreter_needed", "video_consent", "expected_version",
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

    edit_form_extra_fields = {"expected_version": HiddenField()}

    def prefill_form(self, form, pk):
        form.expected_version.data = self.datamodel.get(pk).version

    def pre_update(self, item: Appeal) -> None:
        """Optimistic lock for the edit form: the version the user saw must
        still be the current one, or nothing is saved."""
        try:
            appeal_service.check_version(item, getattr(item, "expected_version", None))
        except Conflict:
            db.session.rollback()
            raise ValueError(gettext("The appeal was changed by someone else: reload it and try again.")) from None
        form_error(appeal_service.check_references, item)

    add_form_query_rel_fields = {"reception_place": [["id", OwnPlaceFilter, lambda: None]]}

    def pre_add(self, item: Appeal) -> None:
        if not may_use_place(item.reception_place_id or getattr(item.reception_place, "id", None)):
            raise ValueError(gettext("You may register appeals only at your own reception place."))
        user_id = getattr(g.user, "id", None) if getattr(g, "user", None) else None
        form_error(appeal_service.prepare_registration, item, user_id)

    def post_add(self, item: Appeal) -> None:
        """R25, R29: the clerk sees what was created — its number, day and term."""
        super().post_add(item)
        g.saved_message = gettext(
            "Appeal %(number)s registered on %(day)s; the answer is due by %(due)s (R29).",
            number=item.reg_number, day=item.registered_on.strftime("%d.%m.%Y"),
            due=item.answer_due_on.strftime("%d.%m.%Y"))

    formatters_columns = {"deadline": format_deadline}

    def _init_properties(self):
        super()._init_properties()
        # FAB's ModelView (unlike its REST API) ignores ``search_filters``.
        self._filters = self.datamodel.get_filters(self.search_columns, self.search_filters)

    def quick_filters(self) -> list[tuple[object, str]]:
        """(label, list URL) for the deadline filters above the list."""
        out = []
        search = self._filters.get_search_filters()
        mine = can(current_user(), "assignee")
        for col, cls in QUICK_FILTERS:
            if cls is FilterAssignedToMe and not mine:
                continue
            idx = next(i for i, f in enumerate(search.get(col, [])) if isinstance(f, cls))
            out.append((cls.name, url_for("AppealView.list", **{f"_flt_{idx}_{col}": "1"})))
        return out

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            kwargs.setdefault("quick_filters", self.quick_filters())
        return super().render_template(template, **kwargs)

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        appeal = self.datamodel.get(pk, self._base_filters)  # within the user's scope, as FAB's page
        if appeal is None:
            abort(404)
        widgets = self._show(pk)
        return self.render_template(
            self.show_template, pk=pk, title=self.show_title, widgets=widgets,
            related_views=self._related_views, info=overview(appeal),
            can_act=self.appbuilder.sm.has_access("can_write", "Appeal") and is_writable(Appeal, appeal.id),
            can_assign=can(g.user, "assign"),
            action_labels=EVENT_LABELS,
            letter_labels=LETTER_LABELS,
        )

    @action("bulk_extend", _l("Extend the term"), icon="fa-clock-o", single=False)
    def bulk_extend(self, items):
        ids = ",".join(str(i.id) for i in (items if isinstance(items, list) else [items]))
        return redirect(url_for("AppealWorkflowView.bulk", action="extend", ids=ids))

    @action("bulk_withdraw", _l("Withdrawal accepted"), icon="fa-undo", single=False)
    def bulk_withdraw(self, items):
        ids = ",".join(str(i.id) for i in (items if isinstance(items, list) else [items]))
        return redirect(url_for("AppealWorkflowView.bulk", action="withdraw", ids=ids))


LETTER_LABELS = {
    "correction": _l("Request to fix the appeal"),
    "extension": _l("Extension of the term"),
    "draft-refusal": _l("Draft decision: hearing"),
    "refusal": _l("Refusal of registration for the reception"),
    "left-without-consideration": _l("Appeal left without consideration"),
    "answer": _l("Invitation to a personal reception"),
}
