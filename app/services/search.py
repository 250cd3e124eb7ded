"""The global search of the navbar: one box for a registration number, an
applicant's name, an ИИН/БИН or phone (for the roles that may see them) and
words of an appeal's substance.

It is a surface of the boundary like any other: every query goes through the
row scope (``scoped``), a personal field is searched on only by a role that
may see it (``hidden_columns``) — so a count or an order cannot tell anyone
else whether an ИИН exists — and every hit is presented by the privacy
presenter.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import case, func, or_, select

from app.extensions import db
from app.models import Appeal, Applicant
from app.models.base import WORD, words_match
from app.security.privacy import hidden_columns
from app.security.scope import scoped

from .appeals import reg_number

MAX_QUERY = 200
LIMIT = 10
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PREFIX = "[A-Za-zА-ЯЁӘҒҚҢӨҰҮҺІа-яёәғқңөұүһі]{1,4}"  # a region's prefix (region.json), either case
_REG = re.compile(rf"^(?:({_PREFIX})-?)?(\d{{4}})-(\d{{1,9}})$")
_DIGITS = re.compile(r"\d")
_PART = re.compile(rf"(?:{_PREFIX}-?)?[\d-]+")


def clean(q) -> str:
    """The query as it is searched: text, no control characters (a NUL byte
    included), single spaces, at most ``MAX_QUERY`` characters."""
    q = _CONTROL.sub(" ", str(q or ""))[:MAX_QUERY]
    return " ".join(q.split())


def reg_number_of(q: str) -> str | None:
    """``ЖТ-2026-000123``, ``жт-2026-123`` and ``2026-123`` all name
    ``ЖТ-2026-000123`` (no prefix typed: the region's); anything else names no number."""
    m = _REG.match(q.replace(" ", ""))
    if not m or len(m.group(3)) > 6:
        return None
    return reg_number(int(m.group(2)), int(m.group(3)), m.group(1) and m.group(1).upper())


@dataclass
class Results:
    q: str
    exact: Appeal | None = None            # the one appeal the number names
    appeals: list = field(default_factory=list)        # by number
    applicants: list = field(default_factory=list)
    applicant_appeals: dict = field(default_factory=dict)  # applicant id → their latest appeals
    by_substance: list = field(default_factory=list)
    searched_personal: tuple = ()           # the personal fields searched on, for the page to say so

    @property
    def empty(self) -> bool:
        return not (self.appeals or self.applicants or self.by_substance)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _personal_terms(q: str, hidden: frozenset) -> tuple[list, tuple]:
    digits = "".join(_DIGITS.findall(q))
    only_digits = digits and re.fullmatch(r"[\d\s()+-]+", q)
    terms, fields = [], []
    if not only_digits:
        return terms, ()
    if len(digits) == 12:
        for col in ("iin", "bin"):
            if col not in hidden:
                terms.append(getattr(Applicant, col) == digits)
                fields.append(col)
    elif 6 <= len(digits) < 12:
        for col in ("iin", "bin"):
            if col not in hidden:
                terms.append(getattr(Applicant, col).like(f"{digits}%"))
                fields.append(col)
    if len(digits) >= 7 and "phone" not in hidden:
        bare = Applicant.phone
        for ch in (" ", "-", "(", ")", "+"):
            bare = func.replace(bare, ch, "")
        terms.append(bare.like(f"%{digits[-10:]}"))
        fields.append("phone")
    return terms, tuple(fields)


def applicant_terms(q: str, hidden: frozenset) -> tuple[list, tuple]:
    """The clauses an applicant is found by — a name or an organization; an
    ИИН/БИН or a phone only where ``hidden`` lets the reader see it — and the
    personal fields searched on."""
    terms, fields = _personal_terms(q, hidden)
    if WORD.search(q) and not q.replace(" ", "").isdigit():
        like = f"%{_escape(q)}%"
        terms += [Applicant.full_name.ilike(like, escape="\\"), Applicant.organization.ilike(like, escape="\\")]
    return terms, fields


def search(q, *, may_read_appeals: bool, may_read_applicants: bool, user=None, limit: int = LIMIT) -> Results:
    """Everything ``user`` may see that the query names, ``limit`` of a kind."""
    q = clean(q)
    out = Results(q=q)
    if len(q) < 2 and not q.isdigit():
        return out
    number = reg_number_of(q)
    if may_read_appeals:
        if number is not None:
            out.exact = db.session.execute(
                scoped(select(Appeal).where(Appeal.reg_number == number), Appeal, user)).scalar_one_or_none()
        if out.exact is not None:
            out.appeals = [out.exact]
        elif _PART.fullmatch(q.replace(" ", "")) and len(_DIGITS.findall(q)) >= 3:
            # a part of a number: «000123», «2026-0001»
            out.appeals = db.session.execute(
                scoped(select(Appeal).where(Appeal.reg_number.ilike(f"%{_escape(q)}%", escape="\\")), Appeal, user)
                .order_by(Appeal.id.desc()).limit(limit)).scalars().all()
    if may_read_applicants and number is None:
        terms, out.searched_personal = applicant_terms(q, hidden_columns(Applicant, user))
        if terms:
            starts = Applicant.full_name.ilike(f"{_escape(q)}%", escape="\\")
            out.applicants = db.session.execute(
                scoped(select(Applicant).where(or_(*terms)), Applicant, user)
                .order_by(case((starts, 0), else_=1), Applicant.full_name, Applicant.id).limit(limit)).scalars().all()
        if may_read_appeals and out.applicants:
            ids = [a.id for a in out.applicants]
            rows = db.session.execute(
                scoped(select(Appeal).where(Appeal.applicant_id.in_(ids)), Appeal, user)
                .order_by(Appeal.id.desc()).limit(20 * len(ids))).scalars().all()
            for appeal in rows:
                mine = out.applicant_appeals.setdefault(appeal.applicant_id, [])
                if len(mine) < 3:
                    mine.append(appeal)
    if may_read_appeals and number is None and any(w for w in WORD.findall(q) if not w.isdigit()):
        out.by_substance = db.session.execute(
            scoped(select(Appeal).where(words_match(Appeal, "substance", q, _dialect())), Appeal, user)
            .order_by(Appeal.id.desc()).limit(limit)).scalars().all()
    return out


def _escape(q: str) -> str:
    return q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
