"""R14: periods of restrictions, during which reception is by video only.

Revision ID: 0015_restrictions
Revises: 0014_protocol_entries
"""
import sqlalchemy as sa
from alembic import op

revision = "0015_restrictions"
down_revision = "0014_protocol_entries"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "restriction_period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name="ck_restriction_period_order"),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade():
    op.drop_table("restriction_period")
