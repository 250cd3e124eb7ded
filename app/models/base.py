"""Shared column helpers for the domain models."""
from __future__ import annotations

import enum
import re

from sqlalchemy import Enum, Integer, false, func, literal_column, text
from sqlalchemy import column as sa_column

WORD = re.compile(r"\w+", re.UNICODE)


def enum_column_type(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum: VARCHAR + a named CHECK constraint on every database."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        validate_strings=True,
        values_callable=lambda e: [m.value for m in e],
    )


class BilingualName:
    """Mixin for records named in Kazakh and Russian: ``name`` follows the UI."""

    name_kk: str
    name_ru: str

    def localized_name(self, locale: str | None) -> str:
        if locale == "kk":
            return self.name_kk or self.name_ru
        return self.name_ru or self.name_kk

    @property
    def name(self) -> str:
        from app.i18n import current_locale

        return self.localized_name(current_locale())

    def __str__(self) -> str:
        return self.name


# Search structures kept by migrations only, per database (migration 0008):
# on PostgreSQL the stored ``substance_tsv`` column with its GIN index and
# trigram indexes (``*_trgm``); on SQLite an FTS5 table (``appeal_fts`` and
# its shadow tables). The models do not declare them, so the comparison of
# models and migrations leaves them out.
SEARCH_INDEX_SUFFIXES = ("_trgm", "_tsv", "_cov")  # _cov: PostgreSQL's covering index (0009)
SEARCH_COLUMN_SUFFIX = "_tsv"
SEARCH_TABLE_PREFIX = "appeal_fts"


def schema_object_filter(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's ``include_object``: skip the per-database search structures."""
    if not name:
        return True
    if type_ == "table" and name.startswith(SEARCH_TABLE_PREFIX):
        return False
    if type_ == "index" and name.endswith(SEARCH_INDEX_SUFFIXES):
        return False
    return not (type_ == "column" and reflected and name.endswith(SEARCH_COLUMN_SUFFIX))


def _prefixes_match(model, column_name: str, words: list[str], dialect: str, every: bool):
    """A clause on the per-database search structures above (PostgreSQL's
    ``<column>_tsv`` with its GIN index; SQLite's FTS5 ``<table>_fts``): every
    (or some) word of ``words`` begins a word of ``model.column_name``, in
    any case and any alphabet. No word at all matches nothing."""
    if not words:
        return false()
    table = model.__tablename__
    if dialect == "sqlite":
        match = (" " if every else " OR ").join('"%s"*' % w for w in words)
        rowids = text(f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH :match")
        rowids = rowids.bindparams(match=match).columns(sa_column("rowid", Integer))
        return model.id.in_(rowids)
    tsquery = (" & " if every else " | ").join(f"{w}:*" for w in words)
    vector = literal_column(f"{table}.{column_name}_tsv")
    return vector.bool_op("@@")(func.to_tsquery(literal_column("'simple'::regconfig"), tsquery))


def words_match(model, column_name: str, value: str, dialect: str):
    """A clause: every word of ``value`` (the first 12) begins a word of ``model.column_name``."""
    return _prefixes_match(model, column_name, WORD.findall(str(value)[:200])[:12], dialect, every=True)


def any_word_matches(model, column_name: str, words: list[str], dialect: str):
    """A clause: some word of ``words`` (the first 24) begins a word of
    ``model.column_name`` — the candidates of a similarity search."""
    return _prefixes_match(model, column_name, WORD.findall(" ".join(words))[:24], dialect, every=False)
