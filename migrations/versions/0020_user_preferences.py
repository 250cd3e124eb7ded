"""Each user's own preferences: the columns and density of lists, saved
filters (``app.services.preferences``).

Revision ID: 0020_preferences
Revises: 0019_attachments
"""
import sqlalchemy as sa
from alembic import op

revision = "0020_preferences"
down_revision = "0019_attachments"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "key", name="uq_user_preference_user_key"),
    )


def downgrade():
    op.drop_table("user_preference")
