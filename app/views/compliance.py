"""The compliance board (``/compliance/``): one row per measured rule with
today's figure, a week and a month ago, a sparkline and the rule's words;
every figure opens the list of the cases it counts. A measure's page breaks
today's figure down by reception place and by official. Exported as XLSX
or CSV. The figures come from ``app.services.compliance``, inside the
reader's scope."""
from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from flask import Response, abort, current_app, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext

from app.fab.filters import FilterComplianceMeasure
from app.i18n import current_locale
from app.services import compliance as C
from app.services.cells import file_stem, spreadsheet_csv_cell
from app.services.clock import today
from app.services.rule_texts import rule_text

LIST_VIEWS = {"Appeal": "AppealView", "ParticipationRequest": "ParticipationRequestView",
              "Instruction": "InstructionView", "MaterialsRequest": "MaterialsRequestView",
              "Consultation": "ConsultationView", "ReceptionSession": "ReceptionSessionView"}
"""The list each register's cases open in (by model name)."""


def _view(name: str):
    return next((v for v in current_app.appbuilder.baseviews if type(v).__name__ == name), None)


def list_url(measure: C.Measure, place_id: int | None = None, official_id: int | None = None) -> str | None:
    """The list of the cases a figure counts (None: the reader may not open
    that list). R7's persons are shown on the coming month's roster."""
    if measure.link is not None:
        return measure.link(today()) if current_app.appbuilder.sm.has_access("can_read", "ReceptionSession") else None
    view = _view(LIST_VIEWS.get(measure.model.__name__, ""))
    if view is None or not current_app.appbuilder.sm.has_access("can_read", view.class_permission_name):
        return None
    filters = view._filters._all_filters.get(measure.column, [])
    index = next((i for i, f in enumerate(filters) if type(f) is FilterComplianceMeasure), None)
    if index is None or index > 9:  # FAB reads one digit of ``_flt_<n>_``
        return None
    value = C.list_value(measure, place_id, official_id)
    return url_for(f"{type(view).__name__}.list") + "?" + urlencode({f"_flt_{index}_{measure.column}": value})


def _figure_text(fig: C.Figure | None, measure: C.Measure) -> str:
    return str(C.figure_value(fig, measure))


class ComplianceView(BaseView):
    route_base = "/compliance"
    default_view = "board"
    class_permission_name = "Compliance"
    method_permission_name = {"board": "read", "measure": "read", "export": "read"}

    @expose("/")
    @has_access
    def board(self):
        rows = C.board()
        lang = current_locale()
        return self.render_template(
            "qabyldau/compliance.html", rows=rows, day=today(), texts={r.measure.rule: rule_text(r.measure.rule, lang)
                                                                     for r in rows},
            url=list_url, figure=_figure_text, sparkline=C.sparkline, last_snapshot=C.last_snapshot_day())

    @expose("/<key>")
    @has_access
    def measure(self, key: str):
        measure = C.BY_KEY.get(key)
        if measure is None:
            abort(404)
        parts = C.breakdown(measure)
        total = C.figure(measure)
        return self.render_template(
            "qabyldau/compliance_measure.html", measure=measure, parts=parts, total=total, day=today(),
            text=rule_text(measure.rule, current_locale()), url=list_url, figure=_figure_text)

    @expose("/export.<fmt>")
    @has_access
    def export(self, fmt: str):
        if fmt not in ("xlsx", "csv"):
            abort(404)
        header = [gettext("Rule"), gettext("Measure"), gettext("Today"), gettext("A week ago"),
                  gettext("A month ago"), gettext("Reception place"), gettext("Official")]
        rows = []
        for r in C.board():
            m = r.measure
            rows.append([m.rule, str(m.label), C.figure_value(r.today, m), C.figure_value(r.week_ago, m),
                         C.figure_value(r.month_ago, m), "", ""])
            parts = C.breakdown(m)
            rows += [[m.rule, str(m.label), C.figure_value(fig, m), "", "", place.name, ""]
                     for place, fig in parts["places"]]
            rows += [[m.rule, str(m.label), C.figure_value(fig, m), "", "", "", official.full_name]
                     for official, fig in parts["officials"]]
        title = gettext("Compliance board")
        name = f"{file_stem(title)} {today():%Y-%m-%d}.{fmt}"
        if fmt == "csv":
            out = io.StringIO()
            writer = csv.writer(out, delimiter=";")
            writer.writerow(header)
            for row in rows:
                writer.writerow([spreadsheet_csv_cell(v) for v in row])
            body, mime = ("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"
        else:
            body, mime = _xlsx(title, header, rows), \
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        from urllib.parse import quote

        return Response(body, mimetype=mime, headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


def _xlsx(title: str, header: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from app.services.cells import sheet_title

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(title)
    ws.append(header)
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    for i, width in enumerate((8, 60, 16, 16, 16, 40, 36), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

