"""The topic suggestion's classifier versions (``app.models.topic_model``).

Revision ID: 0022_topic_models
Revises: 0021_compliance
"""
import sqlalchemy as sa
from alembic import op

revision = "0022_topic_models"
down_revision = "0021_compliance"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "topic_model",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("trained_at", sa.DateTime(), nullable=False),
        sa.Column("n_train", sa.Integer(), nullable=False),
        sa.Column("n_test", sa.Integer(), nullable=False),
        sa.Column("top1", sa.Float(), nullable=False),
        sa.Column("top3", sa.Float(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=64), nullable=True),
        sa.Column("trained_by_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["job.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["trained_by_id"], ["ab_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version"),
    )
    op.create_index("ix_topic_model_active", "topic_model", ["active", "version"])


def downgrade():
    op.drop_index("ix_topic_model_active", table_name="topic_model")
    op.drop_table("topic_model")
