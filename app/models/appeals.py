"""Applicants, appeals for personal reception and their append-only history."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.domain.vocabulary import (
    ANSWER_ACTIONS,
    AppealStatus,
    ApplicantKind,
    Channel,
    Language,
    Privilege,
    RefusalGround,
)

from .base import enum_column_type
from .reference import Category, District, Official, ReceptionPlace


class Applicant(Model):
    """A person, or a legal entity's representative with an authority
    document (R10). ИИН/БИН are checked by their control digit."""

    __str_column__ = "full_name"
    """What ``str()`` shows, as a column (exports read it without loading the row)."""

    __tablename__ = "applicant"
    __table_args__ = (
        CheckConstraint(
            "kind <> 'legal_entity' OR (organization IS NOT NULL AND organization <> '')",
            name="ck_applicant_legal_entity_named",
        ),
        CheckConstraint("iin IS NULL OR length(iin) = 12", name="ck_applicant_iin_len"),
        CheckConstraint("bin IS NULL OR length(bin) = 12", name="ck_applicant_bin_len"),
        Index("ix_applicant_full_name", "full_name"),
        Index("ix_applicant_iin", "iin"),
        Index("ix_applicant_bin", "bin"),
        Index("ix_applicant_district", "district_id"),
        Index("ix_applicant_registered_place", "registered_place_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ApplicantKind] = mapped_column(
        enum_column_type(ApplicantKind, "applicant_kind"), default=ApplicantKind.individual
    )
    full_name: Mapped[str] = mapped_column(String(200))
    iin: Mapped[Optional[str]] = mapped_column(String(12))
    organization: Mapped[Optional[str]] = mapped_column(String(255))
    bin: Mapped[Optional[str]] = mapped_column(String(12))
    authority_document: Mapped[Optional[str]] = mapped_column(String(255))
    phone: Mapped[Optional[str]] = mapped_column(String(32))
    email: Mapped[Optional[str]] = mapped_column(String(120))
    address: Mapped[Optional[str]] = mapped_column(String(255))
    district_id: Mapped[Optional[int]] = mapped_column(ForeignKey("district.id", ondelete="RESTRICT"))
    privilege: Mapped[Optional[Privilege]] = mapped_column(enum_column_type(Privilege, "privilege"))
    foreigner: Mapped[bool] = mapped_column(Boolean, default=False)
    registered_place_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("reception_place.id", ondelete="SET NULL", name="fk_applicant_registered_place")
    )
    """The reception place whose clerk entered the applicant (row scope)."""

    district: Mapped[Optional[District]] = relationship()

    def __str__(self) -> str:
        return self.full_name


class Appeal(Model):
    """An appeal for personal reception (обращение о записи на прием).

    ``version`` is SQLAlchemy's optimistic lock: a stale update raises
    ``StaleDataError`` instead of overwriting another user's change.
    """

    __tablename__ = "appeal"
    __table_args__ = (
        CheckConstraint("answer_due_on >= registered_on", name="ck_appeal_due_after_registration"),
        CheckConstraint("due_on >= answer_due_on", name="ck_appeal_due_not_shortened"),
        CheckConstraint(
            "status <> 'refused' OR refusal_ground IS NOT NULL", name="ck_appeal_refusal_has_ground"
        ),
        CheckConstraint("version >= 1", name="ck_appeal_version"),
        UniqueConstraint("external_id", name="uq_appeal_external_id"),
        CheckConstraint(
            "status <> 'refusal_proposed' OR (refusal_ground IS NOT NULL AND draft_sent_on IS NOT NULL)",
            name="ck_appeal_proposal_has_draft",
        ),
        CheckConstraint(
            "status <> 'correction_requested' OR correction_fix_by IS NOT NULL",
            name="ck_appeal_correction_has_term",
        ),
        CheckConstraint("status <> 'scheduled' OR session_id IS NOT NULL", name="ck_appeal_scheduled_has_session"),
        # The list's orders and filters, each ending in the id tie-breaker, so
        # a page is read from an index whatever the table's size; the row
        # scopes (a reception place, an official) come first where they apply.
        # Text search: migration 0008 (trigram GIN on PostgreSQL, FTS5 on SQLite).
        Index("ix_appeal_registered", "registered_on", "id"),
        Index("ix_appeal_status_due", "status", "due_on", "id"),
        Index("ix_appeal_district_registered", "district_id", "registered_on", "id"),
        Index("ix_appeal_district_status_due", "district_id", "status", "due_on", "id"),
        Index("ix_appeal_category", "category_id"),
        Index("ix_appeal_official", "official_id", "registered_on", "id"),
        Index("ix_appeal_place_registered", "reception_place_id", "registered_on", "id"),
        Index("ix_appeal_applicant", "applicant_id"),
        Index("ix_appeal_session", "session_id"),
        # R30b on the compliance board: the few extensions the applicant is not yet told of
        Index("ix_appeal_extension_untold", "extension_notice_due_on",
              postgresql_where=text("extension_notified_on IS NULL AND extension_notice_due_on IS NOT NULL"),
              sqlite_where=text("extension_notified_on IS NULL AND extension_notice_due_on IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reg_number: Mapped[str] = mapped_column(String(32), unique=True)
    external_id: Mapped[Optional[str]] = mapped_column(String(64))
    """The appeal's id in the national appeals system (imports skip it twice)."""
    channel: Mapped[Channel] = mapped_column(enum_column_type(Channel, "channel"))
    received_at: Mapped[datetime] = mapped_column(DateTime)
    registered_on: Mapped[date] = mapped_column(Date)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicant.id", ondelete="RESTRICT"))
    reception_place_id: Mapped[int] = mapped_column(ForeignKey("reception_place.id", ondelete="RESTRICT"))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id", ondelete="RESTRICT"))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id", ondelete="RESTRICT"))
    official_id: Mapped[int] = mapped_column(ForeignKey("official.id", ondelete="RESTRICT"))
    substance: Mapped[str] = mapped_column(Text)
    language: Mapped[Language] = mapped_column(enum_column_type(Language, "language"))
    privilege: Mapped[Optional[Privilege]] = mapped_column(enum_column_type(Privilege, "appeal_privilege"))
    foreigner: Mapped[bool] = mapped_column(Boolean, default=False)
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    video_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    from_reception: Mapped[bool] = mapped_column(Boolean, default=False)

    status: Mapped[AppealStatus] = mapped_column(
        enum_column_type(AppealStatus, "appeal_status"), default=AppealStatus.registered
    )
    answer_due_on: Mapped[date] = mapped_column(Date)
    """R29: 15 working days from registration."""
    due_on: Mapped[date] = mapped_column(Date)
    """The current term: ``answer_due_on`` unless extended (R30)."""
    session_id: Mapped[Optional[int]] = mapped_column(ForeignKey("reception_session.id", ondelete="RESTRICT"))
    assignee_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    refusal_ground: Mapped[Optional[RefusalGround]] = mapped_column(
        enum_column_type(RefusalGround, "refusal_ground")
    )
    # Workflow state (DOMAIN.md §Workflow); the history is in AppealEvent.
    correction_fix_by: Mapped[Optional[date]] = mapped_column(Date)
    """R6: the term given to fix what art. 63 requires."""
    correction_sent_on: Mapped[Optional[date]] = mapped_column(Date)
    refusal_motivation: Mapped[Optional[str]] = mapped_column(Text)
    refusal_reference: Mapped[Optional[str]] = mapped_column(String(255))
    """R15 grounds 2-3: the decision or court act referred to."""
    draft_sent_on: Mapped[Optional[date]] = mapped_column(Date)
    """R32: when the draft preliminary decision went to the applicant."""
    draft_delivered_on: Mapped[Optional[date]] = mapped_column(Date)
    """R32: when the applicant received it (the objection term counts from it)."""
    refusal_decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("official.id", ondelete="RESTRICT"))
    """R27, R33: the official on whose behalf the office refused."""
    objection_due_on: Mapped[Optional[date]] = mapped_column(Date)
    decision_earliest_on: Mapped[Optional[date]] = mapped_column(Date)
    hearing_recorded_on: Mapped[Optional[date]] = mapped_column(Date)
    hearing_position: Mapped[Optional[str]] = mapped_column(Text)
    extension_notice_due_on: Mapped[Optional[date]] = mapped_column(Date)
    """R30b: the applicant is told of the last extension by this day."""
    extension_decided_on: Mapped[Optional[date]] = mapped_column(Date)
    extension_notified_on: Mapped[Optional[date]] = mapped_column(Date)
    """R30b: the day the applicant was told of the last extension."""
    final_answer: Mapped[Optional[str]] = mapped_column(Text)
    closed_on: Mapped[Optional[date]] = mapped_column(Date)
    answered_on: Mapped[Optional[date]] = mapped_column(Date)
    """The local day (``TIMEZONE``) of the first answering event (``ANSWER_ACTIONS``), kept
    by the listener below: deadline compliance reads it instead of
    grouping the whole history."""
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    applicant: Mapped[Applicant] = relationship()
    reception_place: Mapped[ReceptionPlace] = relationship()
    district: Mapped[District] = relationship()
    category: Mapped[Category] = relationship()
    official: Mapped[Official] = relationship(foreign_keys="Appeal.official_id")
    refusal_decided_by: Mapped[Optional[Official]] = relationship(foreign_keys="Appeal.refusal_decided_by_id")
    session = relationship("ReceptionSession", back_populates="appeals")
    assignee = relationship("User", foreign_keys=[assignee_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    events: Mapped[list[AppealEvent]] = relationship(order_by="AppealEvent.id", viewonly=True)

    __mapper_args__ = {"version_id_col": version}

    @property
    def deadline(self) -> tuple:
        """(status, current term): the list's "working days left" column."""
        return (self.status, self.due_on)

    def __str__(self) -> str:
        return self.reg_number


class AppealEvent(Model):
    """One step of an appeal's history: who, when, from, to, why, payload.

    Append-only: the ORM refuses to update or delete a row (see the
    listeners below) and no view or API offers to.
    """

    __tablename__ = "appeal_event"
    __table_args__ = (
        Index("ix_appeal_event_appeal", "appeal_id", "id"),
        Index("ix_appeal_event_action", "action", "appeal_id", "rule"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[Optional[AppealStatus]] = mapped_column(
        enum_column_type(AppealStatus, "event_from_status")
    )
    to_status: Mapped[AppealStatus] = mapped_column(enum_column_type(AppealStatus, "event_to_status"))
    rule: Mapped[Optional[str]] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    appeal: Mapped[Appeal] = relationship()
    user = relationship("User")


class AppendOnlyError(RuntimeError):
    """Raised when code tries to rewrite history."""


def _local_day(at_utc: datetime) -> date:
    """The local day of a UTC timestamp: an answer at 01:30 in Almaty is of that day, not the day before."""
    from flask import current_app, has_app_context

    from app.domain.calendar import utc_to_local

    zone = current_app.config.get("TIMEZONE", "Asia/Almaty") if has_app_context() else "Asia/Almaty"
    return utc_to_local(at_utc, zone).date()


@event.listens_for(Session, "before_flush")
def _note_answer_day(session, flush_context, instances) -> None:
    """An answering event sets its appeal's ``answered_on`` (the first one wins)."""
    for obj in session.new:
        if isinstance(obj, AppealEvent) and obj.action in ANSWER_ACTIONS:
            appeal = obj.appeal or (session.get(Appeal, obj.appeal_id) if obj.appeal_id else None)
            day = _local_day(obj.at or datetime.utcnow())
            if appeal is not None and (appeal.answered_on is None or day < appeal.answered_on):
                appeal.answered_on = day


@event.listens_for(AppealEvent, "before_update")
def _no_event_update(mapper, connection, target):
    raise AppendOnlyError("appeal history is append-only")


@event.listens_for(AppealEvent, "before_delete")
def _no_event_delete(mapper, connection, target):
    raise AppendOnlyError("appeal history is append-only")
