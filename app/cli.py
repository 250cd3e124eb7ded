"""Commands: ``flask --app run demo load``, ``users set-place``, ``roles sync``,
``worker``, ``backup``, ``restore``."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app.extensions import db

demo_cli = AppGroup("demo", help="The demo data set.")
users_cli = AppGroup("users", help="Users of the panel.")
roles_cli = AppGroup("roles", help="Roles and permissions.")


@roles_cli.command("sync")
def roles_sync() -> None:
    """Create every view's permissions and give each role exactly its grants."""
    from app.security.sync import sync_roles

    for role, n in sync_roles().items():
        click.echo(f"{role}: {n} permissions")


@roles_cli.command("matrix")
def roles_matrix() -> None:
    """Print the role × register matrix (docs/security.md)."""
    from app.security.roles import matrix_markdown

    click.echo(matrix_markdown(), nl=False)


def _new_demo_password() -> str:
    """Random, and within the password policy (letters and digits, 10+ characters)."""
    while True:
        password = secrets.token_urlsafe(12)
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def demo_password_file(path: Path) -> str:
    """The demo users' password kept in PATH, readable and writable by its
    owner only (mode 600): a random one is written when the file is missing or
    empty; an existing file's mode is narrowed to 600 first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "r+", encoding="utf-8") as fh:
        password = fh.read().strip()
        if not password:
            password = _new_demo_password()
            fh.seek(0)
            fh.truncate()
            fh.write(password + "\n")
    return password


@demo_cli.command("load")
@click.option("--password", default=None, help="Password of every demo user (default: random, printed).")
@click.option("--password-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Read the password from this file; written (mode 600) with a random one if missing.")
@click.option("--url", default=None, help="Where the panel is served: printed above the demo logins.")
@click.option("--appeals", type=click.IntRange(min=1), default=None,
              help="How many demo appeals (default: the DEMO_APPEALS setting, 2000).")
def demo_load(password: str | None, password_file: Path | None, url: str | None, appeals: int | None) -> None:
    """Load the Zhetysu demo data (idempotent) and the demo users."""
    if current_app.config.get("APP_ENV") == "production":
        raise click.ClickException("demo load refuses to run when APP_ENV=production")
    if password and password_file:
        raise click.UsageError("give --password or --password-file, not both")
    if appeals is not None:
        current_app.config["DEMO_APPEALS"] = appeals
    if password_file is not None:
        try:
            password = demo_password_file(password_file)
        except OSError as exc:  # a directory, a symbolic link, no permission
            raise click.ClickException(f"cannot use the password file {password_file}: {exc.strerror}") from None
        where = f"password in {password_file.resolve()}, mode 600"
    else:
        password = password or _new_demo_password()
        where = f"password: {password}"
    from app.demo.loader import load_demo
    from app.security.sync import sync_roles

    sync_roles()
    result = load_demo(password)
    click.echo()
    if url:
        click.echo(f"  Qabyldau: {url}")
    click.echo("  Demo data " + ("loaded." if result["created"] else "already present: left as it is."))
    click.echo(f"  Demo logins ({where}):")
    for username, role in result["users"]:
        click.echo(f"    {username:<12} {role}")
    click.echo()


@users_cli.command("set-place")
@click.argument("username")
@click.argument("place_id", type=int)
def set_place(username: str, place_id: int) -> None:
    """Bind USERNAME to the reception place PLACE_ID (scopes Clerk, Responsible)."""
    from app.models import ReceptionPlace, UserPlace

    user = current_app.appbuilder.sm.find_user(username=username)
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    place = db.session.get(ReceptionPlace, place_id)
    if place is None:
        raise click.ClickException(f"no reception place with id {place_id}")
    row = db.session.get(UserPlace, user.id)
    if row is None:
        db.session.add(UserPlace(user_id=user.id, place_id=place.id))
    else:
        row.place_id = place.id
    db.session.commit()
    click.echo(f"{username} → {place.name_ru} (#{place.id})")


@click.command("worker")
def worker() -> None:
    """Run an rq worker on the ``RQ_QUEUE`` queue, ``appeals`` by default (needs REDIS_URL)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("REDIS_URL is not set: jobs run in-process, no worker is needed")
    from redis import Redis
    from rq import Queue, Worker

    conn = Redis.from_url(url)
    queue = current_app.config.get("RQ_QUEUE") or "appeals"
    Worker([Queue(queue, connection=conn)], connection=conn).work(with_scheduler=True)


@click.group("jobs")
def jobs_cli() -> None:
    """Background jobs: reconcile rows with rq, check a worker."""


@jobs_cli.command("reap")
@with_appcontext
def jobs_reap() -> None:
    """End the rows of jobs whose worker died (see app/jobs/reaper.py)."""
    from app.jobs.reaper import reconcile

    result = reconcile()
    for job_id, status in result.changed.items():
        click.echo(f"{job_id}: {status}")
    workers = "" if result.workers is None else f", {result.workers} live worker(s)"
    click.echo(f"{result.checked} unfinished job(s) checked, {len(result.changed)} corrected{workers}.")


@jobs_cli.command("probe")
@click.option("--seconds", default=3, show_default=True, type=click.IntRange(0, 600))
@with_appcontext
def jobs_probe(seconds: int) -> None:
    """Queue a job that waits SECONDS: a worker that runs it is alive."""
    from app.jobs import DuplicateJob, JobsUnavailable, launch

    try:
        job = launch("probe", {"seconds": seconds})
    except DuplicateJob as exc:
        raise click.ClickException(f"a probe is already queued or running: job {exc.job_id}") from None
    except JobsUnavailable:
        raise click.ClickException("Redis cannot be reached: the probe was not queued") from None
    click.echo(f"probe job {job.id}: {job.status}")


