"""R40: the quarterly report to the Government Office; M7.6: the half-year
report on how the instructions of higher bodies (M9) are carried out — in
Kazakh or Russian, as XLSX and PDF."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.domain.vocabulary import AppealStatus
from app.extensions import db
from app.labels import label
from app.models import Appeal, Official

from . import analytics as A
from .clock import today
from .report_pdf import Prepared, period_text, prepared_text, unfinished_notice


@dataclass
class Section:
    title: str
    columns: list[str]
    rows: list[list]


def period(kind: str, year: int, part: int) -> tuple[date, date]:
    """A quarter (1-4) or a half-year (1-2) of ``year``."""
    months = 3 if kind == "quarter" else 6
    start = date(year, (part - 1) * months + 1, 1)
    end_month = start.month + months
    end = date(year + (end_month > 12), (end_month - 1) % 12 + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def build(kind: str, year: int, part: int, lang: str, progress=lambda pct: None) -> tuple[str, list[Section], dict]:
    """The title and the sections of the report, in ``lang``."""
    if kind != "quarter":
        return build_half_year(year, part, lang, progress)
    start, end = period(kind, year, part)
    f = A.Filters(start, end)
    with force_locale(lang):
        title = _("Quarterly report on appeals for personal reception: Q%(q)s %(year)s", q=part, year=year)
        sections = []

        def add(title_, columns, rows):
            sections.append(Section(title_, columns, rows))

        add(_("Appeals by channel (R4)"), [_("Channel"), _("Appeals")], [[label(k), n] for k, n in A.volume(f, "channel")])
        progress(15)
        add(_("Appeals by reception place"), [_("Reception place"), _("Appeals")],
            [[p.localized_name(lang) if hasattr(p, "localized_name") else str(p), n] for p, n in A.volume(f, "place")])
        status_rows = db.session.execute(
            A.appeal_filter(select(Appeal.status, func.count()), f).group_by(Appeal.status).order_by(Appeal.status)
        ).all()
        add(_("Appeals by outcome"), [_("Status"), _("Appeals")], [[label(AppealStatus(s)), n] for s, n in status_rows])
        progress(30)
        officials = db.session.execute(
            A.appeal_filter(select(Official.full_name, func.count()).select_from(Appeal)
                            .join(Official, Official.id == Appeal.official_id), f)
            .group_by(Official.full_name).order_by(func.count().desc(), Official.full_name).limit(20)
        ).all()
        add(_("Appeals by official asked for (top 20)"), [_("Official"), _("Appeals")], [list(r) for r in officials])
        out = A.outcomes(f)
        add(_("Refusals by ground (R15)"), [_("Ground"), _("Appeals")], [[label(g), n] for g, n in out["refusals"]])
        add(_("Extensions by kind (R30)"), [_("Kind"), _("Appeals")], [[r, n] for r, n in out["extensions"]])
        progress(50)
        comp = A.compliance_by_month(f, today())
        ok, late = sum(r["on_time"] for r in comp), sum(r["late"] for r in comp)
        k = A.kpis(f, today())
        add(_("Terms and satisfaction"), [_("Indicator"), _("Value")], [
            [_("Answered on time"), ok], [_("Late (incl. still open past the term)"), late],
            [_("On time, %"), round(100.0 * ok / (ok + late), 1) if ok + late else "—"],
            [_("Overdue now"), k["overdue"]],
            [_("Satisfied, %"), k["satisfied_share"] if k["satisfied_share"] is not None else "—"],
            [_("Answered"), k["answered"]],
        ])
        add(*_compliance_section(end))
        sections_top = A.volume(f, "section")
        add(_("Top topic sections (M7.1)"), [_("Section"), _("Appeals")],
            [[str(s), n] for s, n in sorted(sections_top, key=lambda x: -x[1])[:10]])
        districts = sorted(A.district_counts(f), key=lambda r: -(r["per_10k"] or 0))
        add(_("Districts by appeals per 10,000 residents (M7.2)"), [_("District"), _("Appeals"), _("Per 10,000 residents")],
            [[r["district"].localized_name(lang), r["total"], r["per_10k"]] for r in districts])
        progress(70)
    return title, sections, {"start": start, "end": end, "filters": f, "summary": []}


def _compliance_section(end: date) -> tuple[str, list[str], list[list]]:
    """The compliance board in the report: each measured rule's figure as the
    daily record kept it on the period's last day (or the nearest day before),
    and today's (``app.services.compliance``)."""
    from app.services import compliance as C

    day = today()
    now = C.today_figures(day=day)
    kept = C.history(day=end, days=C.NEAREST_DAYS)

    rows = [[m.rule, str(m.label), C.figure_value(C.recorded_on(kept.get(m.key, {}), end), m),
             C.figure_value(now[m.key], m)]
            for m in C.MEASURES]
    return (_("Compliance with the regulation (the compliance board)"),
            [_("Rule"), _("Measure"), _("At the end of the period (daily record)"), _("Today")], rows)


