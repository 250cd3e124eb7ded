"""The benchmark data generator: a small run on SQLite and on PostgreSQL,
checked against the schema's rules and served by the app."""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.domain.vocabulary import ANSWER_ACTIONS
from bench.generate import generate, make_config
from tests.conftest import drop_database

PG_ADMIN_URL = os.environ.get("TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
N = 2000
PASSWORD = "bench-test-pass-123"


@pytest.fixture(params=["sqlite", "postgresql"])
def bench_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bench.db'}"
        return
    admin = make_url(PG_ADMIN_URL)
    name = f"qab_bench_test_{uuid.uuid4().hex[:8]}"
    yield admin.set(database=name).render_as_string(hide_password=False)
    drop_database(admin, name)


def test_generate_fills_a_usable_database(bench_url):
    summary = generate(bench_url, N, seed=7, fresh=True, password=PASSWORD)
    rows = summary["rows"]
    assert rows["appeal"] == N
    assert rows["applicant"] == N // 3
    assert rows["appeal_event"] >= N
    assert rows["reception_session"] > 0 and rows["survey_call"] > 0 and rows["instruction"] > 0

    engine = create_engine(bench_url)
    with engine.connect() as conn:
        one = lambda sql: conn.execute(text(sql)).scalar_one()  # noqa: E731
        assert one("SELECT count(*) FROM appeal") == N
        assert one("SELECT count(*) FROM applicant") >= N // 3
        assert one("SELECT count(DISTINCT reg_number) FROM appeal") == N
        assert one("SELECT count(*) FROM appeal WHERE NOT (due_on >= answer_due_on AND answer_due_on >= registered_on)") == 0
        assert one("SELECT count(*) FROM appeal WHERE status = 'scheduled' AND session_id IS NULL") == 0
        assert one("SELECT count(*) FROM appeal WHERE status = 'closed' AND closed_on IS NULL") == 0
        assert one("SELECT count(*) FROM appeal a WHERE NOT EXISTS "
                   "(SELECT 1 FROM appeal_event e WHERE e.appeal_id = a.id AND e.action = 'register')") == 0
        # the answer day is the day of the first answering event, as the app keeps it
        actions = ", ".join(f"'{a}'" for a in ANSWER_ACTIONS)
        assert one("SELECT count(*) FROM appeal WHERE answered_on IS NOT NULL") > N // 2
        day = "date(min(e.at))" if bench_url.startswith("sqlite") else "CAST(min(e.at) AS DATE)"
        distinct = "IS NOT" if bench_url.startswith("sqlite") else "IS DISTINCT FROM"
        assert one(f"SELECT count(*) FROM appeal a WHERE a.answered_on {distinct} "
                   f"(SELECT {day} FROM appeal_event e "
                   f"WHERE e.appeal_id = a.id AND e.action IN ({actions}))") == 0
        # Foreign keys hold although the load skips their checks.
        for child, col, parent in [("appeal", "applicant_id", "applicant"), ("appeal", "session_id", "reception_session"),
                                   ("appeal", "official_id", "official"), ("appeal", "category_id", "category"),
                                   ("appeal_event", "appeal_id", "appeal"), ("instruction", "protocol_id", "protocol"),
                                   ("survey_call", "appeal_id", "appeal")]:
            assert one(f"SELECT count(*) FROM {child} c WHERE c.{col} IS NOT NULL AND NOT EXISTS "
                       f"(SELECT 1 FROM {parent} p WHERE p.id = c.{col})") == 0, (child, col)
        statuses = dict(conn.execute(text("SELECT status, count(*) FROM appeal GROUP BY status")).all())
        assert len(statuses) >= 6 and max(statuses.values()) < N * 0.9, statuses
        langs = dict(conn.execute(text("SELECT language, count(*) FROM appeal GROUP BY language")).all())
        assert 0.35 < langs["kk"] / N < 0.55
        last_reg = conn.execute(text("SELECT reg_number FROM appeal ORDER BY id DESC LIMIT 1")).scalar_one()
    engine.dispose()

    from app import create_app

    app = create_app(make_config(bench_url))
    client = app.test_client()
    r = client.post("/login/", data={"username": "manager", "password": PASSWORD})
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    r = client.get("/appealview/list/")
    assert r.status_code == 200
    assert last_reg in r.get_data(as_text=True)
    with app.app_context():
        from app.extensions import db

        if db.engine.dialect.name == "postgresql":  # new rows get ids past the loaded ones
            for table in ("appeal", "appeal_event", "applicant", "reception_session"):
                nxt = db.session.execute(text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))")).scalar_one()
                assert nxt > db.session.execute(text(f"SELECT max(id) FROM {table}")).scalar_one()
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
