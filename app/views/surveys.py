"""M5.8: consultations; R38: satisfaction survey calls."""
from __future__ import annotations

from datetime import timedelta

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.fieldwidgets import DateTimePickerWidget
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import DateField, DateTimeField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from app.domain.vocabulary import CallOutcome, Resolved
from app.extensions import db
from app.fab.filters import (
    FilterAtPlace,
    FilterInDistrict,
    FilterInSection,
    FilterOfDepartment,
    FilterOnOrAfter,
    FilterOnOrBefore,
)
from app.fab.interface import QInterface
from app.labels import choices
from app.models import Consultation, District, SurveyCall
from app.security.scope import get_visible_or_404, may_use_place, scoped
from app.services.clock import now_local, today
from app.services.errors import RuleViolation
from app.services.receptions import validate_survey_call
from app.services.surveys import draw_sample, record_call, validate_consultation

from .appeals import OwnPlaceFilter
from .base import QModelView
from .feedback import flash_rule, form_error


class SurveyCallView(QModelView):
    list_title = _l("Survey calls")
    show_title = _l("Survey call")
    add_title = _l("Record a survey call")
    edit_title = _l("Edit survey call")
    datamodel = QInterface(SurveyCall, eager=("applicant", "appeal", "consultation", "caller"))
    class_permission_name = "SurveyCall"
    base_order = ("called_at", "desc")
    list_columns = ["called_at", "applicant", "appeal", "consultation", "caller", "outcome", "satisfaction", "resolved"]
    add_columns = edit_columns = [
        "applicant", "appeal", "called_at", "outcome", "satisfaction", "resolved", "politeness",
        "clarity", "comment",
    ]
    show_columns = ["applicant", "appeal", "consultation", "called_at", "outcome", "satisfaction", "resolved",
                    "politeness", "clarity", "comment", "caller"]
    lookups = {"applicant": "applicant", "appeal": "appeal"}
    search_columns = ["called_at", "outcome", "satisfaction", "resolved", "comment"]
    # the dashboard's satisfaction figures drill down to this list (app/views/drilldown.py)
    search_filters = {
        "called_at": [FilterOnOrAfter("called_at", datamodel), FilterOnOrBefore("called_at", datamodel)],
        "outcome": [FilterInDistrict("outcome", datamodel), FilterAtPlace("outcome", datamodel),
                    FilterInSection("outcome", datamodel), FilterOfDepartment("outcome", datamodel)],
    }

    def pre_add(self, item):
        form_error(validate_survey_call, item)
        item.caller_id = getattr(getattr(g, "user", None), "id", None) or item.caller_id

    def pre_update(self, item):
        form_error(validate_survey_call, item)

    label_columns = {
        "called_at": _l("Called at"),
        "applicant": _l("Applicant"),
        "appeal": _l("Appeal"),
        "consultation": _l("Consultation (M5.8)"),
        "caller": _l("Caller"),
        "outcome": _l("Outcome"),
        "satisfaction": _l("Satisfaction (1-5)"),
        "resolved": _l("Was the question resolved"),
        "politeness": _l("Politeness (0-2)"),
        "clarity": _l("Clarity (0-2)"),
        "comment": _l("Comment"),
    }


CONSULTATION_LABELS = {
    "given_at": _l("Given at"),
    "given_by": _l("Given by"),
    "reception_place": _l("Reception place"),
    "district": _l("District"),
    "channel": _l("Channel"),
    "category": _l("Topic"),
    "applicant": _l("Applicant"),
    "question": _l("What the consultation was about"),
    "outcome": _l("Then"),
    "appeal": _l("Appeal registered"),
    "note": _l("Note"),
}


class ConsultationView(QModelView):
    """M5.8: the consultations the staff give, and what the person then did;
    those who declined to register are R38's sample."""

    list_title = _l("Consultations (M5.8)")
    show_title = _l("Consultation")
    add_title = _l("Record a consultation")
    edit_title = _l("Edit the consultation")
    datamodel = QInterface(Consultation, eager=("applicant", "category", "reception_place", "given_by", "appeal"))
    class_permission_name = "Consultation"
    base_permissions = ["can_read", "can_write"]  # never deleted: R38's sample is drawn from them
    base_order = ("given_at", "desc")
    list_columns = ["given_at", "applicant", "category", "channel", "reception_place", "outcome", "appeal", "given_by"]
    add_columns = ["given_at", "channel", "applicant", "reception_place", "category", "question", "outcome",
                   "appeal", "note"]
    edit_columns = ["channel", "category", "question", "outcome", "appeal", "note"]
    show_columns = ["given_at", "given_by", "reception_place", "district", "channel", "applicant", "category",
                    "question", "outcome", "appeal", "note"]
    search_columns = ["given_at", "channel", "category", "reception_place", "district", "outcome", "question"]
    lookups = {"applicant": "applicant", "appeal": "appeal"}
    label_columns = CONSULTATION_LABELS
    description_columns = {
        "outcome": _l("Whether the person then registered an appeal for a reception or declined (R38 calls "
                      "a sample of those who declined)."),
        "given_at": _l("Local time (Asia/Almaty)."),
    }
    edit_form_extra_fields = {"note": TextAreaField(CONSULTATION_LABELS["note"], validators=[Optional()])}
    add_form_extra_fields = {
        "note": TextAreaField(CONSULTATION_LABELS["note"], validators=[Optional()]),
        "given_at": DateTimeField(
            CONSULTATION_LABELS["given_at"], format="%Y-%m-%d %H:%M:%S",
            default=lambda: now_local().replace(second=0, microsecond=0),
            widget=DateTimePickerWidget(), validators=[DataRequired()],
            description=_l("Local time (Asia/Almaty)."),
        ),
    }
    add_form_query_rel_fields = {"reception_place": [["id", OwnPlaceFilter, lambda: None]]}

    def pre_add(self, item):
        if not may_use_place(item.reception_place_id or getattr(item.reception_place, "id", None)):
            raise ValueError(gettext("You may record consultations only at your own reception place."))
        form_error(validate_consultation, item, getattr(getattr(g, "user", None), "id", None))

    def pre_update(self, item):
        form_error(validate_consultation, item)