COLUMN_STATES = ("executed_on_time", "executed_late", "on_control", "overdue")


def build_half_year(year: int, part: int, lang: str, progress=lambda pct: None) -> tuple[str, list[Section], dict]:
    """M7.6: the akim's half-year report on how the instructions of the
    President, the Presidential Administration and the President's
    assistant on appeals (M9) are carried out: what came in, what is done
    and on time, what is overdue and with whom — and the list itself."""
    from app.domain.vocabulary import HigherIssuer

    from . import higher

    start, end = period("half", year, part)
    items = higher.of_period(start, end)
    progress(30)
    with force_locale(lang):
        acc = higher.account(items, end)  # keyed by the executors' names, in the report's language
        state_text = {"executed_on_time": _("Executed on time"), "executed_late": _("Executed late"),
                      "overdue": _("Overdue"), "on_control": _("On control")}
        title = _("Report on how the instructions of the President of the Republic of Kazakhstan, the "
                  "Presidential Administration and the Assistant to the President on appeals are carried out: "
                  "half-year %(h)s of %(year)s", h=part, year=year)
        t = acc["all"]
        summary = [
            _("In the half-year %(h)s of %(year)s the akim's office had %(n)s instructions on appeals under "
              "control (received in the half-year or carried over from before).", h=part, year=year, n=t.received),
            _("Executed: %(done)s, of them on time %(on_time)s (%(share)s); executed late: %(late)s.",
              done=t.executed, on_time=t.states["executed_on_time"], late=t.states["executed_late"],
              share=f"{t.on_time_share} %" if t.on_time_share is not None else "—"),
            _("Still on control within their term: %(open)s; overdue and not executed on %(day)s: %(overdue)s.",
              open=t.states["on_control"], overdue=t.states["overdue"], day=acc["as_of"].strftime("%d.%m.%Y")),
        ]
        if t.states["overdue"]:
            worst = [name for name, tl in acc["by_department"].items() if tl.states["overdue"]][:3]
            summary.append(_("Most overdue instructions are with: %(names)s. They are kept on control until "
                             "their execution is reported.", names="; ".join(worst)))
        columns = [_("Received"), _("Executed on time"), _("Executed late"), _("On control"), _("Overdue")]

        def row(name, tl):
            return [name, tl.received] + [tl.states[k] for k in COLUMN_STATES]

        sections = [
            Section(_("Instructions by issuer (M9)"), [_("Issued by")] + columns,
                    [row(label(HigherIssuer(k)), tl) for k, tl in sorted(acc["by_issuer"].items())]
                    + [row(_("In all"), t)]),
            Section(_("Instructions by executor"), [_("Executor")] + columns,
                    [row(name, tl) for name, tl in acc["by_department"].items()]),
            Section(_("The instructions and their execution"),
                    [_("Number of the instruction"), _("Issued by"), _("Received on"), _("Executor"), _("Term"),
                     _("Executed on"), _("Execution")],
                    [[i.document_ref, label(i.issuer), i.received_on.strftime("%d.%m.%Y"), str(i.department),
                      i.due_on.strftime("%d.%m.%Y"), i.executed_on.strftime("%d.%m.%Y") if i.executed_on else "—",
                      state_text[acc["states"][i.id]]] for i in items]),
        ]
        progress(70)
    return title, sections, {"start": start, "end": end, "filters": A.Filters(start, end), "summary": summary}


def unfinished(end: date, on: date) -> bool:
    """A period that ends today or later is not over: its figures are those
    of the moment the report is prepared."""
    return end >= on


def preparer(user, lang: str, at: datetime) -> Prepared:
    """Who prepares the report: the user's full name, and their position
    when they are an official of the register."""
    if user is None or not getattr(user, "id", None):
        return Prepared(at)
    official = db.session.execute(select(Official).where(Official.user_id == user.id)).scalars().first()
    return Prepared(at, user.get_full_name().strip(), official.position(lang) if official else "")


def notes(lang: str, start: date, end: date, prepared: Prepared) -> list[str]:
    """The lines under the title: period, who prepared it, and whether the
    period is over."""
    with force_locale(lang):
        lines = [period_text(start, end), prepared_text(prepared)]
        if unfinished(end, prepared.at.date()):
            lines.append(unfinished_notice(prepared.at))
    return lines


def to_xlsx(title: str, sections: list[Section], summary: list[str] = (), head: list[str] = ()) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from .cells import xlsx_row

    wb = Workbook()
    ws = wb.active
    ws.title = "Report"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    for line in head:
        ws.append([line])
    for paragraph in summary:
        ws.append([paragraph])
    for s in sections:
        ws.append([])
        ws.append([s.title])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        ws.append(s.columns)
        for r in s.rows:
            ws.append(xlsx_row(ws, r))
    ws.column_dimensions["A"].width = 60
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 22
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
