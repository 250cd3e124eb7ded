"""Two indexes the new reads need at scale: the applicants' БИН (the same
organisation's appeals, ``services/repeats.py::person_ids``, as a person's by
ИИН) and the extensions the applicant is not yet told of (R30b on the
compliance board: a partial index, a few rows among a million).

Revision ID: 0027_applicant_bin
Revises: 0026_region
"""
import sqlalchemy as sa
from alembic import op

revision = "0027_applicant_bin"
down_revision = "0026_region"
branch_labels = None
depends_on = None

UNTOLD = "extension_notified_on IS NULL AND extension_notice_due_on IS NOT NULL"


def upgrade():
    op.create_index("ix_applicant_bin", "applicant", ["bin"])
    op.create_index("ix_appeal_extension_untold", "appeal", ["extension_notice_due_on"],
                    postgresql_where=sa.text(UNTOLD), sqlite_where=sa.text(UNTOLD))


def downgrade():
    op.drop_index("ix_appeal_extension_untold", table_name="appeal")
    op.drop_index("ix_applicant_bin", table_name="applicant")
