"""``flask backup`` / ``flask restore``: a dump restored into a fresh database
holds every appeal, every step of its history and the whole audit log; a
restore over data needs ``--yes``."""
from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_ADMIN_URL, _make_config

FINGERPRINTS = {
    "appeal": "SELECT id, reg_number, status, version FROM appeal ORDER BY id",
    "appeal_event": "SELECT id, appeal_id, action, to_status FROM appeal_event ORDER BY id",
    "audit_log": "SELECT id, operation, table_name, record_id FROM audit_log ORDER BY id",
    "applicant": "SELECT id, full_name FROM applicant ORDER BY id",
    "ab_user": "SELECT id, username FROM ab_user ORDER BY id",
}


def fingerprint(uri: str) -> dict[str, tuple[int, str]]:
    """Per table: the row count and a checksum of the ids and key columns."""
    engine = create_engine(uri)
    try:
        with engine.connect() as conn:
            out = {}
            for table, sql in FINGERPRINTS.items():
                rows = conn.execute(text(sql)).all()
                out[table] = (len(rows), hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest())
            return out
    finally:
        engine.dispose()


@pytest.fixture
def fresh_target(app, tmp_path):
    """An empty database of the same kind as ``app``'s; its URI."""
    if app.config["DB_KIND"] == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    admin = create_engine(make_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    name = f"qab_restore_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n "
                          "AND pid <> pg_backend_pid()"), {"n": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def _cli(application, *args):
    result = application.test_cli_runner().invoke(args=list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_a_backup_restored_into_a_fresh_database_has_every_appeal_and_its_history(app, fresh_target, tmp_path):
    from app import create_app

    source = app.config["SQLALCHEMY_DATABASE_URI"]
    before = fingerprint(source)
    assert before["appeal"][0] > 0 and before["appeal_event"][0] > 0 and before["audit_log"][0] > 0
    dump = tmp_path / "qabyldau.dump"
    code, out = _cli(app, "backup", str(dump))
    assert code == 0, out
    assert dump.stat().st_size > 0

    target = create_app(_make_config(fresh_target))
    code, out = _cli(target, "restore", str(dump))
    assert code == 0, out
    with target.app_context():
        from app.extensions import db

        db.engine.dispose()
    assert fingerprint(fresh_target) == before


def test_restore_refuses_a_database_with_data_without_yes(app, tmp_path):
    dump = tmp_path / "again.dump"
    assert _cli(app, "backup", str(dump))[0] == 0
    code, out = _cli(app, "restore", str(dump))
    assert code != 0 and "--yes" in out


def test_restore_with_yes_over_the_same_database_keeps_the_append_only_history(app, tmp_path):
    """On PostgreSQL the history tables refuse UPDATE and DELETE (triggers):
    a restore over them drops and reloads the tables, and the triggers stay."""
    source = app.config["SQLALCHEMY_DATABASE_URI"]
    before = fingerprint(source)
    dump = tmp_path / "same.dump"
    assert _cli(app, "backup", str(dump))[0] == 0
    code, out = _cli(app, "restore", "--yes", str(dump))
    assert code == 0, out
    assert fingerprint(source) == before
    if app.config["DB_KIND"] == "postgresql":
        engine = create_engine(source)
        try:
            with engine.connect() as conn, pytest.raises(Exception, match="append-only"):
                conn.execute(text("DELETE FROM appeal_event WHERE id = (SELECT min(id) FROM appeal_event)"))
        finally:
            engine.dispose()


def test_restore_refuses_a_file_that_is_no_backup(app, tmp_path):
    junk = tmp_path / "junk.dump"
    junk.write_bytes(b"not a backup at all")
    code, out = _cli(app, "restore", "--yes", str(junk))
    assert code != 0 and "is not" in out


def test_libpq_url_keeps_the_password_off_the_command_line():
    from app.ops.backup import libpq_args

    conninfo, env = libpq_args(make_url("postgresql+psycopg://qab:s3cret@db.example:5433/qabyldau?sslmode=require"))
    assert conninfo == "postgresql://qab@db.example:5433/qabyldau?sslmode=require"
    assert env["PGPASSWORD"] == "s3cret"
