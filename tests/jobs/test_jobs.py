"""Background jobs: in-process without Redis, on a real Redis with rq's
SimpleWorker, and through a real ``rq worker --burst`` subprocess; exports
keep the user's scope and masking; the deadline monitor never notifies twice."""
import csv
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Appeal, Job, Notification, UserPlace
from tests.conftest import login

ROOT = Path(__file__).resolve().parents[2]
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _user(app, name):
    return app.appbuilder.sm.find_user(username=name)


def _launch_as(app, username, kind, params, **kw):
    from flask import g

    from app.jobs import launch

    with app.test_request_context():
        g.user = _user(app, username)
        return launch(kind, params, user_id=g.user.id, **kw).id


def test_export_runs_in_process_without_redis_and_keeps_the_clerks_scope(client, app):
    assert not app.config.get("REDIS_URL")
    login(client, "clerk")
    r = client.post("/jobs/export/Appeal/csv", data={})
    assert r.status_code == 302
    with app.app_context():
        job = db.session.execute(select(Job).where(Job.kind == "export").order_by(Job.created_at.desc()).limit(1)).scalar_one()
        assert job.status == "finished" and job.progress == 100 and os.path.exists(job.result_path)
        place = db.session.get(UserPlace, _user(app, "clerk").id).place_id
        expected = db.session.execute(select(func.count()).where(Appeal.reception_place_id == place)).scalar_one()
        job_id = job.id
    got = client.get(f"/jobs/download/{job_id}")
    rows = list(csv.reader(got.get_data(as_text=True).lstrip("\ufeff").splitlines(), delimiter=";"))
    assert len(rows) - 1 == expected
    login(client, "manager")
    assert client.get(f"/jobs/download/{job_id}").status_code == 404  # someone else's result


def test_export_masks_personal_data_for_a_head(client, app):
    login(client, "head")
    client.post("/jobs/export/Applicant/xlsx", data={})
    with app.app_context():
        job = db.session.execute(select(Job).where(Job.kind == "export", Job.user_id == _user(app, "head").id)
                                 .order_by(Job.created_at.desc()).limit(1)).scalar_one()
        assert job.status == "finished", job.error
        from openpyxl import load_workbook

        ws = load_workbook(job.result_path, read_only=True).active
        values = [str(c) for row in ws.iter_rows(min_row=2, values_only=True) for c in row if c]
    import re

    assert not any(re.fullmatch(r"\d{12}", v) for v in values)
    assert any("******" in v for v in values)


def test_export_with_filters_matches_the_list(client, app):
    login(client, "manager")
    client.post("/jobs/export/Appeal/csv", data={"_flt_0_status": "refused"})
    with app.app_context():
        job = db.session.execute(select(Job).where(Job.kind == "export", Job.user_id == _user(app, "manager").id)
                                 .order_by(Job.created_at.desc()).limit(1)).scalar_one()
        expected = db.session.execute(select(func.count()).where(Appeal.status == "refused")).scalar_one()
        with open(job.result_path, encoding="utf-8-sig") as fh:
            assert sum(1 for _ in fh) - 1 == expected


def test_a_crashing_job_ends_failed_with_its_error(app):
    job_id = _launch_as(app, "manager", "crash", {"why": "disk full"})
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.status == "failed" and "disk full" in job.error and job.ended_at is not None


def test_the_same_job_twice_while_running_is_refused(app):
    from app.jobs import DuplicateJob

    with app.app_context():
        db.session.add(Job(id=uuid.uuid4().hex, kind="deadline_monitor", key="deadline_monitor", status="running",
                           params={}))
        db.session.commit()
    with pytest.raises(DuplicateJob):
        _launch_as(app, "manager", "deadline_monitor", {}, key="deadline_monitor")
    with app.app_context():
        db.session.execute(Job.__table__.update().where(Job.key == "deadline_monitor").values(status="finished"))
        db.session.commit()


def test_R29_deadline_monitor_notifies_once_per_term(client, jwt, app):
    from tests.api.test_workflow_api import new_appeal, today

    a = new_appeal(client, jwt, app, received_at=(today() - timedelta(days=20)).isoformat() + "T10:00:00")
    responsible = None
    with app.app_context():
        responsible = _user(app, "responsible").id
    assert client.post(f"/api/v1/appeal/{a['id']}/assign", json={"assignee": responsible}, headers=jwt()).status_code == 200
    first = _launch_as(app, "manager", "deadline_monitor", {})
    second = _launch_as(app, "manager", "deadline_monitor", {})
    with app.app_context():
        rows = db.session.execute(select(Notification).where(Notification.appeal_id == a["id"],
                                                             Notification.kind != "overdue")).scalars().all()
        assert [(n.user_id, n.rule) for n in rows] == [(responsible, "R29")]
        assert db.session.get(Job, second).message == "0"
        assert db.session.get(Job, first).status == "finished"
    login(client, "responsible")
    page = client.get("/appealview/list/").get_data(as_text=True)
    assert 'id="bell"' in page and 'class="badge' in page
    assert a["reg_number"] in client.get("/jobs/notifications").get_data(as_text=True)