calendar_cli = AppGroup("calendar", help="The working-day calendar.")


@calendar_cli.command("recompute")
@click.option("--dry-run", is_flag=True, help="Only list the appeals whose terms would move.")
@click.option("--note", default="", help="The act or the update that changed the calendar.")
def calendar_recompute(dry_run: bool, note: str) -> None:
    """Count the terms of every running appeal again with the calendar as it
    is now (after an update of the national calendar, the ``holidays``
    package); each moved term is recorded in the appeal's history."""
    from app.extensions import db
    from app.services import calendar_changes

    if dry_run:
        moves = calendar_changes.preview(None)
    else:
        import holidays

        moves = calendar_changes.apply(None, None, note or f"holidays {holidays.__version__}")
        db.session.commit()
    for m in moves:
        click.echo(f"{m.reg_number}: " + ", ".join(f"{k} {a:%d.%m.%Y} -> {b:%d.%m.%Y}" for k, (a, b) in m.changes.items()))
    click.echo(f"{len(moves)} appeal(s) {'would move' if dry_run else 'recomputed'}.")


compliance_cli = AppGroup("compliance", help="The compliance board.")


@compliance_cli.command("snapshot")
def compliance_snapshot() -> None:
    """Record today's figures of the compliance board (the daily record that
    "a week ago" and "a month ago" read; the past cannot be recorded later)."""
    from app.services.compliance import take_snapshot

    click.echo(f"{take_snapshot()} rows recorded")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_cmd(path: str) -> None:
    """Write the whole database to PATH (pg_dump custom format, or a SQLite copy)."""
    from app.ops.backup import BackupError, backup

    try:
        done = backup(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    from app.ops.backup import files_archive

    click.echo(f"Backup written to {done} ({done.stat().st_size} bytes).")
    if files_archive(done).exists():
        click.echo(f"Attached files written to {files_archive(done)}: keep it with the dump.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Replace a database that already holds data.")
@with_appcontext
def restore_cmd(path: str, yes: bool) -> None:
    """Replace the database's content with the backup at PATH."""
    from app.ops.backup import BackupError, restore

    try:
        files = restore(path, yes=yes)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    if files:
        click.echo(f"{files} attached file(s) restored.")
    click.echo(f"Restored from {path}. Run `flask db upgrade` if the backup is older than this release.")


alerts_cli = AppGroup("alerts", help="Systemic-problem alerts (M7.1).")


@alerts_cli.command("scan")
@click.option("--week", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Any day of the ISO week to scan, YYYY-MM-DD (default: the last full week).")
def alerts_scan(week) -> None:
    """Test the week's count of every district x topic against its baseline;
    a signal becomes an alert (once) for the control department and the heads."""
    from app.services.alerts import scan

    result = scan(week.date() if week else None)
    click.echo(f"week of {result.week.isoformat()}: {result.tested} district x topic pair(s) at the minimum count, "
               f"{len(result.created)} new alert(s), {result.notifications} notification(s), {result.emails} e-mail(s).")


region_cli = AppGroup("region", help="The region's reference books, from a data pack (docs/deployment.md).")


def _read_region_pack(path: str, load, **kwargs):
    """Run ``load(path)``; a refused pack prints every error (file:line: message) and exits non-zero."""
    from flask_babel import force_locale

    from app.services.region_pack import PackInvalid

    with force_locale("en"):
        try:
            return load(path, **kwargs)
        except PackInvalid as exc:
            for error in exc.errors:
                click.echo(str(error), err=True)
            raise click.ClickException(f"the pack was refused: {len(exc.errors)} error(s); nothing was written") from None


def _pack_summary(region: dict) -> str:
    return f"{region['name_ru']} / {region['name_kk']} (pack {region['code']} {region['version']})"


@region_cli.command("check")
@click.argument("pack", type=click.Path(file_okay=False))
def region_check(pack: str) -> None:
    """Check the pack in directory PACK without writing anything."""
    from app.services.region_pack import read_pack

    p = _read_region_pack(pack, read_pack)
    click.echo(f"{_pack_summary(p.region)}: {len(p.districts)} districts, {len(p.departments)} departments, "
               f"{len(p.officials)} officials, {len(p.places)} places, {len(p.topics)} topics. The pack is valid.")


@region_cli.command("load")
@click.argument("pack", type=click.Path(file_okay=False))
@click.option("--dry-run", is_flag=True, help="Check and count what would change; write nothing.")
def region_load(pack: str, dry_run: bool) -> None:
    """Load (or update) the region's districts, departments, officials, places and topics from PACK."""
    from app.services.region_pack import load_pack

    result = _read_region_pack(pack, load_pack, dry_run=dry_run)
    click.echo(_pack_summary(result.region))
    for book, counts in result.counts.items():
        click.echo(f"  {book:<12} {counts['created']} created, {counts['updated']} updated, "
                   f"{counts['deactivated']} deactivated")
    click.echo("Dry run: nothing was written." if dry_run else
               ("Loaded." if result.changed() else "Nothing to change: the database already holds this pack."))


def register_cli(app: Flask) -> None:
    app.cli.add_command(region_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(roles_cli)
    app.cli.add_command(worker)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(calendar_cli)
    app.cli.add_command(compliance_cli)
    app.cli.add_command(alerts_cli)
    app.cli.add_command(backup_cmd)
    app.cli.add_command(restore_cmd)
