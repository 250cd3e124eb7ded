"""Instructions stay under control until the staff accept the executor's
answer (R34-R35): the executor's answer is kept apart from the final one.

Revision ID: 0013_executor_answer
Revises: 0012_hearing
"""
import sqlalchemy as sa
from alembic import op

revision = "0013_executor_answer"
down_revision = "0012_hearing"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("instruction", sa.Column("executor_answer", sa.Text(), nullable=True))
    op.add_column("instruction", sa.Column("executor_answered_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("instruction") as batch_op:
        batch_op.drop_column("executor_answered_on")
        batch_op.drop_column("executor_answer")