def test_R29_managers_are_reminded_of_every_overdue_appeal_once_saying_whose_and_how_late(client, jwt, app):
    from app.services.monitor import run_monitor
    from tests.api.test_workflow_api import new_appeal, today

    a = new_appeal(client, jwt, app, received_at=(today() - timedelta(days=30)).isoformat() + "T10:00:00")
    with app.app_context():
        due = db.session.get(Appeal, a["id"]).due_on
        assert due < today()
        run_monitor()
        run_monitor()
        manager, clerk = _user(app, "manager").id, _user(app, "clerk").id
        rows = db.session.execute(select(Notification.user_id).where(Notification.appeal_id == a["id"],
                                                                     Notification.kind == "overdue")).scalars().all()
        assert manager in rows and clerk not in rows and rows.count(manager) == 1
        applicant = db.session.get(Appeal, a["id"]).applicant.full_name
    login(client, "manager")
    page = client.get("/jobs/notifications?_l_=en").get_data(as_text=True)
    row = next(line for line in page.split("<tr") if a["reg_number"] in line and "R29" in line)
    assert applicant in row and f"{(today() - due).days} days late" in row


def _redis_app(app):
    from redis import Redis

    conn = Redis.from_url(REDIS)
    conn.ping()  # a missing Redis fails the test (CI starts it): never a skip
    return conn


def test_export_on_a_real_redis_with_rqs_simple_worker(app, monkeypatch):
    from rq import Queue, SimpleWorker

    conn = _redis_app(app)
    queue = f"appeals-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS)
    monkeypatch.setitem(app.config, "RQ_QUEUE", queue)
    job_id = _launch_as(app, "manager", "export", {"register": "District", "format": "csv", "args": {}})
    with app.app_context():
        assert db.session.get(Job, job_id).status == "queued"
        SimpleWorker([Queue(queue, connection=conn)], connection=conn).work(burst=True)
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        assert job.status == "finished" and job.progress == 100 and os.path.exists(job.result_path)
    from rq.job import Job as RqJob

    assert RqJob.fetch(job_id, connection=conn).meta.get("progress") == 100


