"""Analytics: the heads' overview by district (charts come with the charts issue)."""
from __future__ import annotations

from flask import request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from app.fab.permissions import METHOD_PERMISSIONS
from app.services.analytics import Filters, district_counts

from .dashboard import parse_filters


class AnalyticsView(BaseView):
    route_base = "/analytics"
    default_view = "districts"
    class_permission_name = "Analytics"
    method_permission_name = {**METHOD_PERMISSIONS, "districts": "read"}

    @expose("/districts")
    @has_access
    def districts(self):
        filters, error = parse_filters(request.args)
        start, end = filters.start, filters.end
        rows = district_counts(Filters(start, end))
        totals = {k: sum(r[k] for r in rows) for k in ("total", "refused", "open", "overdue")}
        return self.render_template(
            "qabyldau/analytics_districts.html", rows=rows, totals=totals, start=start, end=end, error=error,
        )
