"""Files attached to appeals, applicants and protocols; the staff's internal
notes on an appeal. Both append-only (PostgreSQL: triggers): a note is never
changed or deleted, a file is never deleted and only ever withdrawn, once.

Revision ID: 0019_attachments
Revises: 0018_higher
"""
import sqlalchemy as sa
from alembic import op

revision = "0019_attachments"
down_revision = "0018_higher"
branch_labels = None
depends_on = None

KINDS = ("appeal_scan", "signed_letter", "authority_document", "protocol_scan", "other")
KEPT = ("id", "appeal_id", "applicant_id", "protocol_id", "kind", "letter", "original_name", "content_type",
        "size", "sha256", "storage_key", "uploaded_by_id", "uploaded_at")


def upgrade():
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=True),
        sa.Column("applicant_id", sa.Integer(), nullable=True),
        sa.Column("protocol_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.Enum(*KINDS, name="attachment_kind", native_enum=False, create_constraint=True,
                                  length=18), nullable=False),
        sa.Column("letter", sa.String(length=40), nullable=True),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(CASE WHEN appeal_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN applicant_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN protocol_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="ck_attachment_one_owner",
        ),
        sa.CheckConstraint("size > 0", name="ck_attachment_size"),
        sa.CheckConstraint("length(sha256) = 64", name="ck_attachment_sha256"),
        sa.CheckConstraint("kind <> 'signed_letter' OR letter IS NOT NULL", name="ck_attachment_letter"),
        sa.CheckConstraint(
            "withdrawn_at IS NULL OR (withdrawal_reason IS NOT NULL AND withdrawal_reason <> '')",
            name="ck_attachment_withdrawal_reason",
        ),
        sa.ForeignKeyConstraint(["appeal_id"], ["appeal.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["applicant_id"], ["applicant.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["protocol_id"], ["protocol.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["ab_user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["withdrawn_by_id"], ["ab_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("storage_key"),
    )
    op.create_index("ix_attachment_appeal", "attachment", ["appeal_id", "id"])
    op.create_index("ix_attachment_applicant", "attachment", ["applicant_id", "id"])
    op.create_index("ix_attachment_protocol", "attachment", ["protocol_id", "id"])
    op.create_index("ix_attachment_uploaded", "attachment", ["uploaded_at", "id"])
    op.create_table(
        "appeal_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.CheckConstraint("text <> ''", name="ck_appeal_note_text"),
        sa.ForeignKeyConstraint(["appeal_id"], ["appeal.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["author_id"], ["ab_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_appeal_note_appeal", "appeal_note", ["appeal_id", "id"])

    if op.get_bind().dialect.name != "postgresql":
        return
    # notes: as the history (qabyldau_append_only of migration 0003)
    op.execute("CREATE TRIGGER appeal_note_append_only BEFORE UPDATE OR DELETE ON appeal_note "
               "FOR EACH ROW EXECUTE FUNCTION qabyldau_append_only()")
    # files: never deleted; the one update is the withdrawal, once, changing nothing else
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in KEPT)
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION qabyldau_attachment_withdraw_only() RETURNS trigger AS $$
        BEGIN
            IF OLD.withdrawn_at IS NOT NULL OR NEW.withdrawn_at IS NULL OR {changed} THEN
                RAISE EXCEPTION 'attachment is only ever withdrawn, once';
            END IF;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql
        """
    )
    op.execute("CREATE TRIGGER attachment_withdraw_only BEFORE UPDATE ON attachment "
               "FOR EACH ROW EXECUTE FUNCTION qabyldau_attachment_withdraw_only()")
    op.execute("CREATE TRIGGER attachment_append_only BEFORE DELETE ON attachment "
               "FOR EACH ROW EXECUTE FUNCTION qabyldau_append_only()")
    for table in ("appeal_note", "attachment"):
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION qabyldau_append_only()")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in ("appeal_note", "attachment"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP TRIGGER IF EXISTS attachment_withdraw_only ON attachment")
        op.execute("DROP FUNCTION IF EXISTS qabyldau_attachment_withdraw_only()")
    op.drop_index("ix_appeal_note_appeal", table_name="appeal_note")
    op.drop_table("appeal_note")
    op.drop_index("ix_attachment_uploaded", table_name="attachment")
    op.drop_index("ix_attachment_protocol", table_name="attachment")
    op.drop_index("ix_attachment_applicant", table_name="attachment")
    op.drop_index("ix_attachment_appeal", table_name="attachment")
    op.drop_table("attachment")
