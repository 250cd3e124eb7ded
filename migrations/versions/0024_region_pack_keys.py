"""Region packs (``flask region load``): departments, officials and reception
places keep the key of the pack row they came from, so a newer pack updates
them instead of adding twins (``app.services.region_pack``). Districts are
keyed by their KATO code and topics by their code already.

Revision ID: 0024_region_keys
Revises: 0023_alerts
"""
import sqlalchemy as sa
from alembic import op

revision = "0024_region_keys"
down_revision = "0023_alerts"
branch_labels = None
depends_on = None

TABLES = ("department", "official", "reception_place")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("pack_key", sa.String(length=64), nullable=True))
            batch_op.create_unique_constraint(f"uq_{table}_pack_key", ["pack_key"])


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_pack_key", type_="unique")
            batch_op.drop_column("pack_key")
