"""M9 / M7.6: the register of the instructions of the President, the
Presidential Administration and the President's assistant on appeals, and
reminders of their terms.

Revision ID: 0018_higher
Revises: 0017_consultations
"""
import sqlalchemy as sa
from alembic import op

revision = "0018_higher"
down_revision = "0017_consultations"
branch_labels = None
depends_on = None

ISSUERS = ("president", "administration", "presidents_assistant")


def upgrade():
    op.create_table(
        "higher_instruction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.Enum(*ISSUERS, name="higher_issuer", native_enum=False, create_constraint=True,
                                    length=20), nullable=False),
        sa.Column("document_ref", sa.String(length=120), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("executed_on", sa.Date(), nullable=True),
        sa.Column("report", sa.Text(), nullable=True),
        sa.CheckConstraint("received_on >= issued_on", name="ck_higher_received_after_issue"),
        sa.CheckConstraint("due_on >= received_on", name="ck_higher_due_after_receipt"),
        sa.CheckConstraint("executed_on IS NULL OR (report IS NOT NULL AND report <> '')",
                           name="ck_higher_executed_reported"),
        sa.ForeignKeyConstraint(["appeal_id"], ["appeal.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_higher_instruction_received", "higher_instruction", ["received_on", "id"])
    op.create_index("ix_higher_instruction_open_due", "higher_instruction", ["executed_on", "due_on"])
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("higher_instruction_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_notification_higher_instruction", "higher_instruction",
                                 ["higher_instruction_id"], ["id"], ondelete="CASCADE")


def downgrade():
    with op.batch_alter_table("notification") as batch:
        batch.drop_constraint("fk_notification_higher_instruction", type_="foreignkey")
        batch.drop_column("higher_instruction_id")
    op.drop_index("ix_higher_instruction_open_due", table_name="higher_instruction")
    op.drop_index("ix_higher_instruction_received", table_name="higher_instruction")
    op.drop_table("higher_instruction")
