"""schemathesis over the served OpenAPI document, as a logged-in Manager
(on PostgreSQL) and a logged-in Clerk (on SQLite): every check on but
``positive_data_acceptance`` — the regulation's rules refuse inputs the
schema allows (a future receipt, a session already full, another place's
id), and that refusal is the 422 the contract promises. Any 5xx or any
answer that breaks the document fails the suite.

The Manager (who may write to every register) gets every phase, the
coverage phase's boundary values included (2**63, NUL, empty and huge
strings), in two shards of the API so that neither outlasts the others on
two cores; the Clerk, whose calls are mostly scoped refusals, gets the
examples and the random fuzzing."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import DEMO_PASSWORD

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))


def _serve(uri: str):
    from werkzeug.serving import make_server

    from tests.conftest import _build_app

    app = _build_app(uri)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, server


EXCLUDED = "/security/|_openapi|/menu/"
APPEALS = "^/api/v1/(appeal|applicant|attachment|instruction|higher_instruction|materials_request|protocol|consultation)"
"""Appeals and what hangs on them (about half of the calls)."""
SHARDS = {
    "appeals": ["--include-path-regex", APPEALS, "--exclude-path-regex", EXCLUDED],
    "registers": ["--exclude-path-regex", f"{EXCLUDED}|{APPEALS}"],
    "all": ["--exclude-path-regex", EXCLUDED],
}
EVERY_PHASE = ["--phases", "examples,coverage,fuzzing,stateful"]
RANDOM_PHASES = ["--phases", "examples,fuzzing"]


@pytest.mark.parametrize("username,db_kind,shard,phases", [
    ("manager", "postgresql", "appeals", EVERY_PHASE),
    ("manager", "postgresql", "registers", EVERY_PHASE),
    ("clerk", "sqlite", "all", RANDOM_PHASES),
], ids=["manager-postgresql-appeals", "manager-postgresql-registers", "clerk-sqlite"])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(request, tmp_path, username, db_kind, shard,
                                                                     phases):
    if db_kind == "postgresql":
        uri = request.getfixturevalue("pg_database_url")
    else:
        uri = f"sqlite:///{tmp_path / 'fuzz.db'}"
    app, server = _serve(uri)
    try:
        token = app.test_client().post("/api/v1/security/login", json={
            "username": username, "password": DEMO_PASSWORD, "provider": "db"}).get_json()["access_token"]
        binary = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
        url = f"http://127.0.0.1:{server.server_port}/api/v1/_openapi"
        run = subprocess.run(
            [binary, "run", url, "-H", f"Authorization: Bearer {token}", "--checks", "all",
             "--exclude-checks", "positive_data_acceptance", "--max-examples", str(EXAMPLES), "--workers", "1",
             "--seed", "20261201", *SHARDS[shard], *phases, "--no-color", "--request-timeout", "30"],
            capture_output=True, text=True, timeout=600, env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
        )
        failures = run.stdout.find("= FAILURES =")
        report = (run.stdout[failures:failures + 12000] if failures >= 0 else run.stdout[-6000:]) + run.stderr[-2000:]
        assert run.returncode == 0, report
        assert "Server error" not in run.stdout, report
        tested = re.search(r"Tested: (\d+)", run.stdout)
        assert tested and int(tested.group(1)) >= 15, report  # a shard that matches nothing proves nothing
    finally:
        server.shutdown()
        with app.app_context():
            from app.extensions import db

            db.session.remove()
            db.engine.dispose()
