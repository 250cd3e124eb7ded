"""M5.8: consultations given by the staff; R38: satisfaction calls."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.vocabulary import CallOutcome, Channel, ConsultationOutcome, Resolved

from .base import enum_column_type


class Consultation(Model):
    """M5.8: a consultation the staff gave — who, when, by which channel, on
    which topic — and whether the person then registered an appeal or
    declined (R38 calls a sample of those who declined)."""

    __tablename__ = "consultation"
    __table_args__ = (
        CheckConstraint("outcome = 'registered' OR appeal_id IS NULL", name="ck_consultation_appeal_only_if_registered"),
        CheckConstraint("outcome <> 'registered' OR appeal_id IS NOT NULL", name="ck_consultation_registered_names_appeal"),
        Index("ix_consultation_place_given", "reception_place_id", "given_at", "id"),
        Index("ix_consultation_outcome_given", "outcome", "given_at", "id"),
        Index("ix_consultation_applicant", "applicant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    given_at: Mapped[datetime] = mapped_column(DateTime)
    """Local wall time (``Asia/Almaty``)."""
    given_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    reception_place_id: Mapped[int] = mapped_column(ForeignKey("reception_place.id", ondelete="RESTRICT"))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id", ondelete="RESTRICT"))
    channel: Mapped[Channel] = mapped_column(enum_column_type(Channel, "consultation_channel"))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id", ondelete="RESTRICT"))
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicant.id", ondelete="RESTRICT"))
    question: Mapped[str] = mapped_column(Text)
    outcome: Mapped[ConsultationOutcome] = mapped_column(
        enum_column_type(ConsultationOutcome, "consultation_outcome"), default=ConsultationOutcome.undecided)
    appeal_id: Mapped[Optional[int]] = mapped_column(ForeignKey("appeal.id", ondelete="RESTRICT"))
    """The appeal the person registered after the consultation."""
    note: Mapped[str] = mapped_column(Text, default="")

    given_by = relationship("User")
    reception_place = relationship("ReceptionPlace")
    district = relationship("District")
    category = relationship("Category")
    applicant = relationship("Applicant")
    appeal = relationship("Appeal")

    def __str__(self) -> str:
        return f"{self.given_at:%d.%m.%Y %H:%M}" if self.given_at else str(self.id)


class SurveyCall(Model):
    """Who called whom, when, reached or not, the answers and a comment."""

    __tablename__ = "survey_call"
    __table_args__ = (
        CheckConstraint("satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="ck_call_satisfaction"),
        CheckConstraint("politeness IS NULL OR politeness BETWEEN 0 AND 2", name="ck_call_politeness"),
        CheckConstraint("clarity IS NULL OR clarity BETWEEN 0 AND 2", name="ck_call_clarity"),
        CheckConstraint(
            "outcome = 'reached' OR (satisfaction IS NULL AND resolved IS NULL)",
            name="ck_call_answers_only_when_reached",
        ),
        CheckConstraint("outcome = 'planned' OR called_at IS NOT NULL", name="ck_call_made_has_time"),
        Index("ix_survey_call_called_at", "called_at", "id"),
        Index("ix_survey_call_worklist", "outcome", "planned_on", "id"),
        Index("ix_survey_call_applicant", "applicant_id", "called_at"),
        Index("ix_survey_call_appeal", "appeal_id"),
        Index("ix_survey_call_consultation", "consultation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicant.id", ondelete="RESTRICT"))
    appeal_id: Mapped[Optional[int]] = mapped_column(ForeignKey("appeal.id", ondelete="RESTRICT"))
    consultation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("consultation.id", ondelete="RESTRICT"))
    """R38: the consultation after which the person declined to register."""
    caller_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    planned_on: Mapped[Optional[date]] = mapped_column(Date)
    """The day the call is on a work list (sampling, R38)."""
    called_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    outcome: Mapped[CallOutcome] = mapped_column(enum_column_type(CallOutcome, "call_outcome"))
    satisfaction: Mapped[Optional[int]] = mapped_column(Integer)
    resolved: Mapped[Optional[Resolved]] = mapped_column(enum_column_type(Resolved, "resolved"))
    politeness: Mapped[Optional[int]] = mapped_column(Integer)
    clarity: Mapped[Optional[int]] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")

    applicant = relationship("Applicant")
    appeal = relationship("Appeal")
    consultation = relationship("Consultation")
    caller = relationship("User")

    def __str__(self) -> str:
        when = self.called_at or self.planned_on
        return when.strftime("%d.%m.%Y") if when else str(self.id)
