"""History and audit refuse TRUNCATE too (PostgreSQL).

The row triggers of 0003 stop UPDATE and DELETE; a TRUNCATE fires no row
trigger, so a statement trigger refuses it as well.

Revision ID: 0010_truncate
Revises: 0009_analytics
"""
from alembic import op

revision = "0010_truncate"
down_revision = "0009_analytics"
branch_labels = None
depends_on = None

TABLES = ("audit_log", "appeal_event")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION qabyldau_append_only()"
        )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
