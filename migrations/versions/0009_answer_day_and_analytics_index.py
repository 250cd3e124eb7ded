"""answer day of an appeal; indexes for the dashboard at scale

Revision ID: 0009_analytics
Revises: 0008_scale
Create Date: 2026-11-29

``appeal.answered_on`` keeps the day of the first answering event (kept by
an ORM listener from now on; filled here from the history), so deadline
compliance no longer groups the whole history. ``appeal_event`` gets an
index by action carrying the rule (extensions by kind, from the index alone). PostgreSQL: a covering index over the
registration date carries every column the charts group or filter by, so
a year of a million appeals is aggregated from the index alone.
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_analytics"
down_revision = "0008_scale"
branch_labels = None
depends_on = None

ANSWER_ACTIONS = ("schedule", "refuse", "leave-without-consideration", "return", "withdraw")
COVERED = ("district_id", "category_id", "channel", "reception_place_id", "official_id", "status",
           "due_on", "answered_on", "refusal_ground")


def upgrade():
    with op.batch_alter_table("appeal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answered_on", sa.Date(), nullable=True))
    dialect = op.get_bind().dialect.name
    actions = ", ".join(f"'{a}'" for a in ANSWER_ACTIONS)
    day = "CAST(min(at) AS DATE)" if dialect == "postgresql" else "date(min(at))"
    op.execute(
        f"UPDATE appeal SET answered_on = answers.day FROM "
        f"(SELECT appeal_id, {day} AS day FROM appeal_event WHERE action IN ({actions}) GROUP BY appeal_id) AS answers "
        f"WHERE answers.appeal_id = appeal.id"
    )
    op.create_index("ix_appeal_event_action", "appeal_event", ["action", "appeal_id", "rule"])
    if dialect == "sqlite":
        _recreate_fts_triggers()  # a batch rebuild of ``appeal`` drops the FTS triggers of 0008
    if dialect == "postgresql":
        op.execute(f"CREATE INDEX ix_appeal_analytics_cov ON appeal (registered_on) INCLUDE ({', '.join(COVERED)})")


def _recreate_fts_triggers():
    conn = op.get_bind()
    names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='trigger'")}
    if {"appeal_fts_ai", "appeal_fts_ad", "appeal_fts_au"} <= names:
        return
    for trigger in ("appeal_fts_ai", "appeal_fts_ad", "appeal_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute(
        "CREATE TRIGGER appeal_fts_ai AFTER INSERT ON appeal BEGIN "
        "INSERT INTO appeal_fts(rowid, substance) VALUES (new.id, new.substance); END")
    op.execute(
        "CREATE TRIGGER appeal_fts_ad AFTER DELETE ON appeal BEGIN "
        "INSERT INTO appeal_fts(appeal_fts, rowid, substance) VALUES ('delete', old.id, old.substance); END")
    op.execute(
        "CREATE TRIGGER appeal_fts_au AFTER UPDATE OF substance ON appeal BEGIN "
        "INSERT INTO appeal_fts(appeal_fts, rowid, substance) VALUES ('delete', old.id, old.substance); "
        "INSERT INTO appeal_fts(rowid, substance) VALUES (new.id, new.substance); END")
    op.execute("INSERT INTO appeal_fts(appeal_fts) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_appeal_analytics_cov")
    op.drop_index("ix_appeal_event_action", table_name="appeal_event")
    with op.batch_alter_table("appeal", schema=None) as batch_op:
        batch_op.drop_column("answered_on")
    if op.get_bind().dialect.name == "sqlite":
        _recreate_fts_triggers()
