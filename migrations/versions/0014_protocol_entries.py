"""The per-appeal decision of a reception's protocol (R23).

Revision ID: 0014_protocol_entries
Revises: 0013_executor_answer
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_protocol_entries"
down_revision = "0013_executor_answer"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "protocol_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("protocol_id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("decision <> ''", name="ck_protocol_entry_decision"),
        sa.ForeignKeyConstraint(["appeal_id"], ["appeal.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["protocol_id"], ["protocol.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("protocol_id", "appeal_id", name="uq_protocol_entry_appeal"),
    )
    op.create_index("ix_protocol_entry_appeal", "protocol_entry", ["appeal_id"], unique=False)


def downgrade():
    op.drop_index("ix_protocol_entry_appeal", table_name="protocol_entry")
    op.drop_table("protocol_entry")