def test_a_real_rq_worker_process_runs_the_job(app, monkeypatch, tmp_path):
    conn = _redis_app(app)
    queue = f"appeals-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS)
    monkeypatch.setitem(app.config, "RQ_QUEUE", queue)
    monkeypatch.setitem(app.config, "EXPORT_DIR", str(tmp_path))
    job_id = _launch_as(app, "manager", "export", {"register": "Category", "format": "xlsx", "args": {}})
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": REDIS,
           "APP_ENV": "development", "INSTANCE_PATH": str(tmp_path), "PYTHONPATH": str(ROOT),
           "EXPORT_DIR": str(tmp_path)}
    rq = Path(sys.executable).with_name("rq")
    done = subprocess.run([str(rq), "worker", "--burst", "--url", REDIS, queue], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    with app.app_context():
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        assert job.status == "finished", (job.status, job.error, done.stderr[-1500:])
        assert job.progress == 100 and job.result_path.endswith(".xlsx") and os.path.exists(job.result_path)
    conn.delete(f"rq:queue:{queue}")


def test_jobs_page_shows_progress_bars(client, app):
    login(client, "manager")
    client.post("/jobs/export/District/csv", data={})
    body = client.get("/jobs/").get_data(as_text=True)
    assert 'role="progressbar"' in body and "jobs.js" in body


def test_R38_the_weekly_sample_runs_as_a_system_job(app):
    from app.jobs import launch

    with app.app_context():
        job = launch("survey_sample", {"days": 3650, "share": 0.05, "not_called_within_days": 0}, user_id=None,
                     key=f"survey_sample:test-{uuid.uuid4().hex[:6]}")
        assert job.status == "finished", job.error
    from flask import g

    from app.models import Appeal
    from app.security.scope import scope_clause

    with app.test_request_context():
        g.user = None
        assert scope_clause(Appeal) is not None  # anonymous: nothing
        g.system_job = True
        assert scope_clause(Appeal) is None  # a scheduled job: every row


def test_cron_schedules_are_registered():
    import importlib

    from rq import cron

    cron._job_data_registry.clear()
    importlib.reload(importlib.import_module("app.cron"))
    entries = {d["func"].__name__: d for d in cron._job_data_registry}
    cron._job_data_registry.clear()
    assert entries["deadline_monitor_today"]["cron"] == "0 7 * * 1-5"
    assert entries["survey_sample_this_week"]["queue_name"] == "appeals"
    assert entries["reap_jobs"]["cron"] == "*/10 * * * *"


def _report(client, app, **form):
    login(client, "manager")
    r = client.post("/reports/", data=form)
    assert r.status_code == 302
    with app.app_context():
        return db.session.execute(select(Job).where(Job.kind == "report").order_by(Job.created_at.desc()).limit(1)).scalar_one()


def test_R40_quarterly_report_counts_match_the_register(client, app):
    from datetime import date

    from openpyxl import load_workbook

    q = (date.today().month - 1) // 3 + 1
    job = _report(client, app, kind="quarter", year=str(date.today().year), part=str(q), lang="ru", format="xlsx")
    assert job.status == "finished", job.error
    from app.services.reports import period

    start, end = period("quarter", date.today().year, q)
    with app.app_context():
        expected = db.session.execute(select(func.count()).where(Appeal.registered_on.between(start, end))).scalar_one()
    rows = list(load_workbook(job.result_path, read_only=True).active.iter_rows(values_only=True))
    # the first section: appeals by channel, from its header row to the blank line
    first = next(i for i, r in enumerate(rows) if r and r[1] is not None)
    channel_rows = []
    for r in rows[first + 1:]:
        if not r or r[0] is None:
            break
        channel_rows.append(r)
    assert sum(r[1] for r in channel_rows) == expected


def test_R40_quarterly_report_pdf_in_kazakh_has_its_charts(client, app):
    from datetime import date

    q = (date.today().month - 1) // 3 + 1
    job = _report(client, app, kind="quarter", year=str(date.today().year), part=str(q), lang="kk", format="pdf")
    assert job.status == "finished", job.error
    data = open(job.result_path, "rb").read()
    assert data[:5] == b"%PDF-" and data.count(b"/Subtype /Image") >= 3
    assert job.result_name.endswith("-kk.pdf")


def test_M7_6_half_year_part_must_be_one_or_two(client, app):
    login(client, "manager")
    r = client.post("/reports/", data={"kind": "half", "year": "2026", "part": "3", "lang": "ru", "format": "xlsx"},
                    follow_redirects=True)
    assert "alert-danger" in r.get_data(as_text=True)


SAMPLE = ROOT / "tests" / "data" / "national_export_sample.csv"


def _import(client, app, path):
    login(client, "manager")
    with open(path, "rb") as fh:
        r = client.post("/imports/", data={"file": (fh, Path(path).name)}, content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    with app.app_context():
        return db.session.execute(select(Job).where(Job.kind == "import").order_by(Job.created_at.desc()).limit(1)).scalar_one()


def test_import_applies_the_whole_file_and_skips_it_the_second_time(client, app):
    with app.app_context():
        before = db.session.execute(select(func.count()).select_from(Appeal)).scalar_one()
    job = _import(client, app, SAMPLE)
    assert job.status == "finished", job.error
    assert job.message == "3 / 0"
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Appeal)).scalar_one() == before + 3
        late = db.session.execute(select(Appeal).where(Appeal.external_id == "EO-2026-000102")).scalar_one()
        assert late.registered_on.isoformat() == "2026-10-07"  # received at 19:40 (R25)
        assert late.district.kato == "334600000" and late.privilege == "disabled"
    again = _import(client, app, SAMPLE)
    assert again.status == "finished" and again.message == "0 / 3"


def test_import_with_a_bad_row_imports_nothing_and_reports_the_row(client, app, tmp_path):
    bad = tmp_path / "bad.csv"
    text = SAMPLE.read_text(encoding="utf-8").replace("EO-2026-0001", "EO-2026-0009")
    text = text.replace("e_appeals", "pigeon_post").replace("900101300007", "900101300008")
    bad.write_text(text, encoding="utf-8")
    with app.app_context():
        before = db.session.execute(select(func.count()).select_from(Appeal)).scalar_one()
    job = _import(client, app, bad)
    assert job.status == "failed" and "nothing imported" in job.error
    report = Path(job.result_path).read_text(encoding="utf-8-sig")
    assert "2," in report and "3," in report and "pigeon_post" in report
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Appeal)).scalar_one() == before


