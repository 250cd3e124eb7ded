"""M5.8: consultations given by the staff, with their outcome; R38 calls
may be about a consultation after which the person declined to register.

Revision ID: 0017_consultations
Revises: 0016_materials
"""
import sqlalchemy as sa
from alembic import op

revision = "0017_consultations"
down_revision = "0016_materials"
branch_labels = None
depends_on = None

CHANNELS = ("egov_portal", "e_appeals", "post", "by_hand", "oral", "phone", "call_centre")
OUTCOMES = ("registered", "declined", "undecided")


def upgrade():
    op.create_table(
        "consultation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("given_at", sa.DateTime(), nullable=False),
        sa.Column("given_by_id", sa.Integer(), nullable=True),
        sa.Column("reception_place_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.Enum(*CHANNELS, name="consultation_channel", native_enum=False,
                                     create_constraint=True, length=11), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Enum(*OUTCOMES, name="consultation_outcome", native_enum=False,
                                     create_constraint=True, length=10), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.CheckConstraint("outcome = 'registered' OR appeal_id IS NULL",
                           name="ck_consultation_appeal_only_if_registered"),
        sa.CheckConstraint("outcome <> 'registered' OR appeal_id IS NOT NULL",
                           name="ck_consultation_registered_names_appeal"),
        sa.ForeignKeyConstraint(["given_by_id"], ["ab_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["reception_place_id"], ["reception_place.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["district_id"], ["district.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["applicant_id"], ["applicant.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["appeal_id"], ["appeal.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_consultation_place_given", "consultation", ["reception_place_id", "given_at", "id"])
    op.create_index("ix_consultation_outcome_given", "consultation", ["outcome", "given_at", "id"])
    op.create_index("ix_consultation_applicant", "consultation", ["applicant_id"])
    with op.batch_alter_table("survey_call") as batch:
        batch.add_column(sa.Column("consultation_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_survey_call_consultation", "consultation", ["consultation_id"], ["id"],
                                 ondelete="RESTRICT")
        batch.create_index("ix_survey_call_consultation", ["consultation_id"])


def downgrade():
    with op.batch_alter_table("survey_call") as batch:
        batch.drop_index("ix_survey_call_consultation")
        batch.drop_constraint("fk_survey_call_consultation", type_="foreignkey")
        batch.drop_column("consultation_id")
    op.drop_index("ix_consultation_applicant", table_name="consultation")
    op.drop_index("ix_consultation_outcome_given", table_name="consultation")
    op.drop_index("ix_consultation_place_given", table_name="consultation")
    op.drop_table("consultation")
