"""The earlier appeals most like this one on its topic, whoever filed them
(``app.domain.similarity``), and the links between appeals found to be the
same question — the evidence R15 grounds 2, 3 and 5 rest on; a link also
keeps the employees who handled the linked appeal off this one (R37).

Read through the boundary: the candidates are appeals the reader may see
(``scoped``), searched with the register's own text search structures
(PostgreSQL's ``substance_tsv``, SQLite's FTS5), then scored in Python, so
the same texts get the same score on both databases. Whether a candidate is
the same person is told only as ``repeats.same_person`` tells it (by ИИН
only for a reader who may see ИИН).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import selectinload

from app.domain import similarity
from app.extensions import db
from app.models import Appeal, AppealEvent, AppealLink, Category
from app.models.base import WORD, any_word_matches
from app.security.scope import get_visible, get_writable, scoped

from .errors import Conflict
from .repeats import RefusalOffers, excerpt, same_person

THRESHOLD = 0.55
"""At least this alike to be shown (precision 0.96, recall 0.76 on the
labelled set of ``bench/same_question.py``; docs/performance.md)."""
LIMIT = 5
CANDIDATES = 200
"""The latest appeals on the topic sharing a word with the text, scored in Python."""
QUERY_WORDS = 24


@dataclass(frozen=True)
class Similar(RefusalOffers):
    id: int
    reg_number: str
    registered_on: date
    status: str
    status_value: str
    excerpt: str
    score: float
    same_person: bool
    refusal_ground: str | None
    refusal_ground_value: str | None
    refusal_reference: str | None
    linked: bool


def topic_of(category: Category | None) -> Category | None:
    """The topic (a level-2 code such as "01.02") a category belongs to; a section is its own topic."""
    if category is None:
        return None
    code = category.code or ""
    if code.count(".") <= 1:
        return category
    topic_code = ".".join(code.split(".")[:2])
    return db.session.execute(select(Category).where(Category.code == topic_code)).scalar_one_or_none() or category


def _query_words(text: str) -> list[str]:
    """The words a candidate must share one of: the names and numbers first, then the longest words.
    A name is what ``similarity.anchors`` takes for one (three letters or more): a capital
    «В» opening a sentence would begin a word of nearly every appeal and crowd the candidates."""
    words = WORD.findall(text or "")
    names = [w for w in words if (w[:1].isupper() and len(w) >= 3) or w.isdigit()]
    rest = sorted((w for w in words if len(w) >= 5 and w not in names), key=len, reverse=True)
    return list(dict.fromkeys(names + rest))[:QUERY_WORDS]


def _subtree(topic: Category):
    """The topic and the questions under it (by code), as a subquery."""
    return select(Category.id).where(or_(Category.code == topic.code, Category.code.like(topic.code + ".%")))


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def linked_ids(appeal_id: int) -> set[int]:
    rows = db.session.execute(select(AppealLink.appeal_id, AppealLink.linked_id).where(
        or_(AppealLink.appeal_id == appeal_id, AppealLink.linked_id == appeal_id))).all()
    return {b if a == appeal_id else a for a, b in rows}


def similar_appeals(text: str, category: Category | None, *, applicant=None, exclude_id: int | None = None,
                    user=None, limit: int = LIMIT) -> list[Similar]:
    """The appeals the reader may see on ``category``'s topic at least
    ``THRESHOLD`` alike to ``text``, most alike first."""
    topic = topic_of(category)
    words = _query_words(text)
    if topic is None or not words:
        return []
    stmt = (select(Appeal.id, Appeal.substance)
            .where(Appeal.category_id.in_(_subtree(topic)), any_word_matches(Appeal, "substance", words, _dialect()))
            .order_by(Appeal.registered_on.desc(), Appeal.id.desc()).limit(CANDIDATES))
    if exclude_id is not None:
        stmt = stmt.where(Appeal.id != exclude_id)
    candidates = [(pk, body) for pk, body in db.session.execute(scoped(stmt, Appeal, user)).all()]
    hits = similarity.rank(text, candidates, THRESHOLD, limit)
    if not hits:
        return []
    ids = [pk for pk, _ in hits]
    rows = {a.id: a for a in db.session.execute(select(Appeal).where(Appeal.id.in_(ids))
                                                 .options(selectinload(Appeal.category))).scalars()}
    mine = set()
    if applicant is not None:
        mine = set(db.session.execute(select(Appeal.id).where(Appeal.id.in_(ids), same_person(applicant, user)))
                   .scalars())
    links = linked_ids(exclude_id) if exclude_id is not None else set()
    from app.labels import label

    out = []
    for pk, score in hits:
        a = rows[pk]
        ground = getattr(a.refusal_ground, "value", a.refusal_ground)
        out.append(Similar(
            id=a.id, reg_number=a.reg_number, registered_on=a.registered_on, status=str(label(a.status)),
            status_value=getattr(a.status, "value", a.status), excerpt=excerpt(a.substance), score=score,
            same_person=pk in mine, refusal_ground=str(label(a.refusal_ground)) if ground else None,
            refusal_ground_value=ground, refusal_reference=a.refusal_reference, linked=pk in links))
    return out


def linked_appeals(appeal: Appeal, user=None) -> list[Appeal]:
    """The appeals linked to ``appeal`` as the same question that the reader may see."""
    ids = linked_ids(appeal.id)
    if not ids:
        return []
    stmt = select(Appeal).where(Appeal.id.in_(ids)).order_by(Appeal.registered_on, Appeal.id)
    return list(db.session.execute(scoped(stmt, Appeal, user)).scalars())


def _event(appeal: Appeal, action: str, other: Appeal, user_id: int | None, note: str) -> AppealEvent:
    return AppealEvent(appeal_id=appeal.id, at=datetime.utcnow(), user_id=user_id, action=action,
                       from_status=appeal.status, to_status=appeal.status, rule="R15", reason=note,
                       payload={"appeal": other.reg_number, "appeal_id": other.id})


NOTE_LIMIT = 500


def link(appeal_id, other_id, user, note: str = "") -> AppealLink:
    """Link two appeals as the same question: the first is one the user may
    change, the second one they may see (any other is "no such appeal"); both
    histories record it. Linking twice is refused (409)."""
    appeal, other = get_writable(Appeal, appeal_id, user), get_visible(Appeal, other_id, user)
    if appeal is None or other is None or appeal.id == other.id:
        raise LookupError(other_id)
    first, second = sorted((appeal.id, other.id))
    exists_ = db.session.execute(select(AppealLink.id).where(AppealLink.appeal_id == first,
                                                            AppealLink.linked_id == second)).first()
    if exists_:
        raise Conflict(_l("These appeals are already linked."))
    note = " ".join(str(note or "").replace("\x00", "").split())[:NOTE_LIMIT]
    row = AppealLink(appeal_id=first, linked_id=second, note=note, created_by_id=getattr(user, "id", None))
    db.session.add(row)
    db.session.add_all([_event(appeal, "link", other, row.created_by_id, note),
                        _event(other, "link", appeal, row.created_by_id, note)])
    from sqlalchemy.exc import IntegrityError

    try:
        db.session.commit()
    except IntegrityError:  # a parallel request linked them first
        db.session.rollback()
        raise Conflict(_l("These appeals are already linked.")) from None
    return row


def unlink(appeal_id, other_id, user) -> None:
    """Remove a link (the histories keep both events). Of parallel requests
    to remove one link, one does; the others find no such link."""
    appeal, other = get_writable(Appeal, appeal_id, user), get_visible(Appeal, other_id, user)
    if appeal is None or other is None:
        raise LookupError(other_id)
    first, second = sorted((appeal.id, other.id))
    gone = db.session.execute(delete(AppealLink).where(and_(AppealLink.appeal_id == first,
                                                            AppealLink.linked_id == second)))
    if gone.rowcount != 1:  # no such link, or a parallel request removed it first: its events are written once
        db.session.rollback()
        raise LookupError(other_id)
    db.session.add_all([_event(appeal, "unlink", other, getattr(user, "id", None), ""),
                        _event(other, "unlink", appeal, getattr(user, "id", None), "")])
    db.session.commit()
