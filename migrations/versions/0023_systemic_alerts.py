"""Systemic-problem alerts (M7.1, ``app.models.alerts``) and the bell's link
from a notification to its alert.

Revision ID: 0023_alerts
Revises: 0022_topic_models
"""
import sqlalchemy as sa
from alembic import op

revision = "0023_alerts"
down_revision = "0022_topic_models"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "systemic_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("baseline_weeks", sa.Integer(), nullable=False),
        sa.Column("dispersion", sa.Float(), nullable=False),
        sa.Column("p_value", sa.Float(), nullable=False),
        sa.Column("per_100k", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'acknowledged')", name="ck_systemic_alert_status"),
        sa.CheckConstraint("count >= 0 AND expected >= 0", name="ck_systemic_alert_counts"),
        sa.ForeignKeyConstraint(["district_id"], ["district.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["acknowledged_by_id"], ["ab_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("week_start", "district_id", "category_id", name="uq_systemic_alert_week_district_topic"),
    )
    op.create_index("ix_systemic_alert_status_week", "systemic_alert", ["status", "week_start"])
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("systemic_alert_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_notification_systemic_alert", "systemic_alert",
                                 ["systemic_alert_id"], ["id"], ondelete="CASCADE")


def downgrade():
    with op.batch_alter_table("notification") as batch:
        batch.drop_constraint("fk_notification_systemic_alert", type_="foreignkey")
        batch.drop_column("systemic_alert_id")
    op.drop_index("ix_systemic_alert_status_week", table_name="systemic_alert")
    op.drop_table("systemic_alert")
