"""Reception sessions (the roster), protocols and instructions."""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Optional

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
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.vocabulary import HigherIssuer, InstructionStatus, SessionKind, SessionStatus

from .base import enum_column_type
from .reference import Department, Official, ReceptionPlace


class ReceptionSession(Model):
    """One reception of an official at a place and time (R7-R9, R13-R14)."""

    __tablename__ = "reception_session"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="ck_session_capacity"),
        CheckConstraint("ends_at > starts_at", name="ck_session_times"),
        CheckConstraint(
            "kind <> 'off_roster' OR (order_ref IS NOT NULL AND order_date IS NOT NULL)",
            name="ck_session_off_roster_order",
        ),
        UniqueConstraint("official_id", "day", "starts_at", name="uq_session_official_slot"),
        Index("ix_session_day", "day", "id"),
        Index("ix_session_official_day", "official_id", "day"),
        Index("ix_session_place_day", "place_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("official.id", ondelete="RESTRICT"))
    place_id: Mapped[int] = mapped_column(ForeignKey("reception_place.id", ondelete="RESTRICT"))
    day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)
    capacity: Mapped[int] = mapped_column(Integer, default=10)
    kind: Mapped[SessionKind] = mapped_column(
        enum_column_type(SessionKind, "session_kind"), default=SessionKind.regular
    )
    status: Mapped[SessionStatus] = mapped_column(
        enum_column_type(SessionStatus, "session_status"), default=SessionStatus.planned
    )
    order_ref: Mapped[Optional[str]] = mapped_column(String(64))
    """R9: the akim's order for an off-roster reception."""
    order_date: Mapped[Optional[date]] = mapped_column(Date)
    approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    approved_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    cancel_reason: Mapped[Optional[str]] = mapped_column(Text)
    staff_notified_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    """R16: when the reception staff were told of the cancellation."""
    cancelled_for_illness: Mapped[bool] = mapped_column(Boolean, default=False)
    notice_late: Mapped[bool] = mapped_column(Boolean, default=False)
    """R16: told later than 2 working days before, and not on the day itself."""

    official: Mapped[Official] = relationship()
    place: Mapped[ReceptionPlace] = relationship()
    approved_by = relationship("User")

    @property
    def notice_timely(self) -> bool | None:
        """R16 (CONTRACT.md): whether a cancellation was told in time; None
        for a session not cancelled."""
        if getattr(self.status, "value", self.status) != "cancelled":
            return None
        return not self.notice_late
    appeals = relationship("Appeal", back_populates="session")
    protocols: Mapped[list[Protocol]] = relationship(back_populates="session")

    def __str__(self) -> str:
        return f"{self.day:%d.%m.%Y} {self.starts_at:%H:%M} {self.official}"


class Protocol(Model):
    """R23: the record of one reception."""

    __tablename__ = "protocol"
    __table_args__ = (Index("ix_protocol_session", "session_id"), Index("ix_protocol_date", "drawn_up_on", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("reception_session.id", ondelete="RESTRICT"))
    drawn_up_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))

    session: Mapped[ReceptionSession] = relationship(back_populates="protocols")
    instructions: Mapped[list[Instruction]] = relationship(back_populates="protocol")
    entries: Mapped[list[ProtocolEntry]] = relationship(back_populates="protocol")
    created_by = relationship("User")

    def __str__(self) -> str:
        return self.number


class ProtocolEntry(Model):
    """R23: the decision taken at a reception on one appeal, in its protocol.
    A received appeal is closed only once it has one."""

    __tablename__ = "protocol_entry"
    __table_args__ = (
        UniqueConstraint("protocol_id", "appeal_id", name="uq_protocol_entry_appeal"),
        CheckConstraint("decision <> ''", name="ck_protocol_entry_decision"),
        Index("ix_protocol_entry_appeal", "appeal_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocol.id", ondelete="RESTRICT"))
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id", ondelete="RESTRICT"))
    decision: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)

    protocol: Mapped[Protocol] = relationship(back_populates="entries")
    appeal = relationship("Appeal")

    def __str__(self) -> str:
        return f"{self.protocol} — {self.appeal}"


class Instruction(Model):
    """R23, R34-R35: an instruction given at a reception, attached to the
    appeal, under control until a final motivated answer is recorded."""

    __tablename__ = "instruction"
    __table_args__ = (
        CheckConstraint(
            "status <> 'answered' OR (final_answer IS NOT NULL AND final_answer <> '' AND answered_on IS NOT NULL)",
            name="ck_instruction_answered_has_answer",
        ),
        CheckConstraint("rework_count >= 0", name="ck_instruction_rework"),
        Index("ix_instruction_protocol", "protocol_id"),
        Index("ix_instruction_appeal", "appeal_id"),
        Index("ix_instruction_status_due", "status", "due_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocol.id", ondelete="RESTRICT"))
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id", ondelete="RESTRICT"))
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    assignee_department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="RESTRICT"))
    assignee_official_id: Mapped[Optional[int]] = mapped_column(ForeignKey("official.id", ondelete="RESTRICT"))
    status: Mapped[InstructionStatus] = mapped_column(
        enum_column_type(InstructionStatus, "instruction_status"), default=InstructionStatus.open
    )
    executor_answer: Mapped[Optional[str]] = mapped_column(Text)
    """R34: the executor's answer, waiting for the staff to accept it."""
    executor_answered_on: Mapped[Optional[date]] = mapped_column(Date)
    final_answer: Mapped[Optional[str]] = mapped_column(Text)
    answered_on: Mapped[Optional[date]] = mapped_column(Date)
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    """M5.5: answers of poor quality sent back for rework."""
    from_reception: Mapped[bool] = mapped_column(Boolean, default=True)

    protocol: Mapped[Protocol] = relationship(back_populates="instructions")
    appeal = relationship("Appeal")
    assignee_department: Mapped[Department] = relationship()
    assignee_official: Mapped[Optional[Official]] = relationship()

    def __str__(self) -> str:
        return (self.text or "")[:60]


