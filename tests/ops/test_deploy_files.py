"""The files docs/deployment.md installs agree with the code: every variable
the app reads is in the environment template, gunicorn's settings load, the
systemd units and the nginx site point at what exists."""
from __future__ import annotations

import configparser
import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _template_names() -> set[str]:
    names = set()
    for line in (DEPLOY / "qabyldau.env.example").read_text().splitlines():
        m = re.match(r"^([A-Z][A-Z0-9_]*)=", line)
        if m:
            names.add(m.group(1))
    return names


def test_the_environment_template_names_every_variable_the_app_reads():
    read = set(re.findall(r"os\.environ\.get\(\s*\"([A-Z0-9_]+)\"", (ROOT / "config.py").read_text()))
    from app.ops import SETTINGS

    read |= set(SETTINGS)
    read -= {"TEST_DATABASE_URL"}  # the tests' own
    missing = read - _template_names()
    assert not missing, f"deploy/qabyldau.env.example lacks {sorted(missing)}"
    assert "SECRET_KEY" in _template_names() and "APP_ENV" in _template_names()


def _load_gunicorn_conf(monkeypatch, **env):
    for key in ("GUNICORN_BIND", "GUNICORN_WORKERS", "GUNICORN_ACCESS_LOG"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", DEPLOY / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    conf = _load_gunicorn_conf(monkeypatch, GUNICORN_BIND="10.0.0.11:8000", GUNICORN_WORKERS="3",
                               GUNICORN_ACCESS_LOG="off")
    assert conf.bind == ["10.0.0.11:8000"] and conf.workers == 3 and conf.accesslog is None
    assert conf.preload_app is False and conf.worker_tmp_dir == "/dev/shm"
    assert conf.max_requests > 0 and conf.max_requests_jitter > 0 and conf.timeout > 0
    assert Path(conf.chdir) == ROOT
    default = _load_gunicorn_conf(monkeypatch)
    assert default.bind == ["127.0.0.1:8000"] and default.workers >= 3 and default.accesslog == "-"


def test_the_gunicorn_access_log_is_json_with_the_request_id(monkeypatch):
    import json
    import logging
    from datetime import timedelta
    from types import SimpleNamespace

    conf = _load_gunicorn_conf(monkeypatch)
    lines = []
    logger = conf.JsonLogger.__new__(conf.JsonLogger)
    logger.cfg = SimpleNamespace(accesslog="-", logconfig=None, logconfig_dict=None, syslog=False)
    logger.access_log = SimpleNamespace(info=lambda msg, extra: lines.append(extra["qab_json"]))
    resp = SimpleNamespace(headers=[("X-Request-ID", "abc123abc")], status_code=200, sent=12)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/health", "REMOTE_ADDR": "127.0.0.1",
               "QUERY_STRING": "_flt_0_iin=860101300123"}
    logger.access(resp, None, environ, timedelta(milliseconds=12))
    assert lines == []  # a healthy probe is not logged
    environ["PATH_INFO"] = "/appealview/list/"
    logger.access(resp, None, environ, timedelta(milliseconds=12))
    entry = json.loads(lines[0])
    assert entry["request_id"] == "abc123abc" and entry["status"] == 200 and entry["path"] == "/appealview/list/"
    assert "860101300123" not in lines[0]  # query strings may carry an ИИН: never logged
    assert logging.getLevelName(entry["level"]) == logging.INFO


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / name)
    return parser


def test_systemd_units_run_what_the_docs_say():
    web = _unit("qabyldau-web.service")["Service"]
    assert "deploy/gunicorn.conf.py run:app" in web["ExecStart"]
    assert web["EnvironmentFile"] == "/etc/qabyldau/qabyldau.env"
    worker = _unit("qabyldau-worker@.service")["Service"]
    assert "rq worker" in worker["ExecStart"] and "RQ_QUEUE" in worker["ExecStart"]
    scheduler = _unit("qabyldau-scheduler.service")["Service"]
    assert "rq cron" in scheduler["ExecStart"] and "app/cron.py" in scheduler["ExecStart"]
    assert (ROOT / "app" / "cron.py").exists()
    migrate = (DEPLOY / "systemd" / "qabyldau-migrate.service").read_text()
    assert "Type=oneshot" in migrate and "db upgrade" in migrate and "roles sync" in migrate


def test_nginx_serves_the_static_folders_the_app_uses():
    import flask_appbuilder

    site = (DEPLOY / "nginx" / "qabyldau.conf").read_text()
    fab_alias = re.search(r"location /static/appbuilder/ \{\s*alias ([^;]+);", site).group(1)
    installed = Path(flask_appbuilder.__file__).parent / "static" / "appbuilder"
    assert installed.is_dir()
    assert fab_alias.endswith("site-packages/flask_appbuilder/static/appbuilder/")
    app_alias = re.search(r"location /static/ \{\s*alias ([^;]+);", site).group(1)
    assert app_alias.endswith("/app/static/") and (ROOT / "app" / "static").is_dir()
    assert "X-Request-ID" in site and "client_max_body_size" in site and "upstream qabyldau_web" in site


def test_fab_and_app_static_urls_are_the_ones_nginx_serves(app):
    with app.test_request_context():
        from flask import url_for

        assert url_for("appbuilder.static", filename="css/bootstrap.min.css").startswith("/static/appbuilder/")
        assert url_for("static", filename="css/qabyldau.css").startswith("/static/")


def test_the_environment_template_reads_the_same_in_sh_as_in_systemd():
    """deploy/qabyldau-flask sources it with sh; systemd reads it as EnvironmentFile."""
    import subprocess

    out = subprocess.run(["sh", "-c", 'set -a; . "$0"; set +a; env', str(DEPLOY / "qabyldau.env.example")],
                         capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"}).stdout
    env = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    assert env["AUTH_RATE_LIMIT"] == "5 per minute"
    assert env["APP_ENV"] == "production" and env["RQ_QUEUE"] == "appeals"
    assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert (DEPLOY / "qabyldau-flask").stat().st_mode & 0o111
