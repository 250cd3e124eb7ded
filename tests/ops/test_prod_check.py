"""``make prod-check``: gunicorn (2 workers, deploy/gunicorn.conf.py) and a
separate rq worker on PostgreSQL and Redis on loopback, walked through over
HTTP — health, login, the appeals list, an export run by the worker."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(120)
def test_prod_check_serves_the_panel_through_gunicorn_with_a_separate_rq_worker():
    done = subprocess.run([sys.executable, str(ROOT / "deploy" / "prod_check.py")], cwd=ROOT,
                          capture_output=True, text=True, timeout=110)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    assert "OK in" in done.stdout  # about 20-30 s on two busy cores
