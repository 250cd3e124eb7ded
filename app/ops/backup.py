"""``flask backup PATH`` and ``flask restore PATH``: the database to a file and back.

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists
--no-owner --single-transaction`` (all or nothing) against the configured
``DATABASE_URL``; the password goes to the tools through ``PGPASSWORD``, never
on the command line. The append-only triggers of ``appeal_event`` and
``audit_log`` fire on UPDATE and DELETE rows only: a restore drops the tables
and loads them with COPY before the triggers are created, so they never get
in the way. SQLite: the sqlite3 online backup API, page by page, safe while
the panel runs.

A restore refuses to overwrite a database that holds data unless told
``--yes``.

The attached files (``ATTACHMENTS_DIR``) are not in the database: the backup
writes them beside the dump as ``PATH.files.tar``, and the restore puts them
back (added to what is there; a member that would land outside the
directory is refused).
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, make_url

from app.extensions import db

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"
DATA_TABLES = ("appeal", "applicant", "ab_user")


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says why."""


def _url() -> URL:
    return make_url(str(db.engine.url.render_as_string(hide_password=False)))


def libpq_args(url: URL) -> tuple[str, dict[str, str]]:
    """A SQLAlchemy URL → (libpq connection URI without password, env with PGPASSWORD)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = URL.create("postgresql", url.username, None, url.host, url.port, url.database, url.query)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def _sqlite_file(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return url.database


def has_data() -> bool:
    """True when the target already holds appeals, applicants or users."""
    names = set(inspect(db.engine).get_table_names())
    with db.engine.connect() as conn:
        for table in DATA_TABLES:
            if table in names and conn.execute(text(f"SELECT 1 FROM {table} LIMIT 1")).first():
                return True
    return False


def backup(path: str | os.PathLike) -> Path:
    """Write the whole database to ``path``; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    url = _url()
    if url.get_backend_name() == "postgresql":
        conninfo, env = libpq_args(url)
        tmp = path.with_name(path.name + ".part")
        done = subprocess.run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(tmp), "--dbname", conninfo],
            env=env, capture_output=True, text=True,
        )
        if done.returncode != 0:
            tmp.unlink(missing_ok=True)
            raise BackupError("pg_dump failed: " + done.stderr.strip()[-2000:])
        tmp.replace(path)  # a half-written dump never takes the final name
    elif url.get_backend_name() == "sqlite":
        _sqlite_copy(_sqlite_file(url), str(path))
    else:
        raise BackupError(f"no backup for the {url.get_backend_name()} dialect")
    _backup_files(path)
    return path


def files_archive(path: str | os.PathLike) -> Path:
    """Where the attached files of the backup at ``path`` go."""
    path = Path(path)
    return path.with_name(path.name + ".files.tar")


def _backup_files(path: Path) -> Path | None:
    import tarfile

    from app.services.attachments import storage_dir

    source, archive = storage_dir(), files_archive(path)
    if not source.is_dir() or not any(source.iterdir()):
        archive.unlink(missing_ok=True)  # no stale archive beside a new dump
        return None
    tmp = archive.with_name(archive.name + ".part")
    with tarfile.open(tmp, "w") as tar:
        for item in sorted(source.rglob("*")):
            if item.is_file() and not item.is_symlink():
                tar.add(item, arcname=str(item.relative_to(source)), recursive=False)
    tmp.replace(archive)
    return archive


def _restore_files(path: Path) -> int:
    """The attached files saved beside the dump, back under ATTACHMENTS_DIR;
    how many."""
    import tarfile

    from app.services.attachments import storage_dir

    archive = files_archive(path)
    if not archive.is_file():
        return 0
    target = storage_dir()
    target.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(archive) as tar:
            members = [m for m in tar.getmembers() if m.isfile()]
            tar.extractall(target, members=members, filter="data")  # no absolute paths, no "..", no links
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{archive} could not be restored: {exc}") from None
    return len(members)



def _check_kind(path: Path, magic: bytes, what: str) -> None:
    with open(path, "rb") as fh:
        if fh.read(len(magic)) != magic:
            raise BackupError(f"{path} is not {what}")


def restore(path: str | os.PathLike, yes: bool = False) -> int:
    """Replace the database's content with the backup at ``path`` and put
    its attached files back; how many files."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no backup file {path}")
    url = _url()
    backend = url.get_backend_name()
    if backend not in ("postgresql", "sqlite"):
        raise BackupError(f"no restore for the {backend} dialect")
    _check_kind(path, PG_MAGIC if backend == "postgresql" else SQLITE_MAGIC,
                "a pg_dump custom-format file" if backend == "postgresql" else "a SQLite database")
    if not yes and has_data():
        raise BackupError("the database holds data: add --yes to replace it with the backup")
    if backend == "postgresql":
        # A panel or worker still connected holds the tables the restore drops:
        # pg_restore would wait for ever (its script sets lock_timeout = 0).
        others = db.session.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )).scalar_one()
        if others:
            raise BackupError(
                f"{others} other connection(s) to the database are open (the panel, its workers, a console): "
                "stop them, then restore again; nothing was changed"
            )
    # Our own pooled connections would hold locks the restore must take.
    db.session.remove()
    db.engine.dispose()
    if backend == "postgresql":
        conninfo, env = libpq_args(url)
        done = subprocess.run(
            [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
             "--single-transaction", "--exit-on-error", "--dbname", conninfo, str(path)],
            env=env, capture_output=True, text=True,
        )
        if done.returncode != 0:
            raise BackupError("pg_restore failed (nothing was changed): " + done.stderr.strip()[-2000:])
    else:
        _sqlite_copy(str(path), _sqlite_file(url))
    db.engine.dispose()
    return _restore_files(path)


def _sqlite_copy(source_file: str, target_file: str) -> None:
    """The whole of one SQLite database into another (sqlite3's backup API)."""
    source = sqlite3.connect(source_file)
    target = sqlite3.connect(target_file)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()
