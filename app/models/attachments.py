"""Files attached to appeals, applicants and protocols, and the staff's
internal notes on an appeal."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.attachments import AttachmentKind

from .appeals import Appeal, AppendOnlyError, Applicant
from .base import enum_column_type
from .receptions import Protocol

WITHDRAWAL_FIELDS = frozenset({"withdrawn_at", "withdrawn_by_id", "withdrawal_reason"})


class Attachment(Model):
    """One file of exactly one owner: an appeal (the scanned paper appeal, a
    signed letter), an applicant (the representative's authority document,
    R10) or a protocol (its signed scan).

    The bytes live under ``ATTACHMENTS_DIR`` at ``storage_key`` — random,
    never the user's file name; ``content_type`` was recognised from the
    bytes. Never deleted: a file uploaded by mistake is *withdrawn* with a
    reason (the ORM refuses any other change, PostgreSQL too) and stays in
    the history.
    """

    __tablename__ = "attachment"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN appeal_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN applicant_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN protocol_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="ck_attachment_one_owner",
        ),
        CheckConstraint("size > 0", name="ck_attachment_size"),
        CheckConstraint("length(sha256) = 64", name="ck_attachment_sha256"),
        CheckConstraint("kind <> 'signed_letter' OR letter IS NOT NULL", name="ck_attachment_letter"),
        CheckConstraint(
            "withdrawn_at IS NULL OR (withdrawal_reason IS NOT NULL AND withdrawal_reason <> '')",
            name="ck_attachment_withdrawal_reason",
        ),
        Index("ix_attachment_appeal", "appeal_id", "id"),
        Index("ix_attachment_applicant", "applicant_id", "id"),
        Index("ix_attachment_protocol", "protocol_id", "id"),
        Index("ix_attachment_uploaded", "uploaded_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[Optional[int]] = mapped_column(ForeignKey("appeal.id", ondelete="RESTRICT"))
    applicant_id: Mapped[Optional[int]] = mapped_column(ForeignKey("applicant.id", ondelete="RESTRICT"))
    protocol_id: Mapped[Optional[int]] = mapped_column(ForeignKey("protocol.id", ondelete="RESTRICT"))
    kind: Mapped[AttachmentKind] = mapped_column(enum_column_type(AttachmentKind, "attachment_kind"))
    letter: Mapped[Optional[str]] = mapped_column(String(40))
    """For a signed letter: which letter (``app.domain.attachments.LETTERS``)."""
    original_name: Mapped[str] = mapped_column(String(255))
    """The name shown and downloaded under, cleaned (``domain.attachments.clean_name``)."""
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)
    withdrawn_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    withdrawn_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    withdrawal_reason: Mapped[Optional[str]] = mapped_column(Text)

    appeal: Mapped[Optional[Appeal]] = relationship()
    applicant: Mapped[Optional[Applicant]] = relationship()
    protocol: Mapped[Optional[Protocol]] = relationship()
    uploaded_by = relationship("User", foreign_keys=[uploaded_by_id])
    withdrawn_by = relationship("User", foreign_keys=[withdrawn_by_id])

    @property
    def owner(self):
        return self.appeal or self.applicant or self.protocol

    def __str__(self) -> str:
        return self.original_name


class AppealNote(Model):
    """An internal note of the staff on an appeal: who, when, what.
    Append-only, as the history: the ORM refuses to change or delete one,
    PostgreSQL too (trigger in the migration)."""

    __tablename__ = "appeal_note"
    __table_args__ = (
        CheckConstraint("text <> ''", name="ck_appeal_note_text"),
        Index("ix_appeal_note_appeal", "appeal_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id", ondelete="RESTRICT"))
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)
    text: Mapped[str] = mapped_column(Text)

    appeal: Mapped[Appeal] = relationship()
    author = relationship("User")

    def __str__(self) -> str:
        return self.text[:60]


@event.listens_for(Attachment, "before_update")
def _only_withdrawn_once(mapper, connection, target):
    """The one change a file takes: its withdrawal, once."""
    state = inspect(target)
    changed = {a.key for a in mapper.column_attrs if state.attrs[a.key].history.has_changes()}
    previous = state.attrs.withdrawn_at.history.deleted
    if not changed <= WITHDRAWAL_FIELDS or "withdrawn_at" not in changed or (previous and previous[0] is not None):
        raise AppendOnlyError("an attachment is only ever withdrawn, once")


@event.listens_for(Attachment, "before_delete")
def _no_attachment_delete(mapper, connection, target):
    raise AppendOnlyError("an attachment is never deleted: withdraw it")


@event.listens_for(AppealNote, "before_update")
def _no_note_update(mapper, connection, target):
    raise AppendOnlyError("notes are append-only")


@event.listens_for(AppealNote, "before_delete")
def _no_note_delete(mapper, connection, target):
    raise AppendOnlyError("notes are append-only")
