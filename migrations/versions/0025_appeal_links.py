"""Appeals linked as the same question (``app.models.links``).

Revision ID: 0025_appeal_links
Revises: 0024_region_keys
"""
import sqlalchemy as sa
from alembic import op

revision = "0025_appeal_links"
down_revision = "0024_region_keys"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "appeal_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("linked_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("appeal_id < linked_id", name="ck_appeal_link_order"),
        sa.ForeignKeyConstraint(["appeal_id"], ["appeal.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["linked_id"], ["appeal.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["ab_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("appeal_id", "linked_id", name="uq_appeal_link_pair"),
    )
    op.create_index("ix_appeal_link_linked", "appeal_link", ["linked_id"])


def downgrade():
    op.drop_index("ix_appeal_link_linked", table_name="appeal_link")
    op.drop_table("appeal_link")
