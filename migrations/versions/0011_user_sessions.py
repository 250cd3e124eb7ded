"""Browser sessions kept on the server, so that a logout ends them.

Revision ID: 0011_sessions
Revises: 0010_truncate
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_sessions"
down_revision = "0010_truncate"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("user_session") as batch_op:
        batch_op.create_index("ix_user_session_user", ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("user_session") as batch_op:
        batch_op.drop_index("ix_user_session_user")
    op.drop_table("user_session")
