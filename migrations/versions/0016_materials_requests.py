"""R31: binding requests of the reception staff to structural units for
materials, with their addressee, due date and answer.

Revision ID: 0016_materials
Revises: 0015_restrictions
"""
import sqlalchemy as sa
from alembic import op

revision = "0016_materials"
down_revision = "0015_restrictions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "materials_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.CheckConstraint("due_on >= requested_on", name="ck_materials_request_due"),
        sa.CheckConstraint("answered_on IS NULL OR (answer IS NOT NULL AND answer <> '')",
                           name="ck_materials_request_answered"),
        sa.ForeignKeyConstraint(["appeal_id"], ["appeal.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_materials_request_appeal", "materials_request", ["appeal_id"], unique=False)
    op.create_index("ix_materials_request_open_due", "materials_request", ["answered_on", "due_on"], unique=False)


def downgrade():
    op.drop_index("ix_materials_request_open_due", table_name="materials_request")
    op.drop_index("ix_materials_request_appeal", table_name="materials_request")
    op.drop_table("materials_request")
