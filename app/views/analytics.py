"""Analytics: the heads' overview by district (charts come with the charts issue)."""
from __future__ import annotations

from datetime import date, timedelta

from flask import request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext

from app.services.analytics import district_overview
from app.services.clock import today

from .base import METHOD_PERMISSIONS


def _parse(value: str | None, default: date) -> tuple[date, bool]:
    if not value:
        return default, True
    try:
        return date.fromisoformat(value), True
    except ValueError:
        return default, False


class AnalyticsView(BaseView):
    route_base = "/analytics"
    default_view = "districts"
    class_permission_name = "Analytics"
    method_permission_name = {**METHOD_PERMISSIONS, "districts": "read"}

    @expose("/districts")
    @has_access
    def districts(self):
        now = today()
        start, ok1 = _parse(request.args.get("start"), now - timedelta(days=365))
        end, ok2 = _parse(request.args.get("end"), now)
        error = None
        if not (ok1 and ok2):
            error = gettext("Dates must be written as YYYY-MM-DD; the default period is shown.")
        if start > end:
            start, end = end, start
        rows = district_overview(start, end, now)
        totals = {k: sum(r[k] for r in rows) for k in ("total", "refused", "open", "overdue")}
        return self.render_template(
            "qabyldau/analytics_districts.html", rows=rows, totals=totals, start=start, end=end, error=error,
        )
