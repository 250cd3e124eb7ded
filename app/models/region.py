"""The region this installation serves: one row, written by ``flask region
load`` from the pack's ``region.json`` (``app.services.region_pack``) and read
by the letters, the printed pages and the registration numbers
(``app.services.region``)."""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

SINGLE_ROW = 1


class Region(Model):
    """The region's names (ru / kk), its akim's office as letters name it,
    the prefix of its registration numbers (``ЖТ`` of ``ЖТ-2026-000123``)
    and the pack version it came from. Only ever the row ``id = 1``."""

    __tablename__ = "region"
    __table_args__ = (
        CheckConstraint(f"id = {SINGLE_ROW}", name="ck_region_single_row"),
        CheckConstraint("length(reg_prefix) BETWEEN 1 AND 4", name="ck_region_reg_prefix"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, default=SINGLE_ROW)
    code: Mapped[str] = mapped_column(String(64))
    """The pack's region code (``zhetysu``)."""
    name_ru: Mapped[str] = mapped_column(String(255))
    name_kk: Mapped[str] = mapped_column(String(255))
    office_ru: Mapped[str] = mapped_column(String(255))
    """The sender of the letters: «Аппарат акима области Жетісу»."""
    office_kk: Mapped[str] = mapped_column(String(255))
    reg_prefix: Mapped[str] = mapped_column(String(4))
    """New registration numbers begin with it; numbers already given keep theirs."""
    pack_version: Mapped[str] = mapped_column(String(64))

    def __str__(self) -> str:
        return self.name_ru
