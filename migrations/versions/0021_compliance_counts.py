"""The compliance board's daily record: counts per measure × day × place ×
official (``app.models.compliance``).

Revision ID: 0021_compliance
Revises: 0020_preferences
"""
import sqlalchemy as sa
from alembic import op

revision = "0021_compliance"
down_revision = "0020_preferences"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "compliance_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=True),
        sa.Column("official_id", sa.Integer(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("base", sa.Integer(), nullable=True),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["place_id"], ["reception_place.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["official_id"], ["official.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_compliance_count_measure_day", "compliance_count", ["measure", "day"])


def downgrade():
    op.drop_index("ix_compliance_count_measure_day", table_name="compliance_count")
    op.drop_table("compliance_count")
