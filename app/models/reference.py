"""Reference books: districts, departments, officials, reception places,
categories, and the calendar overrides."""
from __future__ import annotations

from datetime import date
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.vocabulary import DepartmentKind, DistrictKind, OfficialLevel, PlaceKind

from .base import BilingualName, enum_column_type


class District(BilingualName, Model):
    """A district or a city of regional significance, keyed by its KATO code."""

    __tablename__ = "district"
    __table_args__ = (
        CheckConstraint("population IS NULL OR population >= 0", name="ck_district_population"),
        CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="ck_district_coords"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kato: Mapped[str] = mapped_column(String(9), unique=True)
    kind: Mapped[DistrictKind] = mapped_column(enum_column_type(DistrictKind, "district_kind"))
    name_kk: Mapped[str] = mapped_column(String(120))
    name_ru: Mapped[str] = mapped_column(String(120))
    centre_kk: Mapped[str] = mapped_column(String(120))
    centre_ru: Mapped[str] = mapped_column(String(120))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    population: Mapped[Optional[int]] = mapped_column(Integer)
    population_year: Mapped[Optional[int]] = mapped_column(Integer)

    def centre(self, locale: str | None) -> str:
        return self.centre_kk if locale == "kk" else self.centre_ru

    @property
    def centre_name(self) -> str:
        from app.i18n import current_locale

        return self.centre(current_locale())


class Department(BilingualName, Model):
    """A structural unit of the akim's office, a local executive body or
    another state body (R18); departments form a tree."""

    __tablename__ = "department"
    __table_args__ = (Index("ix_department_parent", "parent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name_kk: Mapped[str] = mapped_column(String(255))
    name_ru: Mapped[str] = mapped_column(String(255))
    kind: Mapped[DepartmentKind] = mapped_column(enum_column_type(DepartmentKind, "department_kind"))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("department.id", ondelete="RESTRICT"))
    district_id: Mapped[Optional[int]] = mapped_column(ForeignKey("district.id", ondelete="RESTRICT"))
    pack_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    """The key of the row in the region pack it came from (``flask region load``); NULL for a row added by hand."""

    parent: Mapped[Optional[Department]] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Department]] = relationship(back_populates="parent")
    district: Mapped[Optional[District]] = relationship()


class Official(Model):
    """A person who receives citizens (R2)."""

    __str_column__ = "full_name"
    """What ``str()`` shows, as a column (exports read it without loading the row)."""

    __tablename__ = "official"
    __table_args__ = (
        Index("ix_official_department", "department_id"),
        Index("ix_official_name", "full_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    position_kk: Mapped[str] = mapped_column(String(255))
    position_ru: Mapped[str] = mapped_column(String(255))
    level: Mapped[OfficialLevel] = mapped_column(enum_column_type(OfficialLevel, "official_level"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="RESTRICT"))
    languages: Mapped[str] = mapped_column(String(10), default="kk,ru")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"), unique=True)
    pack_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    """The key of the row in the region pack it came from (``flask region load``); NULL for a row added by hand."""

    department: Mapped[Department] = relationship()
    user = relationship("User")

    def position(self, locale: str | None) -> str:
        return self.position_kk if locale == "kk" else self.position_ru

    @property
    def position_name(self) -> str:
        from app.i18n import current_locale

        return self.position(current_locale())

    def __str__(self) -> str:
        return self.full_name


class ReceptionPlace(BilingualName, Model):
    """The public reception or a citizens' reception centre (R2, R2-1)."""

    __tablename__ = "reception_place"
    __table_args__ = (Index("ix_reception_place_district", "district_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name_kk: Mapped[str] = mapped_column(String(255))
    name_ru: Mapped[str] = mapped_column(String(255))
    kind: Mapped[PlaceKind] = mapped_column(enum_column_type(PlaceKind, "place_kind"))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id", ondelete="RESTRICT"))
    address: Mapped[str] = mapped_column(String(255))
    pack_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    """The key of the row in the region pack it came from (``flask region load``); NULL for a row added by hand."""

    district: Mapped[District] = relationship()


class Category(BilingualName, Model):
    """Topic classifier: section → topic → question (M7.1, M7.2)."""

    __tablename__ = "category"
    __table_args__ = (Index("ix_category_parent", "parent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_kk: Mapped[str] = mapped_column(String(255))
    name_ru: Mapped[str] = mapped_column(String(255))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("category.id", ondelete="RESTRICT"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    parent: Mapped[Optional[Category]] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Category]] = relationship(back_populates="parent")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RegCounter(Model):
    """The last registration number given in a year (row-locked on use)."""

    __tablename__ = "reg_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class UserPlace(Model):
    """The reception place that scopes what a Clerk or Responsible sees."""

    __tablename__ = "user_place"

    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("reception_place.id", ondelete="RESTRICT"))

    place: Mapped[ReceptionPlace] = relationship()
    user = relationship("User")


class CalendarDay(Model):
    """An Admin's override of the national calendar for one date."""

    __tablename__ = "calendar_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    is_working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")

    def __str__(self) -> str:
        return self.day.isoformat()


class RestrictionPeriod(Model):
    """R14: while restrictions are in force (a period the Admin sets),
    reception is by video-conference only."""

    __tablename__ = "restriction_period"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ck_restriction_period_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")

    def __str__(self) -> str:
        return f"{self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}"
