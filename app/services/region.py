"""Who this installation is: the region's row (``app.models.region``, from the
pack's ``region.json``) as the pages, the letters and the registration
numbers use it.

``identity()`` reads the row once per session (a request, a job, a CLI
command) and keeps a plain copy in ``db.session.info``; ``forget()`` drops
that copy (``load_pack`` calls it). Before any pack was loaded there is no
row: the pages name a neutral «akim's office of the region» and numbers keep
the prefix ``ЖТ`` they always had."""
from __future__ import annotations

from dataclasses import dataclass

from flask import has_app_context
from flask_babel import gettext

from app.extensions import db
from app.models import Region

FALLBACK_PREFIX = "ЖТ"
"""The prefix of the numbers given before regions came from packs (Zhetysu's)."""
_CACHE = "qabyldau.region"


@dataclass(frozen=True)
class RegionIdentity:
    """A detached copy of the region's row; ``code`` is None when there is none."""

    code: str | None
    name_ru: str
    name_kk: str
    office_ru: str
    office_kk: str
    reg_prefix: str
    pack_version: str | None

    def name(self, locale: str | None = None) -> str:
        return self._pick("name", locale)

    def office(self, locale: str | None = None) -> str:
        return self._pick("office", locale)

    def _pick(self, what: str, locale: str | None) -> str:
        if self.code is None:  # no pack loaded: neutral words in the page's language
            return gettext("Region") if what == "name" else gettext("Akim's office of the region")
        if locale is None:
            from app.i18n import current_locale

            locale = current_locale()
        return getattr(self, f"{what}_kk" if locale == "kk" else f"{what}_ru")


NONE = RegionIdentity(None, "", "", "", "", FALLBACK_PREFIX, None)


def identity() -> RegionIdentity:
    """The region of this database (``NONE`` before a pack was loaded, or with no app at hand)."""
    if not has_app_context():
        return NONE
    info = db.session.info
    if _CACHE not in info:
        row = db.session.get(Region, 1)
        info[_CACHE] = NONE if row is None else RegionIdentity(
            row.code, row.name_ru, row.name_kk, row.office_ru, row.office_kk, row.reg_prefix, row.pack_version)
    return info[_CACHE]


def forget() -> None:
    db.session.info.pop(_CACHE, None)


def reg_prefix() -> str:
    """The prefix new registration numbers take (``ЖТ`` of ``ЖТ-2026-000123``)."""
    return identity().reg_prefix


@dataclass(frozen=True)
class LocalRegion:
    """The region's words in one language, for a template."""

    name: str
    office: str
    prefix: str


def region_words() -> LocalRegion:
    """The Jinja global ``region()``: the names in the page's language at the
    moment it is called — a letter rendered under ``force_locale`` gets the
    applicant's (kk → Kazakh, any other → Russian)."""
    here = identity()
    return LocalRegion(name=here.name(), office=here.office(), prefix=here.reg_prefix)
