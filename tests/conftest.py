"""Fixtures: the app on SQLite and on PostgreSQL, migrated, with demo data.

Tests that take ``app`` (or ``client``, ``db_session``) run once per
database. PostgreSQL is a real server (``TEST_PG_URL``, default the local
trust-auth one); a database is created for this test process and dropped at
the end. An unreachable PostgreSQL fails the run: nothing is skipped.
"""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import TestingConfig

PG_ADMIN_URL = os.environ.get("TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DEMO_PASSWORD = "demo-pass-123"
TEST_APPEALS = 240


def _make_config(uri: str):
    class Cfg(TestingConfig):
        SQLALCHEMY_DATABASE_URI = uri
        DEMO_APPEALS = TEST_APPEALS
        SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    return Cfg


def _build_app(uri: str):
    from flask_migrate import upgrade

    from app import create_app
    from app.demo.loader import load_demo
    from app.security.sync import sync_roles

    app = create_app(_make_config(uri))
    with app.app_context():
        upgrade()
        sync_roles()
        load_demo(DEMO_PASSWORD)
    return app


@pytest.fixture(scope="session")
def pg_database_url():
    admin = make_url(PG_ADMIN_URL)
    name = f"qab_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:8]}"
    try:
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # a missing service is a failure, never a skip
        pytest.fail(f"PostgreSQL at {admin.render_as_string(hide_password=True)} is not reachable: {exc}")
    yield admin.set(database=name).render_as_string(hide_password=False)
    engine.dispose()
    drop_database(admin, name)


def drop_database(admin, name: str) -> None:
    """Drop a test database, ending the connections still open to it."""
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"),
            {"n": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    engine.dispose()



@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    if request.param == "sqlite":
        uri = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        uri = request.getfixturevalue("pg_database_url")
    application = _build_app(uri)
    application.config["DB_KIND"] = request.param
    yield application
    with application.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app
        from app.extensions import db

        db.session.rollback()
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


def login(client, username: str, password: str = DEMO_PASSWORD):
    client.get("/logout/")
    r = client.post("/login/", data={"username": username, "password": password})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return client


@pytest.fixture
def manager(client):
    return login(client, "manager")


@pytest.fixture
def jwt(app):
    """``jwt(username)`` → Authorization headers for the REST API."""
    tokens: dict[str, str] = {}

    def _get(username: str = "manager") -> dict:
        if username not in tokens:
            r = app.test_client().post(
                "/api/v1/security/login",
                json={"username": username, "password": DEMO_PASSWORD, "provider": "db"},
            )
            assert r.status_code == 200, r.get_data(as_text=True)
            tokens[username] = r.get_json()["access_token"]
        return {"Authorization": f"Bearer {tokens[username]}"}

    return _get


def make_appeal(app, received_at, **over) -> int:
    """Register an appeal through the service (as the form does); its id."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Appeal, Applicant, Category, Official, ReceptionPlace
    from app.services.appeals import prepare_registration

    with app.app_context():
        official = db.session.execute(select(Official).where(Official.active.is_(True)).limit(1)).scalar_one()
        fields = dict(
            channel="by_hand", received_at=received_at, language="ru", substance="Прошу принять по вопросу",
            applicant=db.session.execute(select(Applicant).limit(1)).scalar_one(),
            reception_place=db.session.execute(select(ReceptionPlace).limit(1)).scalar_one(),
            category=db.session.execute(select(Category).where(Category.parent_id.is_not(None)).limit(1)).scalar_one(),
            official=official,
        )
        fields.update(over)
        appeal = Appeal(**fields)
        appeal.district = appeal.applicant.district or db.session.execute(
            select(ReceptionPlace).limit(1)).scalar_one().district
        prepare_registration(appeal, None)
        db.session.add(appeal)
        db.session.commit()
        return appeal.id