class RosterApproval(Model):
    """R7-R8: a place's roster for a month, approved (with the gaps of R7 /
    R7-1 overridden by a Manager, with a reason, when there were any)."""

    __tablename__ = "roster_approval"
    __table_args__ = (
        UniqueConstraint("place_id", "year", "month", name="uq_roster_approval_place_month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="ck_roster_approval_month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("reception_place.id", ondelete="RESTRICT"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime] = mapped_column(DateTime)
    override_reason: Mapped[Optional[str]] = mapped_column(Text)
    gaps: Mapped[list] = mapped_column(JSON, default=list)

    place: Mapped[ReceptionPlace] = relationship()
    approved_by = relationship("User")

    def __str__(self) -> str:
        return f"{self.month:02d}.{self.year}"


class ParticipationRequest(Model):
    """R18-R20: another body asked to take part in a reception; the applicant
    is told within 2 working days (R19); a refusal to take part is reported
    to the Government Office within 2 working days (R20)."""

    __tablename__ = "participation_request"
    __table_args__ = (Index("ix_participation_appeal", "appeal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id", ondelete="RESTRICT"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="RESTRICT"))
    requested_on: Mapped[date] = mapped_column(Date)
    applicant_told_on: Mapped[Optional[date]] = mapped_column(Date)
    refused_on: Mapped[Optional[date]] = mapped_column(Date)
    reported_on: Mapped[Optional[date]] = mapped_column(Date)

    appeal = relationship("Appeal")
    department: Mapped[Department] = relationship()

    @property
    def tell_term(self) -> tuple:
        """(requested_on,): what the R19 term "tell the applicant within 2
        working days" counts from (``services.receptions.participation_terms``
        computes it on the working calendar)."""
        return (self.requested_on,)

    @property
    def report_term(self) -> tuple:
        """(refused_on,): what the R20 term "report a refusal within 2
        working days" counts from."""
        return (self.refused_on,)

    def __str__(self) -> str:
        return f"{self.department} — {self.requested_on:%d.%m.%Y}"


class MaterialsRequest(Model):
    """R31: a binding request of the reception staff to a structural unit
    for materials on an appeal: addressee, due date and the answer."""

    __tablename__ = "materials_request"
    __table_args__ = (
        CheckConstraint("due_on >= requested_on", name="ck_materials_request_due"),
        CheckConstraint("answered_on IS NULL OR (answer IS NOT NULL AND answer <> '')",
                        name="ck_materials_request_answered"),
        Index("ix_materials_request_appeal", "appeal_id"),
        Index("ix_materials_request_open_due", "answered_on", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id", ondelete="RESTRICT"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="RESTRICT"))
    subject: Mapped[str] = mapped_column(Text)
    requested_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    answered_on: Mapped[Optional[date]] = mapped_column(Date)
    answer: Mapped[Optional[str]] = mapped_column(Text)

    appeal = relationship("Appeal")
    department: Mapped[Department] = relationship()

    @property
    def term(self) -> tuple:
        """(due_on, answered_on): what the list's "Term" column shows (overdue or not)."""
        return (self.due_on, self.answered_on)

    def __str__(self) -> str:
        return f"{self.department} — {self.requested_on:%d.%m.%Y}"


class HigherInstruction(Model):
    """M9: an instruction of the President, the Presidential Administration or
    the President's assistant on an appeal, under the department's control:
    its document, term, executor and execution (reported half-yearly, M7.6)."""

    __tablename__ = "higher_instruction"
    __table_args__ = (
        CheckConstraint("received_on >= issued_on", name="ck_higher_received_after_issue"),
        CheckConstraint("due_on >= received_on", name="ck_higher_due_after_receipt"),
        CheckConstraint("executed_on IS NULL OR (report IS NOT NULL AND report <> '')",
                        name="ck_higher_executed_reported"),
        Index("ix_higher_instruction_received", "received_on", "id"),
        Index("ix_higher_instruction_open_due", "executed_on", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[HigherIssuer] = mapped_column(enum_column_type(HigherIssuer, "higher_issuer"))
    document_ref: Mapped[str] = mapped_column(String(120))
    """The number of the instruction (the document it is in)."""
    issued_on: Mapped[date] = mapped_column(Date)
    received_on: Mapped[date] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(Text)
    appeal_id: Mapped[Optional[int]] = mapped_column(ForeignKey("appeal.id", ondelete="RESTRICT"))
    """The appeal it concerns, when it is registered here."""
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="RESTRICT"))
    """The executor."""
    due_on: Mapped[date] = mapped_column(Date)
    executed_on: Mapped[Optional[date]] = mapped_column(Date)
    report: Mapped[Optional[str]] = mapped_column(Text)
    """What was done, as reported to the issuer."""

    appeal = relationship("Appeal")
    department: Mapped[Department] = relationship()

    @property
    def term(self) -> tuple:
        """(due_on, executed_on): the list's "Execution" column."""
        return (self.due_on, self.executed_on)

    def __str__(self) -> str:
        return f"{self.document_ref} — {self.issued_on:%d.%m.%Y}"
