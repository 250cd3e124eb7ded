"""The API edge holds: a write the database refuses is a translated 4xx with
no SQL in it, and parallel writes on PostgreSQL neither double-book a
session nor lose an update (real parallel requests to a live server)."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Appeal, Applicant, Category, Official, Protocol, ReceptionPlace, ReceptionSession
from tests.conftest import DEMO_PASSWORD, login

SQL_WORDS = ("INSERT", "UPDATE ", "SELECT", "UNIQUE constraint", "duplicate key", "violates", "psycopg", "sqlite3",
             "CHECK constraint", "Traceback")


def _no_sql(body: str) -> None:
    assert not any(w in body for w in SQL_WORDS), body[:400]


def test_a_duplicate_is_a_409_with_a_sentence_not_sql(client, jwt, app):
    h = jwt("manager")
    with app.app_context():
        taken = db.session.execute(select(Protocol.number).order_by(Protocol.id).limit(1)).scalar_one()
        other = db.session.execute(select(Protocol.id).where(Protocol.number != taken).order_by(Protocol.id)
                                   .limit(1)).scalar_one()
        session_id = db.session.execute(select(ReceptionSession.id).limit(1)).scalar_one()
        code = db.session.execute(select(Category.code).limit(1)).scalar_one()
    r = client.post("/api/v1/protocol/", json={"number": taken, "session": session_id, "drawn_up_on": "2026-11-20",
                                               "summary": "x"}, headers=h)
    assert r.status_code == 409, r.get_data(as_text=True)
    _no_sql(r.get_data(as_text=True))
    r = client.put(f"/api/v1/protocol/{other}", json={"number": taken}, headers=h)
    assert r.status_code == 409, r.get_data(as_text=True)
    _no_sql(r.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(Protocol, other).number != taken
    r = client.post("/api/v1/category/", json={"code": code, "name_kk": "x", "name_ru": "x", "active": True}, headers=h)
    assert r.status_code == 409
    _no_sql(r.get_data(as_text=True))


def test_a_refused_write_is_logged_once_without_a_traceback(client, jwt, app, caplog):
    """A duplicate is the user's mistake, answered 409: the log says so in a
    line (no ERROR, no traceback, no SQL or values — FAB logged all three)."""
    import logging

    with app.app_context():
        code = db.session.execute(select(Category.code).limit(1)).scalar_one()
    with caplog.at_level(logging.INFO):
        r = client.post("/api/v1/category/", json={"code": code, "name_kk": "x", "name_ru": "x", "active": True},
                        headers=jwt("manager"))
    assert r.status_code == 409
    mine = [rec for rec in caplog.records if rec.name.startswith(("app.fab", "flask_appbuilder.models"))]
    assert [rec.levelname for rec in mine] == ["INFO"], [(rec.name, rec.levelname, rec.getMessage()) for rec in mine]
    assert mine[0].exc_info is None and code not in mine[0].getMessage()


def test_a_check_constraint_is_a_422_with_a_sentence_not_sql(client, jwt, app):
    r = client.post("/api/v1/applicant/", json={"kind": "legal_entity", "full_name": "Без организации",
                                                "authority_document": "Доверенность № 7"}, headers=jwt("manager"))
    assert r.status_code == 422, r.get_data(as_text=True)
    _no_sql(r.get_data(as_text=True))
    assert "message" in r.get_json()


def test_the_form_says_what_is_wrong_with_a_duplicate(client, app):
    login(client, "manager")
    with app.app_context():
        code = db.session.execute(select(Category.code).limit(1)).scalar_one()
        before = db.session.execute(select(func.count()).select_from(Category)).scalar_one()
    r = client.post("/categoryview/add", data={"code": code, "name_kk": "Қайталау", "name_ru": "Повтор",
                                                "active": "y"}, follow_redirects=True)
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    _no_sql(body)
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Category)).scalar_one() == before


# --- parallel requests against a live server on PostgreSQL --------------------------
@pytest.fixture(scope="module")
def pg_live(pg_database_url):
    """The panel on the PostgreSQL test database, served by a threaded
    server on loopback: requests really run at the same time."""
    from werkzeug.serving import make_server

    from tests.conftest import _build_app

    live = _build_app(pg_database_url)
    server = make_server("127.0.0.1", 0, live, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    token = live.test_client().post("/api/v1/security/login", json={
        "username": "manager", "password": DEMO_PASSWORD, "provider": "db"}).get_json()["access_token"]
    yield live, f"http://127.0.0.1:{server.server_port}", token
    server.shutdown()
    with live.app_context():
        db.session.remove()
        db.engine.dispose()


def _call(method, url, token, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method=method,
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def _fire(n, fn):
    barrier = threading.Barrier(n)

    def one(i):
        barrier.wait()
        return fn(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def test_R29_twenty_parallel_bookings_never_exceed_a_sessions_places(pg_live):
    from app.services.appeals import prepare_registration
    from app.services.clock import today

    live, base, token = pg_live
    from tests.builders import fresh_official

    official_id = fresh_official(live)  # no backlog of the demo waits for them (R28)
    with live.app_context():
        official = db.session.get(Official, official_id)
        place = db.session.execute(select(ReceptionPlace).order_by(ReceptionPlace.id).limit(1)).scalar_one()
        template = db.session.execute(select(Appeal).order_by(Appeal.id).limit(1)).scalar_one()
        session = ReceptionSession(official_id=official.id, place_id=place.id, day=today() + timedelta(days=47),
                                   starts_at=time(7, 13), ends_at=time(7, 43), capacity=1, kind="regular")
        db.session.add(session)
        ids = []
        for i in range(20):
            appeal = Appeal(channel="by_hand", received_at=datetime.now() - timedelta(days=1), language="ru",
                            substance=f"Параллельная запись {i}", applicant_id=template.applicant_id,
                            reception_place_id=place.id, district_id=template.district_id,
                            category_id=template.category_id, official_id=official.id)
            prepare_registration(appeal, None)
            db.session.add(appeal)
            db.session.flush()
            ids.append(appeal.id)
        db.session.commit()
        session_id = session.id
    answers = _fire(20, lambda i: _call("POST", f"{base}/api/v1/appeal/{ids[i]}/schedule", token,
                                        {"session": session_id}))
    codes = sorted(code for code, _ in answers)
    assert codes.count(200) == 1 and codes.count(422) == 19, codes
    # full (R29), or the last place kept for an earlier appeal of the twenty (R28)
    assert all(body.get("rule") in ("R28", "R29") for code, body in answers if code == 422)
    with live.app_context():
        booked = db.session.execute(select(func.count()).where(Appeal.session_id == session_id)).scalar_one()
    assert booked == 1


def test_twenty_parallel_puts_with_the_same_version_save_exactly_one(pg_live):
    live, base, token = pg_live
    with live.app_context():
        appeal = db.session.execute(select(Appeal).where(Appeal.status == "registered").order_by(Appeal.id.desc())
                                    .limit(1)).scalar_one()
        appeal_id, version = appeal.id, appeal.version
    answers = _fire(20, lambda i: _call("PUT", f"{base}/api/v1/appeal/{appeal_id}", token,
                                        {"version": version, "substance": f"Правка {i}"}))
    codes = sorted(code for code, _ in answers)
    assert codes.count(200) == 1 and codes.count(409) == 19, [a for a in answers if a[0] != 409]
    for _code, body in answers:
        _no_sql(json.dumps(body, ensure_ascii=False))
    winner = next(i for i, (code, _) in enumerate(answers) if code == 200)
    with live.app_context():
        saved = db.session.get(Appeal, appeal_id)
        assert saved.version == version + 1 and saved.substance == f"Правка {winner}"


@pytest.mark.parametrize("q", ["((((", "1.7792482148572916e+16", "-1.7976931348623157e+308", "5", "(page:-3)",
                               "(page:9223372036854775808)", "(filters:!((col:id,opr:eq,value:9223372036854775808)))",
                               "(filters:!((col:substance,opr:eq,value:'a\x00b')))"])
@pytest.mark.parametrize("path", ["/api/v1/appeal/", "/api/v1/district/_info", "/api/v1/appeal/1"])
def test_a_broken_or_out_of_range_q_is_a_400(client, jwt, q, path):
    r = client.get(path, query_string={"q": q}, headers=jwt("manager"))
    assert r.status_code == 400, (q, path, r.status_code)
    _no_sql(r.get_data(as_text=True))


def test_a_number_filter_on_a_text_column_is_just_text(client, jwt):
    r = client.get("/api/v1/appeal/", query_string={"q": "(filters:!((col:substance,opr:ct,value:1)))"},
                   headers=jwt("manager"))
    assert r.status_code == 200


@pytest.mark.parametrize("body", [{"full_name": "x\u0000y", "kind": "individual"},
                                  {"full_name": "\ud800", "kind": "individual"},
                                  {"full_name": "x", "kind": "individual", "district": 9223372036854775808},
                                  {"full_name": "x", "kind": "individual", "foreigner": "yes"},
                                  {"full_name": "x", "kind": "individual", "foreigner": 1}])
def test_values_no_field_can_hold_are_a_400_or_422_never_a_500(client, jwt, app, body):
    with app.app_context():
        before = db.session.execute(select(func.count()).select_from(Applicant)).scalar_one()
    r = client.post("/api/v1/applicant/", json=body, headers=jwt("manager"))
    assert r.status_code in (400, 422), (body, r.status_code)
    _no_sql(r.get_data(as_text=True))
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Applicant)).scalar_one() == before


def test_an_empty_iin_is_no_iin(client, jwt):
    r = client.post("/api/v1/applicant/", json={"kind": "individual", "full_name": "Без ИИН", "iin": ""},
                    headers=jwt("manager"))
    assert r.status_code == 201, r.get_data(as_text=True)
    got = client.get(f"/api/v1/applicant/{r.get_json()['id']}", headers=jwt("manager")).get_json()["result"]
    assert got["iin"] is None


def test_unknown_methods_and_routes_answer_json(client, jwt):
    r = client.put("/api/v1/appeal/_info", json={}, headers=jwt("manager"))
    assert r.status_code == 405 and "GET" in r.headers["Allow"] and r.is_json
    r = client.patch("/api/v1/appeal/", json={}, headers=jwt("manager"))
    assert r.status_code == 405 and r.is_json
    r = client.get("/api/v1/no-such-thing/", headers=jwt("manager"))
    assert r.status_code == 404 and r.is_json


def test_a_broken_token_is_a_401(client):
    r = client.get("/api/v1/appeal/", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401 and r.is_json


def test_number_filters_in_the_ui_still_filter_and_beyond_any_number_match_nothing(client, app):
    from tests.views.test_registers import record_count

    with app.app_context():
        from app.models import AuditLog

        row = db.session.execute(select(AuditLog.table_name, AuditLog.record_id).where(
            AuditLog.record_id.is_not(None)).order_by(AuditLog.id).limit(1)).one()
        expected = db.session.execute(select(func.count()).where(
            AuditLog.table_name == row[0], AuditLog.record_id == row[1])).scalar_one()
    login(client, "manager")
    base = f"/auditlogview/list/?_flt_0_table_name={row[0]}"
    assert record_count(client.get(f"{base}&_flt_0_record_id={row[1]}").get_data(as_text=True)) == expected > 0
    r = client.get(f"{base}&_flt_0_record_id=99999999999999999999999")
    assert r.status_code == 200 and record_count(r.get_data(as_text=True)) == 0


def test_exports_keep_a_formula_typed_by_a_user_as_text(client, jwt, app):
    import csv

    from openpyxl import load_workbook

    from app.models import Job
    from app.services.cells import csv_cell, is_formula_like

    assert csv_cell("+7 701 555 12 34") == "+7 701 555 12 34" and not is_formula_like("-5")
    formula = '=HYPERLINK("http://evil.example/x","нажмите")'
    r = client.post("/api/v1/category/", json={"code": "99.97", "name_kk": formula, "name_ru": formula,
                                               "active": True}, headers=jwt("manager"))
    assert r.status_code == 201, r.get_data(as_text=True)
    login(client, "manager")
    for fmt in ("csv", "xlsx"):
        client.post(f"/jobs/export/Category/{fmt}", data={"_flt_0_code": "99.97"})
        with app.app_context():
            job = db.session.execute(select(Job).where(Job.kind == "export").order_by(Job.created_at.desc())
                                     .limit(1)).scalar_one()
            path = job.result_path
        if fmt == "csv":
            with open(path, encoding="utf-8-sig") as fh:
                cells = [c for row in csv.reader(fh, delimiter=";") for c in row]
            assert "'" + formula in cells, cells
        else:
            ws = load_workbook(path).active
            found = [c for row in ws.iter_rows() for c in row if c.value == formula]
            assert found and all(c.data_type == "s" for c in found), [(c.value, c.data_type) for c in found]


def test_a_body_over_the_limit_is_a_413_in_json(client, jwt, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    r = client.post("/api/v1/applicant/", data=json.dumps({"full_name": "x" * 5000}),
                    content_type="application/json", headers=jwt("manager"))
    assert r.status_code == 413 and r.is_json


def test_dates_out_of_any_sane_range_are_refused(client, jwt, app):
    from tests.api.test_rest import _appeal_body

    h = jwt("manager")
    r = client.post("/api/v1/appeal/", json=_appeal_body(app, received_at="0001-01-01T10:00:00"), headers=h)
    assert r.status_code in (400, 422) and "received_at" in json.dumps(r.get_json()), r.get_json()
    with app.app_context():
        appeal_id = db.session.execute(select(Appeal.id).where(Appeal.status == "registered")
                                       .order_by(Appeal.id.desc()).limit(1)).scalar_one()
    r = client.post(f"/api/v1/appeal/{appeal_id}/request-correction",
                    json={"fix_by": "9999-12-31", "reason": "Нет адреса"}, headers=h)
    assert r.status_code == 400 and "fix_by" in r.get_json()["message"], r.get_json()
    with app.app_context():
        assert db.session.get(Appeal, appeal_id).status == "registered"


def test_R25_a_receipt_before_2000_is_refused_by_the_service(app_ctx):
    from datetime import datetime

    from app.services.appeals import registration_terms
    from app.services.errors import RuleViolation

    with pytest.raises(RuleViolation) as err:
        registration_terms(datetime(1999, 12, 31, 10, 0))
    assert err.value.rule == "R25"
