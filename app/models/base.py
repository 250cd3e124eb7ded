"""Shared column helpers for the domain models."""
from __future__ import annotations

import enum

from sqlalchemy import Enum


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
