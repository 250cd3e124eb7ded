"""app/domain is pure: no Flask, SQLAlchemy or rq."""
import ast
from pathlib import Path

FORBIDDEN = ("flask", "flask_appbuilder", "flask_babel", "sqlalchemy", "rq", "redis", "wtforms")


def test_domain_imports_no_framework():
    domain = Path(__file__).resolve().parents[2] / "app" / "domain"
    offenders = []
    for path in domain.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert not offenders, offenders
