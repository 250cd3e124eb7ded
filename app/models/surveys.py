"""R38: satisfaction calls to applicants."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.vocabulary import CallOutcome, Resolved

from .base import enum_column_type


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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicant.id", ondelete="RESTRICT"))
    appeal_id: Mapped[Optional[int]] = mapped_column(ForeignKey("appeal.id", ondelete="RESTRICT"))
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
    caller = relationship("User")

    def __str__(self) -> str:
        when = self.called_at or self.planned_on
        return when.strftime("%d.%m.%Y") if when else str(self.id)
