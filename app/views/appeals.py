"""Applicants, appeals and the appeal history."""
from __future__ import annotations

from flask import abort, g, redirect, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, DateTimePickerWidget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import DateTimeField, HiddenField, StringField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.validators import Optional as OptionalValidator

from app.domain.vocabulary import TERM_RUNNING_STATUSES, AppealStatus
from app.extensions import db
from app.fab.filters import with_drill_down_filters
from app.fab.interface import QInterface
from app.fab.permissions import METHOD_PERMISSIONS
from app.models import Appeal, AppealEvent, Applicant
from app.security.privacy import PERSONAL_COLUMNS, personal, present_payload
from app.security.roles import can
from app.security.scope import current_user, is_writable, may_use_place, own_place_only, place_of
from app.services import appeals as appeal_service
from app.services import repeats as repeat_appeals
from app.services import similar, worklists
from app.services.appeal_overview import overview
from app.services.applicants import inline_applicant, normalize
from app.services.calendar import working_calendar
from app.services.clock import now_local, today
from app.services.errors import Conflict
from app.validators import identifier_error

from .base import COMMON_LABELS, QModelView, ReadOnlyModelView
from .feedback import form_error
from .fields import format_local, format_plain
from .lookup import LookupField
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


class WorkListFilter(BaseFilter):
    """A work list of ``app.services.worklists`` as a filter of the list:
    the rows behind the home page's count, and nothing else."""

    key = ""

    def apply(self, query, value):
        return query.filter(worklists.BY_KEY[self.key].condition(current_user()))


def _work_list_filter(key: str, arg: str) -> type[WorkListFilter]:
    spec = worklists.BY_KEY[key]
    return type(f"Filter_{key}", (WorkListFilter,), {"key": key, "name": spec.label, "arg_name": arg})


FilterAssignedToMe = _work_list_filter("mine", "q_mine")
FilterAwaitingMyDecision = _work_list_filter("decision", "q_decision")
FilterOverdue = _work_list_filter("overdue", "q_overdue")
FilterDueThisWeek = _work_list_filter("due_week", "q_due_week")
FilterAwaitingHearing = _work_list_filter("hearing", "q_hearing")
FilterCorrectionTermOver = _work_list_filter("correction", "q_correction_over")

# work list → (the list column its filter hangs on, the filter)
QUICK_FILTERS = {
    "mine": ("status", FilterAssignedToMe), "decision": ("status", FilterAwaitingMyDecision),
    "overdue": ("due_on", FilterOverdue), "due_week": ("due_on", FilterDueThisWeek),
    "hearing": ("status", FilterAwaitingHearing), "correction": ("status", FilterCorrectionTermOver),
}


