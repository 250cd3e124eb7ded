"""R40 / M7.6: ordering the quarterly report or the half-year report on the instructions of higher bodies."""
from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

from app.jobs import DuplicateJob, JobsUnavailable, launch
from app.services import reports
from app.services.clock import now_local, today

from .feedback import jobs_unavailable


class ReportForm(FlaskForm):
    kind = SelectField(_l("Report"), choices=[("quarter", _l("Quarterly report (R40)")),
                                              ("half", _l("Half-year report on the instructions of higher bodies (M7.6)"))])
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2020, 2100)])
    part = SelectField(_l("Quarter or half-year"), coerce=int, choices=[(1, "1"), (2, "2"), (3, "3"), (4, "4")])
    lang = SelectField(_l("Language"), choices=[("kk", _l("Kazakh")), ("ru", _l("Russian"))])
    format = SelectField(_l("Format"), choices=[("xlsx", "XLSX"), ("pdf", "PDF")])


class ReportView(BaseView):
    route_base = "/reports"
    default_view = "order"
    class_permission_name = "Analytics"
    method_permission_name = {"order": "read"}

    @expose("/", methods=["GET", "POST"])
    @has_access
    def order(self):
        form = ReportForm()
        if request.method == "GET":
            form.year.data = today().year
        elif form.validate_on_submit():
            if form.kind.data == "half" and form.part.data > 2:
                flash(gettext("A half-year is 1 or 2."), "danger")
            else:
                params = {"kind": "quarter" if form.kind.data == "quarter" else "half", "year": form.year.data,
                          "part": form.part.data, "lang": form.lang.data, "format": form.format.data}
                _start, end = reports.period(params["kind"], params["year"], params["part"])
                try:
                    launch("report", params, user_id=getattr(g.user, "id", None))
                    if reports.unfinished(end, today()):  # a warning, not an error: the report is prepared
                        flash(gettext("The period is not over: the report shows the figures as of the moment it is "
                                      "prepared (now %(when)s, Almaty time).", when=f"{now_local():%d.%m.%Y %H:%M}"),
                              "warning")
                except DuplicateJob:
                    flash(gettext("The same report is already being prepared."), "warning")
                except JobsUnavailable:
                    jobs_unavailable()
                return redirect(url_for("JobsView.jobs"))
        return self.render_template("qabyldau/report_form.html", form=form)
