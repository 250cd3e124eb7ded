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


def _cli_caught(application, *args):
    result = application.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output + repr(result.exception or "")


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


def _restored_copy(app, target_uri, dump):
    """``app``'s backup restored into ``target_uri``: an app on that copy,
    which only this test uses (nothing else holds its tables)."""
    from app import create_app

    assert _cli(app, "backup", str(dump))[0] == 0
    target = create_app(_make_config(target_uri))
    target.config["DB_KIND"] = app.config["DB_KIND"]
    code, out = _cli(target, "restore", str(dump))
    assert code == 0, out
    return target


def _dispose(application):
    with application.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()


def test_restore_with_yes_over_the_same_database_keeps_the_append_only_history(app, fresh_target, tmp_path):
    """On PostgreSQL the history tables refuse UPDATE and DELETE (triggers):
    a restore over them drops and reloads the tables, and the triggers stay."""
    dump = tmp_path / "same.dump"
    target = _restored_copy(app, fresh_target, dump)
    try:
        before = fingerprint(fresh_target)
        code, out = _cli(target, "restore", "--yes", str(dump))
        assert code == 0, out
        assert fingerprint(fresh_target) == before
        if app.config["DB_KIND"] == "postgresql":
            engine = create_engine(fresh_target)
            try:
                with engine.connect() as conn, pytest.raises(Exception, match="append-only"):
                    conn.execute(text("DELETE FROM appeal_event WHERE id = (SELECT min(id) FROM appeal_event)"))
            finally:
                engine.dispose()
    finally:
        _dispose(target)


def test_a_restore_while_a_panel_is_connected_says_so_and_changes_nothing(app, fresh_target, tmp_path):
    """A panel still connected to PostgreSQL holds the tables (pg_restore
    would wait for ever): the restore refuses at once with a sentence saying
    what to do, and the data stay as they were. On SQLite the file is copied
    with sqlite3's backup API, which takes its own lock: nothing to refuse."""
    dump = tmp_path / "held.dump"
    target = _restored_copy(app, fresh_target, dump)
    if app.config["DB_KIND"] == "sqlite":
        assert _cli(target, "restore", "--yes", str(dump))[0] == 0
        _dispose(target)
        return
    engine = create_engine(fresh_target)
    try:
        before = fingerprint(fresh_target)
        with engine.connect() as holder:
            holder.execute(text("SELECT count(*) FROM appeal"))  # an open transaction keeps its lock
            code, out = _cli_caught(target, "restore", "--yes", str(dump))
            holder.rollback()
        assert code != 0
        assert "other connection(s) to the database are open" in out and "stop them" in out, out
        assert fingerprint(fresh_target) == before
    finally:
        engine.dispose()
        _dispose(target)


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


def test_the_attached_files_are_backed_up_beside_the_dump_and_restored(app, fresh_target, tmp_path):
    """The scanned appeals and signed letters live under ATTACHMENTS_DIR, not
    in the database: a backup without them would lose them."""
    from app import create_app
    from app.ops.backup import files_archive

    source_dir, target_dir = tmp_path / "files-source", tmp_path / "files-target"
    (source_dir / "ab").mkdir(parents=True)
    (source_dir / "ab" / "scan-1").write_bytes(b"%PDF-1.4 the scanned appeal")
    app.config["ATTACHMENTS_DIR"] = str(source_dir)
    try:
        dump = tmp_path / "with-files.dump"
        code, out = _cli(app, "backup", str(dump))
        assert code == 0, out
        assert files_archive(dump).is_file() and "Attached files written" in out
    finally:
        app.config["ATTACHMENTS_DIR"] = None
    target = create_app(_make_config(fresh_target))
    target.config["ATTACHMENTS_DIR"] = str(target_dir)
    code, out = _cli(target, "restore", str(dump))
    assert code == 0, out
    assert (target_dir / "ab" / "scan-1").read_bytes() == b"%PDF-1.4 the scanned appeal"
    assert "1 attached file(s) restored" in out
    with target.app_context():
        from app.extensions import db

        db.engine.dispose()


def test_a_files_archive_that_reaches_outside_the_directory_is_refused(app, tmp_path):
    import io
    import tarfile

    from app.ops.backup import BackupError, _restore_files, files_archive

    dump = tmp_path / "evil.dump"
    with tarfile.open(files_archive(dump), "w") as tar:
        data = b"owned"
        info = tarfile.TarInfo("../../escaped")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "files")
    try:
        with app.app_context(), pytest.raises(BackupError, match="could not be restored"):
            _restore_files(dump)
    finally:
        app.config["ATTACHMENTS_DIR"] = None
    assert not (tmp_path.parent / "escaped").exists() and not (tmp_path / "escaped").exists()