NEW_APPLICANT_FIELDS = ("new_applicant_name", "new_applicant_iin", "new_applicant_phone", "new_applicant_address")


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
                   FilterAssignedToMe("status", datamodel), FilterAwaitingMyDecision("status", datamodel)],
    }
    search_filters = with_drill_down_filters(search_filters, datamodel)  # what the dashboard's figures link to
    order_columns = ["reg_number", "registered_on", "channel", "status", "due_on"]
    method_permission_name = {**METHOD_PERMISSIONS, "bulk_extend": "write", "bulk_withdraw": "write",
                              "repeats": "read", "card": "read",
                              "similar_panel": "read"}
    list_template = "qabyldau/appeal_list.html"
    show_template = "qabyldau/appeal_show.html"
    add_template = "qabyldau/appeal_add.html"
    add_columns = [
        "channel", "received_at", "applicant", *NEW_APPLICANT_FIELDS, "reception_place", "district", "category",
        "official", "substance", "language", "privilege", "foreigner", "interpreter_needed",
        "video_consent", "from_reception",
    ]
    add_fieldsets = [
        (_l("Registration"), {"fields": ["channel", "received_at", "reception_place"]}),
        (_l("Applicant"), {"fields": ["applicant"]}),
        (_l("New applicant — when the search above does not find them"),
         {"fields": list(NEW_APPLICANT_FIELDS), "expanded": True}),
        (_l("Question"), {"fields": [
            "district", "category", "official", "substance", "language", "privilege", "foreigner",
            "interpreter_needed", "video_consent", "from_reception",
        ]}),
    ]
    edit_columns = [
        "applicant", "district", "category", "official", "substance", "language",
        "privilege", "foreigner", "interpreter_needed", "video_consent", "expected_version",
    ]
    show_fieldsets = [
        (_l("Registration"), {"fields": [
            "reg_number", "channel", "received_at", "registered_on", "reception_place",
            "created_by", "status", "answer_due_on", "due_on",
        ]}),
        (_l("Applicant and question"), {"fields": [
            "applicant", "district", "category", "official", "substance", "language",
            "privilege", "foreigner", "interpreter_needed", "video_consent", "from_reception",
        ]}),
        (_l("Review"), {"fields": ["assignee", "session", "refusal_ground"]}),
    ]
    search_columns = [
        "reg_number", "substance", "status", "channel", "district", "category", "official",
        "reception_place", "registered_on", "due_on", "language", "privilege", "refusal_ground",
    ]
    label_columns = APPEAL_LABELS
    lookups = {"applicant": "applicant"}
    add_prefill_args = ("channel",)
    add_form_extra_fields = {
        "received_at": DateTimeField(
            APPEAL_LABELS["received_at"],
            format="%Y-%m-%d %H:%M:%S",
            default=lambda: now_local().replace(second=0, microsecond=0),
            widget=DateTimePickerWidget(),
            validators=[DataRequired()],
            description=_l("Local time (Asia/Almaty). After 18:30 or on a day off the appeal is registered the next working day (R25)."),
        ),
        # the applicant is found by the lookup, or typed below (a walk-in citizen): one of the two
        "applicant": LookupField(APPEAL_LABELS["applicant"], kind="applicant", validators=[OptionalValidator()],
                                 description=_l("Type a name, an ИИН or a phone to find the applicant.")),
        "new_applicant_name": StringField(_l("Full name"), validators=[OptionalValidator(), Length(max=200)],
                                          widget=BS3TextFieldWidget()),
        "new_applicant_iin": StringField(_l("IIN"), validators=[OptionalValidator(), IinValidator()],
                                         widget=BS3TextFieldWidget()),
        "new_applicant_phone": StringField(_l("Phone"), validators=[OptionalValidator(), Length(max=32)],
                                           widget=BS3TextFieldWidget()),
        "new_applicant_address": StringField(APPLICANT_LABELS["address"], validators=[OptionalValidator(),
                                             Length(max=255)], widget=BS3TextFieldWidget()),
    }

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

    add_form_query_rel_fields = {"reception_place": [["id", OwnPlaceFilter, lambda: None]],
                                 "official": [["active", FilterEqual, True]]}
    edit_form_query_rel_fields = {"official": [["active", FilterEqual, True]]}

    def pre_add(self, item: Appeal) -> None:
        if not may_use_place(item.reception_place_id or getattr(item.reception_place, "id", None)):
            raise ValueError(gettext("You may register appeals only at your own reception place."))
        self._applicant_of(item)
        user_id = getattr(g.user, "id", None) if getattr(g, "user", None) else None
        form_error(appeal_service.prepare_registration, item, user_id)

    def _applicant_of(self, item: Appeal) -> None:
        """The chosen applicant, or the new one typed into the form — saved
        with the appeal in one transaction."""
        typed = {f: (getattr(item, f, None) or "").strip() for f in NEW_APPLICANT_FIELDS}
        for f in NEW_APPLICANT_FIELDS:
            if hasattr(item, f):
                delattr(item, f)  # not columns of an appeal
        if item.applicant is not None:
            if any(typed.values()):
                raise ValueError(gettext("Either choose an applicant or type a new one, not both."))
            return
        if not typed["new_applicant_name"]:
            raise ValueError(gettext("Choose the applicant, or type the new applicant's full name."))
        if not self.appbuilder.sm.has_access("can_write", "Applicant"):
            raise ValueError(gettext("You may not add applicants: choose a registered one."))
        item.applicant = form_error(
            inline_applicant, typed["new_applicant_name"], typed["new_applicant_iin"],
            typed["new_applicant_phone"], typed["new_applicant_address"], own_place_only())

    def post_add(self, item: Appeal) -> None:
        """R25, R29: the clerk sees what was created — its number, day and term."""
        super().post_add(item)
        g.saved_message = gettext(
            "Appeal %(number)s registered on %(day)s; the answer is due by %(due)s (R29).",
            number=item.reg_number, day=item.registered_on.strftime("%d.%m.%Y"),
            due=item.answer_due_on.strftime("%d.%m.%Y"))
        same = repeat_appeals.on_same_topic(
            repeat_appeals.earlier_appeals(item.applicant, item.category_id, exclude_id=item.id))
        if same:
            g.saved_warning = gettext(
                "The applicant has already filed on this topic: %(numbers)s. Check whether the question "
                "was already decided (R15, grounds 2, 3 and 5).", numbers=", ".join(r.reg_number for r in same))

    @expose("/repeats", methods=["GET"])
    @has_access
    def repeats(self):
        """The appeal form asks, as the applicant and the topic are chosen:
        the applicant's other appeals, same topic first. An applicant the
        reader may not see has none (the same empty answer: nothing to infer)."""
        from flask import render_template, request

        from app.models import Category
        from app.security.scope import get_visible
        from app.services.similar import similar_appeals

        applicant = get_visible(Applicant, request.args.get("applicant"))
        category = get_visible(Category, request.args.get("category"))
        rows = repeat_appeals.earlier_appeals(applicant, category.id if category else None)
        text = str(request.args.get("substance") or "").replace("\x00", "")[:4000]
        alike = similar_appeals(text, category, applicant=applicant) if len(text) >= 20 else []
        return (render_template("qabyldau/_repeats.html", repeats=rows, link_target="_blank",
                                heading=gettext("Appeals already filed by this applicant"))
                + render_template("qabyldau/_similar.html", similar=alike, linked=[], link_target="_blank"))

    formatters_columns = {"deadline": format_deadline}

    def work_list_url(self, key: str, **args) -> str:
        """The appeal list filtered to the work list ``key``."""
        col, cls = QUICK_FILTERS[key]
        search = self._filters.get_search_filters()
        idx = next(i for i, f in enumerate(search.get(col, [])) if isinstance(f, cls))
        return url_for("AppealView.list", **{f"_flt_{idx}_{col}": "1"}, **args)

    def status_url(self, status) -> str:
        """The appeal list of one status."""
        from flask_appbuilder.models.sqla.filters import FilterEqual

        search = self._filters.get_search_filters()
        idx = next(i for i, f in enumerate(search.get("status", [])) if type(f) is FilterEqual)
        return url_for("AppealView.list", **{f"_flt_{idx}_status": getattr(status, "value", status)})

    def quick_filters(self) -> list[tuple[object, str]]:
        """(label, list URL) for the work lists above the list, those of the user's role."""
        return [(w.label, self.work_list_url(w.key)) for w in worklists.lists_of()]

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
        info = overview(appeal)
        from .timeline import build

        timeline = build("appeal", appeal.id, events=info["history"], event_labels=EVENT_LABELS,
                         with_audit=self.appbuilder.sm.has_access("can_read", "AuditLog"))
        return self.render_template(
            self.show_template, pk=pk, title=self.show_title, widgets=widgets,
            related_views=self._related_views, info=info, timeline=timeline,
            can_act=self.appbuilder.sm.has_access("can_write", "Appeal") and is_writable(Appeal, appeal.id),
            can_assign=can(g.user, "assign"),
            action_labels=EVENT_LABELS,
            letter_labels=LETTER_LABELS,
            repeats=repeat_appeals.earlier_appeals(appeal.applicant, appeal.category_id, exclude_id=appeal.id),
            propose_for=appeal.id if "propose-refusal" in info["actions"] and self.appbuilder.sm.has_access(
                "can_write", "Appeal") and is_writable(Appeal, appeal.id) else None,
        )

    @expose("/similar/<pk>", methods=["GET"])
    @has_access
    def similar_panel(self, pk):
        """The appeal page's panel of similar earlier appeals and links
        (``services/similar.py``), asked for once the page is shown: the page
        does not wait for the text search."""
        from flask import render_template

        from app.domain.workflow import allowed_actions
        from app.security.scope import get_visible_or_404

        appeal = get_visible_or_404(Appeal, pk)
        writable = self.appbuilder.sm.has_access("can_write", "Appeal") and is_writable(Appeal, appeal.id)
        may_propose = writable and any(a.value == "propose-refusal"
                                       for a in allowed_actions(AppealStatus(appeal.status)))
        return render_template(
            "qabyldau/_similar.html",
            similar=similar.similar_appeals(appeal.substance, appeal.category, applicant=appeal.applicant,
                                            exclude_id=appeal.id),
            linked=similar.linked_appeals(appeal), link_form_for=appeal.id if writable else None,
            propose_for=appeal.id if may_propose else None)

    @expose("/card/<pk>", methods=["GET"])
    @has_access
    def card(self, pk):
        """The printable card of an appeal: its registration, applicant (as
        the reader may see them), question, terms, instructions and history."""
        from flask import render_template
        from sqlalchemy import select

        from app.models import Instruction
        from app.security.scope import get_visible_or_404

        from .timeline import build

        appeal = get_visible_or_404(Appeal, pk)
        info = overview(appeal)
        instructions = db.session.execute(
            select(Instruction).where(Instruction.appeal_id == appeal.id).order_by(Instruction.due_on, Instruction.id)
        ).scalars().all()
        timeline = build("appeal", appeal.id, events=info["history"], event_labels=EVENT_LABELS)
        return render_template(
            "qabyldau/appeal_card.html", appeal=appeal, info=info, instructions=instructions, timeline=timeline,
            labels=APPEAL_LABELS, applicant_labels=APPLICANT_LABELS,
            printed_at=now_local().strftime("%d.%m.%Y %H:%M"), printed_by=str(g.user),
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
