"""The hearing and the extensions recorded as the law wants them: the day the
applicant received the draft (R32), who decided the refusal (R27, R33), the
day of the last extension decision and of its notice (R30b).

Revision ID: 0012_hearing
Revises: 0011_sessions
"""
import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0012_hearing"
down_revision = "0011_sessions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("appeal") as batch_op:
        batch_op.add_column(sa.Column("draft_delivered_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("refusal_decided_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("extension_decided_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("extension_notified_on", sa.Date(), nullable=True))
        batch_op.create_foreign_key("fk_appeal_refusal_decided_by", "official", ["refusal_decided_by_id"], ["id"],
                                    ondelete="RESTRICT")
    _fts_after_rebuild()


def downgrade():
    with op.batch_alter_table("appeal") as batch_op:
        batch_op.drop_constraint("fk_appeal_refusal_decided_by", type_="foreignkey")
        batch_op.drop_column("extension_notified_on")
        batch_op.drop_column("extension_decided_on")
        batch_op.drop_column("refusal_decided_by_id")
        batch_op.drop_column("draft_delivered_on")
    _fts_after_rebuild()


def _fts_after_rebuild():
    """A batch rebuild of ``appeal`` on SQLite drops the FTS triggers of 0008:
    made again as 0009 makes them."""
    if op.get_bind().dialect.name != "sqlite":
        return
    path = next(Path(__file__).parent.glob("0009_*.py"))
    spec = importlib.util.spec_from_file_location("qab_migration_0009", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module._recreate_fts_triggers()
