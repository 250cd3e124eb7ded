"""list indexes with id tie-breakers; text search of the substance

Revision ID: 0008_scale
Revises: 5738184b8de5
Create Date: 2026-11-29

Text search of the substance finds the words that begin with each word
typed, in any case, on both databases:
- PostgreSQL: a stored ``substance_tsv`` column (``to_tsvector('simple',
  …)``: lower-cased under the database's UTF-8 collation, Cyrillic and
  Kazakh included) with a GIN index. Trigram GIN indexes (pg_trgm, a
  trusted extension) serve ``ILIKE '%…%'`` on the registration number and
  the applicant's name.
- SQLite: an FTS5 table over ``appeal.substance`` (unicode61 folds the case
  of every alphabet; diacritics are kept, so the Kazakh letters stay
  distinct), kept in step by triggers. SQLite batch migrations that rebuild
  ``appeal`` drop those triggers: recreate them.
"""
from alembic import op

revision = "0008_scale"
down_revision = "5738184b8de5"
branch_labels = None
depends_on = None

REPLACED = {
    # name: (old columns, new columns)
    "ix_appeal_district_registered": (["district_id", "registered_on"], ["district_id", "registered_on", "id"]),
    "ix_appeal_official": (["official_id"], ["official_id", "registered_on", "id"]),
    "ix_appeal_place_registered": (["reception_place_id", "registered_on"],
                                   ["reception_place_id", "registered_on", "id"]),
}

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE appeal_fts USING fts5(substance, content='appeal', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER appeal_fts_ai AFTER INSERT ON appeal BEGIN "
    "INSERT INTO appeal_fts(rowid, substance) VALUES (new.id, new.substance); END",
    "CREATE TRIGGER appeal_fts_ad AFTER DELETE ON appeal BEGIN "
    "INSERT INTO appeal_fts(appeal_fts, rowid, substance) VALUES ('delete', old.id, old.substance); END",
    "CREATE TRIGGER appeal_fts_au AFTER UPDATE OF substance ON appeal BEGIN "
    "INSERT INTO appeal_fts(appeal_fts, rowid, substance) VALUES ('delete', old.id, old.substance); "
    "INSERT INTO appeal_fts(rowid, substance) VALUES (new.id, new.substance); END",
    "INSERT INTO appeal_fts(appeal_fts) VALUES ('rebuild')",
]

PG_SEARCH = [
    "ALTER TABLE appeal ADD COLUMN substance_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(substance, ''))) STORED",
    "CREATE INDEX ix_appeal_substance_tsv ON appeal USING gin (substance_tsv)",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_appeal_reg_number_trgm ON appeal USING gin (reg_number gin_trgm_ops)",
    "CREATE INDEX ix_applicant_full_name_trgm ON applicant USING gin (full_name gin_trgm_ops)",
]


def upgrade():
    for name, (_old, new) in REPLACED.items():
        op.drop_index(name, table_name="appeal")
        op.create_index(name, "appeal", new)
    op.create_index("ix_appeal_district_status_due", "appeal", ["district_id", "status", "due_on", "id"])
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in PG_SEARCH:
            op.execute(statement)
    elif dialect == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for name in ("ix_appeal_substance_tsv", "ix_appeal_reg_number_trgm", "ix_applicant_full_name_trgm"):
            op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute("ALTER TABLE appeal DROP COLUMN IF EXISTS substance_tsv")
    elif dialect == "sqlite":
        for trigger in ("appeal_fts_ai", "appeal_fts_ad", "appeal_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS appeal_fts")
    op.drop_index("ix_appeal_district_status_due", table_name="appeal")
    for name, (old, _new) in REPLACED.items():
        op.drop_index(name, table_name="appeal")
        op.create_index(name, "appeal", old)
