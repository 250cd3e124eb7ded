"""``/health`` for the load balancer, request ids in headers and in every log record."""
from __future__ import annotations

import io
import json
import logging
import os

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_health_is_open_cheap_and_checks_the_database(client):
    r = client.get("/health")
    assert r.status_code == 200
    body = r.get_json()
    assert body.pop("jobs")["status"] == "ok"  # jobs in-process: nothing to wait for
    assert body == {"status": "ok", "database": "ok", "redis": "disabled"}
    assert r.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in r.headers  # no session for a probe
    assert client.head("/health").status_code == 200


def test_health_pings_redis_when_configured(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS)
    body = client.get("/health").get_json()
    assert set(body.pop("jobs")) >= {"status", "unfinished", "reaped"}
    assert body == {"status": "ok", "database": "ok", "redis": "ok"}
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    r = client.get("/health")
    assert r.status_code == 503
    body = r.get_json()
    body.pop("jobs")
    assert body == {"status": "fail", "database": "ok", "redis": "fail"}


def test_health_fails_when_the_database_does_not_answer(client, monkeypatch):
    from app.ops import health

    monkeypatch.setattr(health, "text", lambda sql: "not sql at all")
    r = client.get("/health")
    assert r.status_code == 503 and r.get_json()["database"] == "fail"
    assert "not sql" not in r.get_data(as_text=True)  # errors go to the log only


def test_a_sane_request_id_is_echoed_and_a_bad_one_replaced(client):
    assert client.get("/health", headers={"X-Request-ID": "lb-7f3a9c.42"}).headers["X-Request-ID"] == "lb-7f3a9c.42"
    bad = client.get("/health", headers={"X-Request-ID": "<script>alert(1)</script>"}).headers["X-Request-ID"]
    assert bad != "<script>alert(1)</script>" and len(bad) == 32
    too_long = client.get("/login/", headers={"X-Request-ID": "a" * 200}).headers["X-Request-ID"]
    assert len(too_long) == 32
    assert client.get("/health").headers["X-Request-ID"] != client.get("/health").headers["X-Request-ID"]


def test_every_log_record_carries_the_request_id_as_json(client, app):
    from app.ops.logging import ContextFilter, JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("qabyldau.request")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        client.get("/login/", headers={"X-Request-ID": "req-0123456789"})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    line = next(x for x in lines if x.get("path") == "/login/")
    assert line["request_id"] == "req-0123456789"
    assert line["method"] == "GET" and line["status"] == 200 and line["duration_ms"] >= 0
    assert {"time", "level", "logger", "message"} <= set(line)


def test_records_outside_a_request_carry_a_bound_id():
    from app.ops.logging import ContextFilter
    from app.request_id import reset_request_id, set_request_id

    record = logging.makeLogRecord({"msg": "job step"})
    token = set_request_id("job-abcdef12")
    try:
        ContextFilter().filter(record)
    finally:
        reset_request_id(token)
    assert record.request_id == "job-abcdef12"


def test_proxy_count_makes_the_client_address_the_forwarded_one():
    """Behind a load balancer and nginx (PROXY_COUNT=2) the rate limit and the
    audit log see the client, not nginx; a third, forged address is ignored."""
    from flask import request

    from app import create_app
    from tests.conftest import _make_config

    class Cfg(_make_config("sqlite://")):
        PROXY_COUNT = 2

    application = create_app(Cfg)
    application.add_url_rule("/_peer", "peer", lambda: f"{request.remote_addr} {request.scheme}")
    r = application.test_client().get("/_peer", environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={
        "X-Forwarded-For": "6.6.6.6, 203.0.113.7, 10.0.0.2", "X-Forwarded-Proto": "https"})
    assert r.get_data(as_text=True) == "203.0.113.7 https"


def test_a_job_logs_with_the_id_of_the_request_that_launched_it(app, monkeypatch):
    """The request id travels in the rq job's meta to the worker."""
    import uuid

    from flask import g
    from redis import Redis
    from rq import Queue, SimpleWorker
    from rq.job import Job as RqJob

    import app.jobs as jobs
    import app.worker as worker
    from app.request_id import current_request_id

    queue = f"appeals-ops-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS)
    monkeypatch.setitem(app.config, "RQ_QUEUE", queue)
    with app.test_request_context():
        g.request_id = "req-launch-42abc"
        g.user = app.appbuilder.sm.find_user(username="manager")
        job_id = jobs.launch("export", {"register": "District", "format": "csv", "args": {}}, user_id=g.user.id,
                             key=f"ops-test:{queue}").id  # never in the way of the same export elsewhere
    conn = Redis.from_url(REDIS)
    try:
        assert RqJob.fetch(job_id, connection=conn).meta["request_id"] == "req-launch-42abc"
        seen = []
        monkeypatch.setattr(worker, "run", lambda jid: seen.append((jid, current_request_id())))
        with app.app_context():
            SimpleWorker([Queue(queue, connection=conn)], connection=conn).work(burst=True)
        assert seen == [(job_id, "req-launch-42abc")]
        assert current_request_id() is None  # unbound after the job
    finally:
        from app.extensions import db
        from app.models import Job

        with app.app_context():  # the row the patched run() left queued
            db.session.get(Job, job_id).status = "finished"
            db.session.commit()
        for key in conn.scan_iter(match=f"*{queue}*"):
            conn.delete(key)
        for key in conn.scan_iter(match=f"rq:*{job_id}*"):
            conn.delete(key)
        conn.close()