def test_a_clerk_cannot_import_into_another_place(client, app):
    from app.models import UserPlace

    with app.app_context():
        mine = db.session.get(UserPlace, _user(app, "clerk").id).place_id
    text = SAMPLE.read_text(encoding="utf-8").replace("EO-2026-0001", "EO-2026-0077")
    other = 1 if mine != 1 else 2
    path = ROOT / "test-artifacts" / f"clerk-import-{uuid.uuid4().hex[:6]}.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text.replace(",1,", f",{other},"), encoding="utf-8")
    login(client, "clerk")
    with open(path, "rb") as fh:
        client.post("/imports/", data={"file": (fh, path.name)}, content_type="multipart/form-data")
    with app.app_context():
        job = db.session.execute(select(Job).where(Job.kind == "import", Job.user_id == _user(app, "clerk").id)
                                 .order_by(Job.created_at.desc()).limit(1)).scalar_one()
        assert job.status == "failed"
        assert not db.session.execute(select(Appeal).where(Appeal.external_id.like("EO-2026-0077%"))).first()
    path.unlink()


class _SmtpSink:
    """A local SMTP server that keeps what it receives (no network)."""

    def __init__(self):
        import socketserver
        import threading

        self.messages = []
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                self.wfile.write(b"220 sink\r\n")
                data, in_data = [], False
                for raw in self.rfile:
                    line = raw.decode("utf-8", "replace")
                    if in_data:
                        if line in (".\r\n", ".\n"):
                            sink.messages.append("".join(data))
                            data, in_data = [], False
                            self.wfile.write(b"250 ok\r\n")
                        else:
                            data.append(line)
                        continue
                    cmd = line[:4].upper()
                    if cmd == "DATA":
                        in_data = True
                        self.wfile.write(b"354 go\r\n")
                    elif cmd == "QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    elif cmd == "EHLO":
                        self.wfile.write(b"250 sink\r\n")
                    else:
                        self.wfile.write(b"250 ok\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_R29_reminders_are_emailed_once_through_smtp(client, jwt, app, monkeypatch):
    from tests.api.test_workflow_api import new_appeal, today

    sink = _SmtpSink()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", sink.port)
    try:
        a = new_appeal(client, jwt, app, received_at=(today() - timedelta(days=25)).isoformat() + "T10:00:00")
        with app.app_context():
            clerk = _user(app, "clerk").id  # an employee of the appeal's place, with an e-mail address
        assert client.post(f"/api/v1/appeal/{a['id']}/assign", json={"assignee": clerk}, headers=jwt()).status_code == 200
        _launch_as(app, "manager", "deadline_monitor", {})
        _launch_as(app, "manager", "deadline_monitor", {})
    finally:
        sink.close()
    mine = [m for m in sink.messages if "clerk@qabyldau.local" in m]
    assert len(mine) == 1 and a["reg_number"] in mine[0]


def test_results_are_kept_for_the_configured_time_only(client, app):
    from datetime import datetime

    from app.jobs.tasks import expire_results

    login(client, "manager")
    client.post("/jobs/export/Category/csv", data={})
    with app.app_context():
        job = db.session.execute(select(Job).where(Job.kind == "export").order_by(Job.created_at.desc()).limit(1)).scalar_one()
        path, job_id = job.result_path, job.id
        assert os.path.exists(path)
        expire_results(now=datetime.utcnow())  # within the keeping time: the file stays
        assert os.path.exists(path)
        expire_results(now=datetime.utcnow() + timedelta(seconds=app.config["JOB_RESULT_TTL"] + 60))
        db.session.expire_all()
        assert db.session.get(Job, job_id).result_path is None and not os.path.exists(path)


def test_import_failing_midway_leaves_nothing_behind_although_progress_was_reported(client, app, tmp_path, monkeypatch):
    """Progress goes to the job row on a connection of its own, so a failure
    after the applicants and appeals were written rolls all of them back."""
    from app.models import AppealEvent, Applicant, AuditLog
    from app.services import importer

    def boom(*args, **kwargs):
        raise RuntimeError("disk full while writing the history")

    monkeypatch.setattr("app.jobs.reporting.PROGRESS_EVERY", 0.0)  # every step reports
    monkeypatch.setattr(importer, "registration_event", boom)
    text = SAMPLE.read_text(encoding="utf-8").replace("EO-2026-0001", "EO-2026-0055")
    path = tmp_path / "midway.csv"
    path.write_text(text, encoding="utf-8")

    def counts():
        with app.app_context():
            return [db.session.execute(select(func.count()).select_from(m)).scalar_one()
                    for m in (Appeal, Applicant, AppealEvent, AuditLog)]

    before = counts()
    job = _import(client, app, path)
    assert job.status == "failed" and "disk full" in (job.error or "")
    assert counts() == before


def test_an_export_is_of_the_list_it_was_asked_from_and_named_in_the_users_language(client, app):
    """Two lists share the ReceptionSession rights (sessions, participation
    requests): the export button of each exports that list, and the Jobs page
    names it by its translated title, never by a code."""
    from app.models import ParticipationRequest

    login(client, "manager")
    client.get("/lang/ru")
    page = client.get("/participationrequestview/list/").get_data(as_text=True)
    assert "/jobs/export/ParticipationRequestView/csv" in page
    assert client.post("/jobs/export/ParticipationRequestView/csv", data={}).status_code == 302
    with app.app_context():
        job = db.session.execute(select(Job).where(Job.kind == "export").order_by(Job.created_at.desc()).limit(1)).scalar_one()
        assert job.status == "finished", job.error
        expected = db.session.execute(select(func.count()).select_from(ParticipationRequest)).scalar_one()
        job_id = job.id
    rows = list(csv.reader(client.get(f"/jobs/download/{job_id}").get_data(as_text=True).lstrip("\ufeff").splitlines(),
                           delimiter=";"))
    assert len(rows) - 1 == expected
    assert "Привлекаемый орган (R18)" in rows[0], rows[0]  # the participation list, not the sessions
    jobs_page = client.get("/jobs/").get_data(as_text=True)
    assert "ParticipationRequestView" not in jobs_page and ": Участие других органов" in jobs_page
    # a list that does not exist, or one the user may not read, is refused
    assert client.post("/jobs/export/NoSuchView/csv", data={}).status_code == 403
    login(client, "clerk")
    assert client.post("/jobs/export/AuditLogView/csv", data={}).status_code == 403


def test_exports_open_in_a_spreadsheet_as_data_in_the_users_language(client, app):
    """CSV as Russian-locale Excel opens it (";", BOM), a plain CSV for
    programs, XLSX with typed dates, a frozen header and a filter; the
    sheet and the file carry the list's translated title."""
    from datetime import date

    from openpyxl import load_workbook

    def export(fmt):
        client.post(f"/jobs/export/HigherInstructionView/{fmt}", data={})
        with app.app_context():
            return db.session.execute(select(Job).where(Job.kind == "export").order_by(Job.created_at.desc())
                                      .limit(1)).scalar_one()

    login(client, "manager")
    client.get("/lang/kk")
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("kk"):
        title = gettext("Instructions of higher bodies (M9)")
    job = export("csv")
    raw = open(job.result_path, "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf") and ";" in raw.decode("utf-8-sig").splitlines()[0]
    assert job.result_name.startswith(title) and job.result_name.endswith(".csv")
    plain = export("csv-plain")
    text = open(plain.result_path, "rb").read()
    assert not text.startswith(b"\xef\xbb\xbf") and "," in text.decode().splitlines()[0]
    xlsx = export("xlsx")
    ws = load_workbook(xlsx.result_path).active
    assert ws.title == title[:31] and ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    dates = [c.value for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, date)]
    assert dates, "dates are typed, not text"


def test_twenty_parallel_launches_of_one_job_queue_it_once(app, monkeypatch):
    """Twenty clicks on "Retrain now" at once (or cron on two hosts): one row
    and one rq job; the others are told it is already running."""
    from concurrent.futures import ThreadPoolExecutor

    from rq import Queue

    from app.jobs import DuplicateJob, launch

    conn = _redis_app(app)
    queue = f"appeals-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS)
    monkeypatch.setitem(app.config, "RQ_QUEUE", queue)
    key = f"probe-parallel-{uuid.uuid4().hex[:8]}"

    def one(_):
        with app.app_context():
            try:
                return launch("probe", {"seconds": 0}, user_id=None, key=key).id
            except DuplicateJob:
                return "duplicate"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(one, range(20)))
    launched = [r for r in results if r != "duplicate"]
    with app.app_context():
        rows = db.session.execute(select(Job).where(Job.key == key)).scalars().all()
        assert len(launched) == 1 and len(rows) == 1, results
        assert Queue(queue, connection=conn).count == 1
        db.session.delete(rows[0])
        db.session.commit()
    Queue(queue, connection=conn).empty()
