"""Repeat appeals: the applicant's earlier appeals, those on the same topic
first — shown as the clerk registers an appeal, again once it is saved, and
on the appeal's page (R15 grounds 2, 3 and 5 refer to an earlier decision on
the same question).

Read through the boundary: the applicant is one the reader may see, every
appeal listed is in the reader's scope, and the same person is found by ИИН
or БИН only for a reader who may see those (otherwise by the applicant
record alone) — so the list says nothing the reader could not find in the
register themselves.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Appeal, Applicant
from app.security.privacy import hidden_columns
from app.security.scope import scoped

LIMIT = 8
EXCERPT = 140


GROUND_OFFERS = (
    ("administrative_decision_exists", _l("Propose a refusal: already decided (R15, ground 2)")),
    ("court_act_in_force", _l("Propose a refusal: a court act in force (R15, ground 3)")),
    ("withdrawn", _l("Propose a refusal: the withdrawal was accepted (R15, ground 5)")),
)


class RefusalOffers:
    """Which refusal an earlier appeal of the same person on the same
    question can rest on (R15): ground 2 when it was decided (closed with an
    answer, or refused), ground 3 when it was refused on a court act in force
    (its reference is carried over), ground 5 when its withdrawal was accepted."""

    status_value: str
    refusal_ground_value: str | None

    @property
    def offers(self) -> list[tuple[str, object]]:
        grounds = set()
        if self.status_value in ("closed", "refused"):
            grounds.add("administrative_decision_exists")
        if self.refusal_ground_value == "court_act_in_force":
            grounds.add("court_act_in_force")
        if self.status_value == "withdrawn":
            grounds.add("withdrawn")
        return [(g, text) for g, text in GROUND_OFFERS if g in grounds]


@dataclass(frozen=True)
class Earlier(RefusalOffers):
    id: int
    reg_number: str
    registered_on: date
    status: str
    category_id: int
    category: str
    same_topic: bool
    excerpt: str
    refusal_ground: str | None
    refusal_reference: str | None
    closed_on: date | None
    status_value: str = ""
    refusal_ground_value: str | None = None


def excerpt(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= EXCERPT else text[:EXCERPT - 1].rstrip() + "…"


def person_ids(applicant: Applicant, user=None) -> list[int]:
    """The applicant records of this person: the record itself, and those with
    the same ИИН/БИН when the reader may see it (one indexed query)."""
    hidden = hidden_columns(Applicant, user)
    same = [Applicant.id == applicant.id]
    for column in ("iin", "bin"):
        value = getattr(applicant, column)
        if value and column not in hidden:
            same.append(getattr(Applicant, column) == value)
    if len(same) == 1:
        return [applicant.id]
    return sorted(set(db.session.execute(select(Applicant.id).where(or_(*same))).scalars()) | {applicant.id})


def same_person(applicant: Applicant, user=None):
    """The condition on ``Appeal`` for "filed by this person": the applicant
    record, or any record with the same ИИН/БИН when the reader may see it —
    a list of applicant ids, so the appeals are read along their index."""
    return Appeal.applicant_id.in_(person_ids(applicant, user))


def earlier_appeals(applicant: Applicant | None, category_id: int | None = None, *, exclude_id: int | None = None,
                    limit: int = LIMIT, user=None) -> list[Earlier]:
    """The person's appeals the reader may see, newest first, those on
    ``category_id`` before the others; ``exclude_id`` is the appeal itself."""
    if applicant is None:
        return []
    same_topic = Appeal.category_id == category_id if category_id else None
    stmt = scoped(select(Appeal), Appeal, user).where(same_person(applicant, user))
    if exclude_id is not None:
        stmt = stmt.where(Appeal.id != exclude_id)
    order = [Appeal.registered_on.desc(), Appeal.id.desc()]
    if same_topic is not None:
        order.insert(0, case((same_topic, 0), else_=1))
    rows = db.session.execute(
        stmt.options(selectinload(Appeal.category)).order_by(*order).limit(limit)
    ).scalars().all()
    from app.labels import label

    out = []
    for a in rows:
        ground = getattr(a.refusal_ground, "value", a.refusal_ground)
        out.append(Earlier(
            id=a.id, reg_number=a.reg_number, registered_on=a.registered_on, status=str(label(a.status)),
            category_id=a.category_id, category=str(a.category) if a.category else "",
            same_topic=bool(category_id) and a.category_id == category_id, excerpt=excerpt(a.substance),
            refusal_ground=str(label(a.refusal_ground)) if ground else None,
            refusal_reference=a.refusal_reference, closed_on=a.closed_on,
            status_value=getattr(a.status, "value", a.status), refusal_ground_value=ground,
        ))
    return out


def on_same_topic(rows: list[Earlier]) -> list[Earlier]:
    return [r for r in rows if r.same_topic]