class SurveyWorkForm(FlaskForm):
    outcome = RadioField(_l("How did the call go"), choices=[
        (CallOutcome.reached.value, _l("Reached")), (CallOutcome.no_answer.value, _l("No answer")),
        (CallOutcome.declined.value, _l("Declined to answer"))], validators=[InputRequired()])
    satisfaction = SelectField(_l("Satisfaction (1-5)"), choices=[("", "—")] + [(str(i), str(i)) for i in range(5, 0, -1)],
                               validators=[Optional()])
    resolved = SelectField(_l("Was the question resolved"), choices=[("", "—")] + choices(Resolved), validators=[Optional()])
    politeness = SelectField(_l("Politeness (0-2)"), choices=[("", "—"), ("2", "2"), ("1", "1"), ("0", "0")],
                             validators=[Optional()])
    clarity = SelectField(_l("Clarity (0-2)"), choices=[("", "—"), ("2", "2"), ("1", "1"), ("0", "0")],
                          validators=[Optional()])
    comment = TextAreaField(_l("Comment"), validators=[Optional()])


class SampleForm(FlaskForm):
    start = DateField(_l("Consultations given from"), validators=[InputRequired()])
    end = DateField(_l("to"), validators=[InputRequired()])
    share = IntegerField(_l("Share to call, %"), default=10, validators=[InputRequired(), NumberRange(1, 100)])
    max_size = IntegerField(_l("At most (calls)"), default=200, validators=[Optional(), NumberRange(1, 5000)])
    not_called_within_days = IntegerField(_l("Not called within (days)"), default=90,
                                          validators=[InputRequired(), NumberRange(0, 3650)])
    planned_on = DateField(_l("Call on"), validators=[Optional()])


def _int_or_none(value):
    return int(value) if value not in (None, "") else None


class SurveyWorkView(BaseView):
    """The caller's work list, the call form and the sampling action."""

    route_base = "/surveys"
    default_view = "worklist"
    class_permission_name = "SurveyCall"
    method_permission_name = {"worklist": "read", "record": "write", "sample": "write"}

    @expose("/worklist")
    @has_access
    def worklist(self):
        calls = db.session.execute(
            scoped(select(SurveyCall), SurveyCall)
            .where(SurveyCall.outcome == CallOutcome.planned, SurveyCall.planned_on <= today())
            .options(selectinload(SurveyCall.applicant), selectinload(SurveyCall.appeal),
                     selectinload(SurveyCall.consultation).selectinload(Consultation.category))
            .order_by(SurveyCall.planned_on, SurveyCall.id).limit(200)
        ).scalars().all()
        return self.render_template("qabyldau/survey_worklist.html", calls=calls,
                                    can_write=self.appbuilder.sm.has_access("can_write", "SurveyCall"))

    @expose("/record/<int:pk>", methods=["GET", "POST"])
    @has_access
    def record(self, pk: int):
        call = get_visible_or_404(SurveyCall, pk)
        form = SurveyWorkForm()
        if form.validate_on_submit():
            try:
                record_call(pk, getattr(g.user, "id", None), form.outcome.data,
                            satisfaction=_int_or_none(form.satisfaction.data), resolved=form.resolved.data or None,
                            politeness=_int_or_none(form.politeness.data), clarity=_int_or_none(form.clarity.data),
                            comment=form.comment.data)
            except RuleViolation as exc:
                flash_rule(exc)
            else:
                flash(gettext("The call is recorded."), "success")
                return redirect(url_for("SurveyWorkView.worklist"))
        return self.render_template("qabyldau/survey_record.html", call=call, form=form)

    @expose("/sample", methods=["GET", "POST"])
    @has_access
    def sample(self):
        form = SampleForm()
        result = None
        if request.method == "GET":
            form.end.data = today()
            form.start.data = today() - timedelta(days=30)
        elif form.validate_on_submit():
            try:
                result = draw_sample(form.start.data, form.end.data, form.share.data / 100.0, form.max_size.data,
                                     form.not_called_within_days.data, form.planned_on.data)
            except RuleViolation as exc:
                flash_rule(exc)
        districts = {d.id: d for d in db.session.execute(select(District)).scalars()}
        return self.render_template("qabyldau/survey_sample.html", form=form, result=result, districts=districts)
