"""The register of systemic-problem alerts (M7.1): each alert with its
district, topic, week, count against the expected, per 100,000 residents,
its evidence — the appeals it counted, through the reader's scope, and the
appeal list filtered to them — and the control department's acknowledgement."""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Optional

from app.domain import signals
from app.services import alerts as service
from app.services.analytics import Filters
from app.services.errors import RuleViolation

from . import drilldown
from .feedback import flash_rule

STATUS_LABELS = {"open": _l("Open"), "acknowledged": _l("Acknowledged")}


class AcknowledgeForm(FlaskForm):
    note = TextAreaField(_l("What is being done about it"), validators=[Optional()])


def evidence_url(alert) -> str | None:
    """The appeal list filtered to the alert's appeals: its district, its
    topic with the questions under it, its week (the dashboard's drill-down)."""
    week = Filters(alert.week_start, signals.week_end(alert.week_start))
    return drilldown.url(week, {"district": alert.district_id, "section": alert.category_id})


class SystemicAlertView(BaseView):
    route_base = "/alerts"
    default_view = "list"
    class_permission_name = "SystemicAlert"
    method_permission_name = {"list": "read", "show": "read", "acknowledge": "write"}

    def _may_acknowledge(self) -> bool:
        return self.appbuilder.sm.has_access("can_write", "SystemicAlert")

    @expose("/")
    @has_access
    def list(self):
        status = request.args.get("status")
        rows = service.register(status if status in STATUS_LABELS else None)
        return self.render_template("qabyldau/alerts_list.html", rows=rows, status=status,
                                    status_labels=STATUS_LABELS, sentence=service.sentence)

    @expose("/<pk>")
    @has_access
    def show(self, pk):
        alert = service.get(pk)
        if alert is None:
            abort(404)
        return self._page(alert, AcknowledgeForm())

    def _page(self, alert, form):
        rows, total = service.evidence(alert)
        return self.render_template(
            "qabyldau/alert_show.html", alert=alert, form=form, evidence=rows, total=total,
            week_end=signals.week_end(alert.week_start), evidence_url=evidence_url(alert),
            may_acknowledge=self._may_acknowledge() and alert.status == "open",
            status_labels=STATUS_LABELS, sentence=service.sentence(alert),
            shown=service.EVIDENCE_ON_PAGE)

    @expose("/<pk>/acknowledge", methods=["POST"])
    @has_access
    def acknowledge(self, pk):
        alert = service.get(pk)
        if alert is None:
            abort(404)
        form = AcknowledgeForm()
        if not form.validate_on_submit():  # the CSRF token
            abort(400)
        try:
            service.acknowledge(alert.id, getattr(g.user, "id", None), form.note.data or "")
        except RuleViolation as exc:
            flash_rule(exc)
            return self._page(alert, form), 422
        flash(gettext("The alert is acknowledged."), "success")
        return redirect(url_for("SystemicAlertView.show", pk=alert.id))
