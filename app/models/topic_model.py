"""The topic suggestion's trained classifiers (``app.services.topic_suggest``):
one row per version, the active one answering the appeal form."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from flask_appbuilder import Model
from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column


class TopicModel(Model):
    """A version of the topic classifier: when and on what it was trained,
    its top-1 / top-3 accuracy on the held-out (latest) appeals, and the
    fitted scikit-learn pipeline itself (``blob``, joblib bytes).

    Only the retraining job (``services.topic_suggest.train``) writes
    ``blob``; nothing a user sends ever lands there. That is what makes
    unpickling it acceptable: a pickle runs code when loaded, so it must
    never come from anywhere else (no upload, no import of a model file).
    The blob is deferred: lists of versions never read it."""

    __tablename__ = "topic_model"
    __table_args__ = (Index("ix_topic_model_active", "active", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    trained_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)
    n_train: Mapped[int] = mapped_column(Integer)
    n_test: Mapped[int] = mapped_column(Integer)
    top1: Mapped[float] = mapped_column(Float)
    top3: Mapped[float] = mapped_column(Float)
    labels: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """The category ids the classifier can suggest, in its column order."""
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    """Wall time of the training (reading, fitting, measuring)."""
    size: Mapped[int] = mapped_column(Integer, default=0)
    """Bytes of ``blob``."""
    job_id: Mapped[Optional[str]] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"), nullable=True)
    trained_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """The settings it was trained with (cap, thresholds, split)."""
    note: Mapped[Optional[str]] = mapped_column(String(200))
    blob: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, deferred=True)

    def __str__(self) -> str:
        return f"v{self.version}"
