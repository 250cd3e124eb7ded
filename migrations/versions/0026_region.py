"""The region's own row (``app.models.region``): its names, its akim's office
as letters name it, the registration-number prefix and the pack version.
Empty until ``flask region load`` (until then the pages name no region and
numbers keep the prefix ``ЖТ``).

Revision ID: 0026_region
Revises: 0025_appeal_links
"""
import sqlalchemy as sa
from alembic import op

revision = "0026_region"
down_revision = "0025_appeal_links"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "region",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_ru", sa.String(length=255), nullable=False),
        sa.Column("name_kk", sa.String(length=255), nullable=False),
        sa.Column("office_ru", sa.String(length=255), nullable=False),
        sa.Column("office_kk", sa.String(length=255), nullable=False),
        sa.Column("reg_prefix", sa.String(length=4), nullable=False),
        sa.Column("pack_version", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_region_single_row"),
        sa.CheckConstraint("length(reg_prefix) BETWEEN 1 AND 4", name="ck_region_reg_prefix"),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade():
    op.drop_table("region")
