"""The jobs themselves: thin wrappers over services, reporting progress."""
from __future__ import annotations

import csv
import os
import time

from flask import current_app

from app.services.cells import csv_row

from .reporting import progress

EXPORT_BATCH = 2000


def export_dir() -> str:
    path = current_app.config.get("EXPORT_DIR") or os.path.join(current_app.instance_path, "exports")
    os.makedirs(path, exist_ok=True)
    return path


def export(job_id: str, params: dict) -> dict:
    """A register's list, with its filters and order, the user's row scope and
    masking, to CSV or XLSX — streamed in batches, never built in memory —
    in the language of the user who asked (headers, sheet and file names)."""
    from flask_babel import force_locale

    with force_locale(params.get("lang") or current_app.config.get("BABEL_DEFAULT_LOCALE", "ru")):
        return _export(job_id, params)


def _export(job_id: str, params: dict) -> dict:
    from app.services.cells import file_stem, sheet_title, spreadsheet_csv_cell, xlsx_typed_row
    from app.services.clock import today
    from app.services.exports import export_rows, export_title

    fmt = params.get("format", "csv")
    register = params["register"]
    ext = "xlsx" if fmt == "xlsx" else "csv"
    title = export_title(register)  # the list's title in the language of the user who asked
    name = f"{file_stem(title)} {today():%Y-%m-%d}.{ext}"
    path = os.path.join(export_dir(), f"{job_id}.{ext}")
    header, total, batches = export_rows(register, params.get("args", {}), EXPORT_BATCH)
    done = 0
    if fmt == "xlsx":  # typed dates and numbers, a frozen header, a filter on every column
        from openpyxl import Workbook
        from openpyxl.utils import get_column_letter

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(sheet_title(title))
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(max(len(header), 1))}{total + 1}"
        for i, label in enumerate(header, start=1):
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(12, len(label) + 4))
        ws.append(header)
        for rows in batches:
            for row in rows:
                ws.append(xlsx_typed_row(ws, row))
            done += len(rows)
            progress(job_id, 100 * done // max(total, 1))
        wb.save(path)
    else:
        # "csv": as Russian-locale Excel opens it (";", BOM, decimal comma);
        # "csv-plain": for programs (",", UTF-8 without BOM, decimal point)
        plain = fmt == "csv-plain"
        with open(path, "w", newline="", encoding="utf-8" if plain else "utf-8-sig") as fh:
            writer = csv.writer(fh, delimiter="," if plain else ";")
            writer.writerow(header)
            cell = (lambda v: v) if plain else spreadsheet_csv_cell
            for rows in batches:
                writer.writerows(csv_row(row) if plain else [cell(v) for v in row] for row in rows)
                done += len(rows)
                progress(job_id, 100 * done // max(total, 1))
    return {"result_path": path, "result_name": name, "message": str(done)}


def deadline_monitor(job_id: str, params: dict) -> dict:
    from app.services.monitor import run_monitor

    created = run_monitor()
    expire_results()  # the daily run also drops results past their keeping time
    progress(job_id, 100)
    return {"message": str(created)}


def compliance_snapshot(job_id: str, params: dict) -> dict:
    """The compliance board's daily record (``app.services.compliance``)."""
    from app.services.compliance import take_snapshot

    written = take_snapshot()
    progress(job_id, 100)
    return {"message": str(written)}


def expire_results(now=None) -> int:
    """Result files of jobs older than ``JOB_RESULT_TTL`` seconds are deleted
    (the job's row stays, without its file)."""
    from datetime import datetime, timedelta

    from sqlalchemy import select

    from app.extensions import db
    from app.models import Job

    limit = (now or datetime.utcnow()) - timedelta(seconds=int(current_app.config.get("JOB_RESULT_TTL", 7 * 86400)))
    old = db.session.execute(select(Job).where(Job.ended_at < limit, Job.result_path.is_not(None))).scalars().all()
    for job in old:
        if job.result_path and os.path.exists(job.result_path):
            os.remove(job.result_path)
        job.result_path = None
    db.session.commit()
    return len(old)


def systemic_alerts(job_id: str, params: dict) -> dict:
    """M7.1: the weekly scan for systemic problems (``app.services.alerts``);
    ``week``: any day of the ISO week to scan (default: the last full week)."""
    from datetime import date

    from app.services.alerts import scan

    result = scan(date.fromisoformat(params["week"]) if params.get("week") else None)
    progress(job_id, 100)
    return {"message": f"{result.week.isoformat()}: {len(result.created)}"}


def survey_sample(job_id: str, params: dict) -> dict:
    from datetime import timedelta

    from app.services.clock import today
    from app.services.surveys import draw_sample

    end = today()
    result = draw_sample(end - timedelta(days=int(params.get("days", 7))), end,
                         float(params.get("share", 0.1)), params.get("max_size"),
                         int(params.get("not_called_within_days", 90)))
    return {"message": str(result.drawn)}


def report(job_id: str, params: dict) -> dict:
    """R40: the quarterly report, or M7.6: the half-year report on the
    instructions of higher bodies — XLSX or PDF, with who prepared it and
    when, and a notice when its period is not over."""
    from flask import g
    from flask_babel import force_locale

    from app.services import report_pdf, reports
    from app.services.clock import now_local

    kind, year, part = params["kind"], int(params["year"]), int(params["part"])
    lang, fmt = params.get("lang", "ru"), params.get("format", "xlsx")
    title, sections, meta = reports.build(kind, year, part, lang, progress=lambda pct: progress(job_id, pct))
    prepared = reports.preparer(getattr(g, "user", None), lang, now_local())
    name = f"{'quarter' if kind == 'quarter' else 'half-year'}-{year}-{part}-{lang}.{fmt}"
    path = os.path.join(export_dir(), f"{job_id}.{fmt}")
    if fmt == "pdf":
        blocks = []
        if kind == "quarter":  # the M7.6 report is an account of instructions, not of charts
            from app.charts.report import quarterly

            with force_locale(lang):
                blocks = quarterly(meta["filters"])
        progress(job_id, 85)
        data = report_pdf.to_pdf(title, sections, lang, meta["start"], meta["end"], blocks, meta["summary"], prepared,
                                 reports.unfinished(meta["end"], prepared.at.date()))
    else:
        data = reports.to_xlsx(title, sections, meta["summary"], reports.notes(lang, meta["start"], meta["end"], prepared))
    with open(path, "wb") as fh:
        fh.write(data)
    return {"result_path": path, "result_name": name, "message": title}


def import_appeals(job_id: str, params: dict) -> dict:
    """Appeals from the national system's export, all or nothing; an error
    report (row, reason) is the job's result file when rows are refused."""
    from flask import g

    from app.services.importer import import_rows, read_rows

    rows = read_rows(params["path"])
    result = import_rows(rows, getattr(g.user, "id", None), progress=lambda pct: progress(job_id, pct))
    if result.errors:
        path = os.path.join(export_dir(), f"{job_id}-errors.csv")
        with open(path, "w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            writer.writerow(["row", "error"])
            writer.writerows(csv_row(row) for row in result.errors)
        raise ImportRefused(len(result.errors), path)
    return {"message": f"{result.created} / {result.skipped}"}


class ImportRefused(Exception):
    """The file had errors: nothing was imported (the report is attached)."""

    def __init__(self, count: int, path: str):
        super().__init__(f"{count} row(s) refused, nothing imported")
        self.path = path


def topic_model(job_id: str, params: dict) -> dict:
    """Retrain the topic suggestion (``app.services.topic_suggest``): a new
    active version, or none with too little data (the message says which)."""
    from flask import g

    from app.services.topic_suggest import train

    outcome = train(getattr(g, "user", None), job_id=job_id, progress=lambda pct: progress(job_id, pct))
    if outcome.model is None:
        return {"message": f"too_little_data: {outcome.n_rows} / {outcome.n_topics}"}
    return {"message": f"v{outcome.model.version}: {outcome.model.top1:.3f} / {outcome.model.top3:.3f}"}


def crash(job_id: str, params: dict) -> dict:
    """A job that fails (tests the "never running forever" promise)."""
    progress(job_id, 30)
    raise RuntimeError(params.get("why", "boom"))


def probe(job_id: str, params: dict) -> dict:
    """A job that waits ``seconds`` (at most 600), reporting progress each
    second: checks a worker end to end (``flask jobs probe``), and gives the
    fault tests a work horse to kill."""
    seconds = max(0, min(600, int(params.get("seconds", 1))))
    for done in range(seconds):
        progress(job_id, 100 * done // max(seconds, 1), message=f"{done}/{seconds}")
        time.sleep(1)
    return {"message": f"{seconds}/{seconds}"}


TASKS = {"import": import_appeals, "report": report, "export": export, "deadline_monitor": deadline_monitor,
         "compliance_snapshot": compliance_snapshot,
         "survey_sample": survey_sample, "systemic_alerts": systemic_alerts, "crash": crash, "probe": probe,
         "topic_model": topic_model}
