"""`make run`: it installs what serving needs only, serves on the PORT and
HOST given, keeps the demo password in a file only its owner may read, and
its set-up steps print no FAB warning."""
from __future__ import annotations

import logging
import os
import re
import stat
import subprocess
from pathlib import Path

from app.cli import demo_password_file
from tests.conftest import DEMO_PASSWORD, login

ROOT = Path(__file__).resolve().parents[2]
TEST_TOOLS = {"pytest", "pytest-xdist", "pytest-timeout", "hypothesis", "playwright", "schemathesis",
              "ruff", "import-linter", "grimp"}


def _requirements(name: str) -> tuple[list[str], dict[str, str]]:
    """The -r includes and the pinned packages (name → the whole line) of a file."""
    includes, pins = [], {}
    for line in (ROOT / name).read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("-r "):
            includes.append(line[3:].strip())
            continue
        m = re.match(r"^([A-Za-z0-9_.-]+)(\[[a-z,]+\])?==\S+\s+# \S", line)
        assert m, f"{name}: not pinned with a comment: {line!r}"
        pins[m.group(1).lower()] = line
    return includes, pins


def test_serving_requirements_hold_no_test_tool_and_the_test_ones_include_them():
    includes, serving = _requirements("requirements.txt")
    assert includes == [] and serving, "requirements.txt is what production installs: pins only"
    assert not TEST_TOOLS & set(serving), sorted(TEST_TOOLS & set(serving))
    assert {"flask", "flask-appbuilder", "gunicorn", "rq", "babel"} <= set(serving)
    test_includes, test_only = _requirements("requirements-test.txt")
    assert test_includes == ["requirements.txt"]
    assert set(test_only) >= TEST_TOOLS
    assert not set(test_only) & set(serving), "a package pinned in both files"


def _dry_run(*args: str) -> str:
    """What make would run, every target taken as out of date (-B), nothing run (-n)."""
    return subprocess.run(["make", "-n", "-B", *args], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout


def test_make_run_installs_the_serving_requirements_only_and_serves_on_port_and_host():
    run = _dry_run("run", "PORT=8123", "HOST=0.0.0.0")
    assert "pip install -q -r requirements.txt" in run
    assert "requirements-test" not in run
    assert re.search(r'flask --app run run --host "0\.0\.0\.0" --port "8123"', run), run
    assert '--url "http://0.0.0.0:8123"' in run
    default = _dry_run("run")
    assert re.search(r'--host "127\.0\.0\.1" --port "5000"', default), default
    for target in ("test", "test-fast", "screenshots", "prod-check", "mutants", "install"):
        assert "pip install -q -r requirements-test.txt" in _dry_run(target), target


def test_production_installs_the_serving_requirements_only():
    deployment = (ROOT / "docs" / "deployment.md").read_text()
    installs = re.findall(r"pip install -r\s+([\w.-]+)", deployment)
    assert installs and set(installs) == {"requirements.txt"}, installs
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_demo_password_file_is_readable_by_its_owner_only(tmp_path):
    from app.security.hardening import password_policy

    path = tmp_path / "instance" / "demo_password"
    old = os.umask(0)  # not the umask's doing
    try:
        password = demo_password_file(path)
    finally:
        os.umask(old)
    assert _mode(path) == 0o600
    assert path.read_text() == password + "\n"
    password_policy(password)  # letters and digits, long enough
    assert demo_password_file(path) == password  # kept from one start to the next


def test_an_existing_demo_password_file_is_narrowed_to_600_and_an_empty_one_filled(tmp_path):
    path = tmp_path / "demo_password"
    path.write_text("Kept-pass-2026\n")
    path.chmod(0o644)
    assert demo_password_file(path) == "Kept-pass-2026" and _mode(path) == 0o600
    path.write_text("")
    path.chmod(0o666)
    assert len(demo_password_file(path)) >= 10 and _mode(path) == 0o600


def test_demo_load_refuses_a_symbolic_link_as_password_file(app, tmp_path):
    target = tmp_path / "elsewhere"
    target.write_text("x")
    link = tmp_path / "demo_password"
    link.symlink_to(target)
    result = app.test_cli_runner().invoke(args=["demo", "load", "--password-file", str(link)])
    assert result.exit_code == 1 and "cannot use the password file" in result.output
    assert "Traceback" not in result.output and target.read_text() == "x"
    both = app.test_cli_runner().invoke(args=["demo", "load", "--password", "x", "--password-file", str(target)])
    assert both.exit_code == 2 and "not both" in both.output


def test_demo_load_with_a_password_file_prints_the_url_the_logins_and_where_the_password_is(app, tmp_path):
    path = tmp_path / "demo_password"
    path.write_text(DEMO_PASSWORD + "\n")  # the other tests log in with it
    path.chmod(0o644)
    result = app.test_cli_runner().invoke(
        args=["demo", "load", "--password-file", str(path), "--url", "http://127.0.0.1:8123"])
    assert result.exit_code == 0, result.output
    assert _mode(path) == 0o600
    out = result.output
    assert "Qabyldau: http://127.0.0.1:8123" in out and f"password in {path.resolve()}, mode 600" in out
    assert DEMO_PASSWORD not in out  # the banner says where it is, not what
    for username, role in [("admin", "Admin"), ("manager", "Manager"), ("clerk2", "Clerk"),
                           ("auditor", "Auditor"), ("official", "Official")]:
        assert re.search(rf"^\s+{username}\s+{role}$", out, re.M), out
    login(app.test_client(), "manager")  # with the file's password


def test_roles_sync_logs_no_fab_warning_and_creates_every_views_permissions(app, caplog):
    runner = app.test_cli_runner()
    with caplog.at_level(logging.INFO):
        for _ in range(2):  # a second sync finds everything in place
            result = runner.invoke(args=["roles", "sync"])
            assert result.exit_code == 0, result.output
    noisy = [str(r.msg) for r in caplog.records  # the template: its arguments are detached rows by now
             if r.name.startswith("flask_appbuilder") and r.levelno >= logging.WARNING]
    assert noisy == []
    with app.app_context():
        sm = app.appbuilder.sm
        missing = [(perm, view.class_permission_name) for view in app.appbuilder.baseviews
                   for perm in view.base_permissions or ()
                   if sm.find_permission_view_menu(perm, view.class_permission_name) is None]
        assert missing == []
        menus = [item.name for category in app.appbuilder.menu.get_list()
                 for item in (category, *(category.childs or [])) if item.name and item.name != "-"]
        assert all(sm.find_permission_view_menu("menu_access", name) for name in menus)
