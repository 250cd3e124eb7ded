"""M9 / M7.6 through the real stack (SQLite and PostgreSQL): the register of
the instructions of higher bodies, its reminders and its half-year report."""
from datetime import date, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Department, HigherInstruction, Notification
from tests.conftest import login


def _body(app, **over):
    with app.app_context():
        dept = db.session.execute(select(Department.id).order_by(Department.id).limit(1)).scalar_one()
    today = date.today()
    body = {"issuer": "administration", "document_ref": "21-9001", "issued_on": (today - timedelta(days=20)).isoformat(),
            "received_on": (today - timedelta(days=18)).isoformat(), "subject": "Рассмотреть обращение о жилье",
            "department": dept, "due_on": (today - timedelta(days=2)).isoformat()}
    body.update(over)
    return body


def test_M9_the_control_department_registers_an_instruction_and_records_its_execution(client, jwt, app):
    r = client.post("/api/v1/higher_instruction/", json=_body(app), headers=jwt("manager"))
    assert r.status_code == 201, r.get_data(as_text=True)
    pk = r.get_json()["id"]
    # the execution is recorded with its report, never without
    r = client.put(f"/api/v1/higher_instruction/{pk}", json={"executed_on": date.today().isoformat()},
                   headers=jwt("manager"))
    assert r.status_code == 422 and r.get_json()["rule"] == "M9"
    r = client.put(f"/api/v1/higher_instruction/{pk}", json={"executed_on": date.today().isoformat(),
                                                             "report": "Дан ответ заявителю"}, headers=jwt("manager"))
    assert r.status_code == 200, r.get_data(as_text=True)
    assert client.delete(f"/api/v1/higher_instruction/{pk}", headers=jwt("manager")).status_code in (403, 405)


def test_M9_refused_with_the_rule_and_not_open_to_the_reception_clerks(client, jwt, app):
    r = client.post("/api/v1/higher_instruction/", json=_body(app, received_on="2020-01-01"), headers=jwt("manager"))
    assert r.status_code == 422 and r.get_json()["rule"] == "M9"
    assert client.post("/api/v1/higher_instruction/", json=_body(app), headers=jwt("clerk")).status_code == 403
    assert client.get("/api/v1/higher_instruction/", headers=jwt("clerk")).status_code == 403
    assert client.get("/api/v1/higher_instruction/", headers=jwt("head")).status_code == 200


def test_M9_overdue_instructions_stand_out_in_the_list(client, app):
    login(client, "manager")
    page = client.get("/higherinstructionview/list/?_oc_HigherInstructionView=due_on&_od_HigherInstructionView=asc")
    assert page.status_code == 200
    assert 'class="text-danger"' in page.get_data(as_text=True)  # the demo has overdue ones


def test_M9_the_monitor_reminds_the_control_department_once_per_term(app, client, jwt):
    from app.services.monitor import run_monitor

    r = client.post("/api/v1/higher_instruction/", json=_body(app, document_ref="21-9002"), headers=jwt("manager"))
    pk = r.get_json()["id"]
    with app.app_context():
        run_monitor()
        run_monitor()
        manager = app.appbuilder.sm.find_user(username="manager").id
        clerk = app.appbuilder.sm.find_user(username="clerk").id
        mine = db.session.execute(select(func.count()).where(Notification.higher_instruction_id == pk,
                                                             Notification.user_id == manager)).scalar_one()
        theirs = db.session.execute(select(func.count()).where(Notification.higher_instruction_id == pk,
                                                               Notification.user_id == clerk)).scalar_one()
        assert (mine, theirs) == (1, 0)
    login(client, "manager")
    page = client.get("/jobs/notifications").get_data(as_text=True)
    assert "21-9002" in page


def test_M7_6_the_half_year_report_accounts_for_the_register(client, app):
    from openpyxl import load_workbook

    from app.domain.higher import higher_state
    from app.models import Job
    from app.services.reports import period

    year, half = date.today().year, 1 if date.today().month <= 6 else 2
    login(client, "manager")
    r = client.post("/reports/", data={"kind": "half", "year": str(year), "part": str(half), "lang": "ru",
                                       "format": "xlsx"})
    assert r.status_code == 302
    with app.app_context():
        job = db.session.execute(select(Job).where(Job.kind == "report").order_by(Job.created_at.desc())
                                 .limit(1)).scalar_one()
        assert job.status == "finished", job.error
        start, end = period("half", year, half)
        rows = db.session.execute(select(HigherInstruction).where(HigherInstruction.received_on <= end)).scalars().all()
        counted = [i for i in rows if i.received_on >= start or i.executed_on is None or i.executed_on >= start]
        as_of = min(end, date.today())
        overdue = sum(higher_state(i.due_on, i.executed_on if i.executed_on and i.executed_on <= as_of else None,
                                   as_of) == "overdue" for i in counted)
    cells = list(load_workbook(job.result_path, read_only=True).active.iter_rows(values_only=True))
    text = "\n".join(str(c[0]) for c in cells if c and c[0])
    assert "поручений" in text.lower() and f"{len(counted)} поручений" in text
    in_all = next(c for c in cells if c and c[0] == "Всего")
    assert in_all[1] == len(counted) and in_all[5] == overdue
    assert {c[0] for c in cells if c} >= {i.document_ref for i in counted}


def test_M7_6_the_half_year_report_is_a_kazakh_pdf(client, app):
    from app.models import Job

    login(client, "manager")
    client.post("/reports/", data={"kind": "half", "year": str(date.today().year), "part": "2", "lang": "kk",
                                   "format": "pdf"})
    with app.app_context():
        job = db.session.execute(select(Job).where(Job.kind == "report").order_by(Job.created_at.desc())
                                 .limit(1)).scalar_one()
    assert job.status == "finished", job.error
    data = open(job.result_path, "rb").read()
    assert data[:5] == b"%PDF-" and job.result_name.endswith("-kk.pdf")
