"""The heads' dashboard: KPI cards and every chart with its data table, PNG
and SVG downloads and a CSV — rendered on the server, nothing from the web.
Every figure follows every filter, and links to the list it counts
(``drilldown.py``)."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from urllib.parse import urlencode

from flask import Response, abort, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from sqlalchemy import select

from app.charts import render
from app.charts.catalog import charts, min_sample
from app.extensions import db
from app.fab.permissions import METHOD_PERMISSIONS
from app.i18n import current_locale
from app.models import Category, Department, District, ReceptionPlace
from app.security.scope import as_id
from app.services import analytics as A
from app.services.clock import today

from . import drilldown

MIME = {"png": "image/png", "svg": "image/svg+xml", "csv": "text/csv; charset=utf-8"}
FILTER_ARGS = ("start", "end", "district", "category", "place", "department", "measure")


def parse_filters(args) -> tuple[A.Filters, str | None]:
    """The dashboard's filters from the query string; a date that is not
    YYYY-MM-DD gives the default period and a message, an id that is no id
    (text, 2**63, a NUL byte) is no filter."""
    now = today()
    error = None

    def day(name, default):
        nonlocal error
        raw = args.get(name)
        if not raw:
            return default
        try:
            return date.fromisoformat(raw)
        except ValueError:
            error = gettext("Dates must be written as YYYY-MM-DD; the default period is shown.")
            return default

    start, end = day("start", now - timedelta(days=365)), day("end", now)
    if start > end:
        start, end = end, start
    ids = [as_id(args.get(k)) for k in ("district", "category", "place", "department")]
    return A.Filters(start, end, *ids), error


def build(name: str, f: A.Filters, fmt: str, measure: str):
    """(bytes for fmt, table) of one chart, cached per filters, locale and format."""
    builders = charts()
    if name not in builders:
        abort(404)
    _, builder = builders[name]

    draw = fmt in ("png", "svg") or name == "map"  # the page needs the map's pixels for its links

    def compute():
        fig, table = builder(f, measure, draw=draw) if name == "map" else builder(f, draw=draw)
        return (render.to_bytes(fig, fmt) if fmt in ("png", "svg") else None), table

    return A.cached(name, f, compute, extra=(fmt, current_locale(), measure))


def table_csv(table: A.Table) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([str(c) for c in table.columns])
    for row in table.rows:
        writer.writerow(["" if v is None else str(v) for v in row])
    return "\ufeff" + buf.getvalue()  # BOM: Excel opens Cyrillic correctly


def _kpis(f: A.Filters) -> dict:
    """The cards: each figure with the list it counts."""
    k = A.cached("kpi", f, lambda: A.kpis(f, today()))
    least = min_sample()
    links = {"registered": {}, "overdue": {"term": "overdue"}, "on_time": {"term": "on_time"},
             "late": {"term": "late"}, "answered": {"target": "calls", "answer": "answered"},
             "satisfied": {"target": "calls", "answer": "satisfied"}}
    return {**k, "urls": {name: drilldown.url(f, c) for name, c in links.items()}, "least": least,
            "thin": k["answered"] < least, "on_time_thin": k["on_time"] + k["late"] < least}


def _item(name: str, title: str, table: A.Table, f: A.Filters, query: str) -> dict:
    def link(criteria):
        return drilldown.url(f, criteria) if criteria is not None else None

    return {
        "name": name, "title": title, "table": table, "query": query,
        "urls": [[link(c) for c in row] for row in table.links],
        "areas": [(link(c), shape, coords, label) for c, shape, coords, label in table.areas],
        "wide": not table.areas and len(table.columns) > 3,  # the table under the chart, not beside it
    }


def _open_alerts():
    """The open systemic-problem alerts (M7.1) for a reader of the alerts, else None."""
    from flask import current_app

    if not current_app.appbuilder.sm.has_access("can_read", "SystemicAlert"):
        return None
    from app.services.alerts import open_alerts, sentence

    return [(a, sentence(a)) for a in open_alerts()]


class DashboardView(BaseView):
    route_base = "/dashboard"
    default_view = "index"
    class_permission_name = "Analytics"
    method_permission_name = {**METHOD_PERMISSIONS, "index": "read", "chart": "read"}

    @expose("/")
    @has_access
    def index(self):
        f, error = parse_filters(request.args)
        measure = "count" if request.args.get("measure") == "count" else "per_10k"
        query = urlencode({k: v for k, v in request.args.items() if k in FILTER_ARGS})
        items = []
        for name, (title, _builder) in charts().items():
            _png, table = build(name, f, "data", measure)
            items.append(_item(name, title(), table, f, query))
        return self.render_template(
            "qabyldau/dashboard.html", items=items, filters=f, error=error, measure=measure, kpi=_kpis(f),
            districts=db.session.execute(select(District).order_by(District.kato)).scalars().all(),
            sections=db.session.execute(select(Category).where(Category.parent_id.is_(None)).order_by(Category.code)).scalars().all(),
            places=db.session.execute(select(ReceptionPlace).order_by(ReceptionPlace.id)).scalars().all(),
            departments=sorted(db.session.execute(select(Department)).scalars().all(), key=str),
            alerts=_open_alerts(),
        )

    @expose("/chart/<name>.<fmt>")
    @has_access
    def chart(self, name: str, fmt: str):
        if fmt not in MIME:
            abort(404)
        f, _error = parse_filters(request.args)
        measure = "count" if request.args.get("measure") == "count" else "per_10k"
        data, table = build(name, f, fmt if fmt != "csv" else "data", measure)
        body = table_csv(table) if fmt == "csv" else data
        response = Response(body, mimetype=MIME[fmt])
        if fmt in ("csv", "svg") or request.args.get("download"):
            response.headers["Content-Disposition"] = f'attachment; filename="{name}-{f.start}-{f.end}.{fmt}"'
        response.headers["Cache-Control"] = "private, max-age=60"
        return response
