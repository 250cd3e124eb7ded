"""A region's reference books from a data pack (``flask region load PACK``).

A pack is a directory: ``region.json`` (code, names, the akim's office as
letters name it, the registration-number prefix, version, where and when the
population figures come from) and five UTF-8 CSV files — districts,
departments, officials, reception places, topics (docs/deployment.md,
"Loading a region"). It holds no personal data: officials are named as
public office holders, nothing else about a person is in it.

``read_pack`` checks everything before anything is written and reports every
error with its file and line. ``load_pack`` upserts by the natural keys —
the KATO code, the department / official / place key (``pack_key``), the
topic code — in one transaction: loading a pack twice changes nothing; a
newer pack updates what changed and deactivates the officials and topics it
no longer lists (appeals refer to them: rows are never deleted).
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.domain.vocabulary import DepartmentKind, DistrictKind, OfficialLevel, PlaceKind
from app.extensions import db
from app.models import Category, Department, District, Official, ReceptionPlace, Region

from . import region as region_identity

MAX_FILE_BYTES = 2_000_000
"""A pack file larger than this is refused unread (the Zhetysu pack's largest is 12 KB)."""
MAX_ROWS = 10_000
LANGUAGES = ("kk", "ru")
FORMAT = 1

KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
KATO = re.compile(r"^[0-9]{9}$")  # ASCII digits: \d would take any script's
TOPIC_CODE = re.compile(r"^[0-9]{1,4}(\.[0-9]{1,4}){0,2}$")  # section → topic → question
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
NUMBER = {int: re.compile(r"^[0-9]+$"), float: re.compile(r"^-?[0-9]+(\.[0-9]+)?$")}
TRUE, FALSE = {"1", "true", "yes"}, {"0", "false", "no"}

REGION_FIELDS = ("code", "name_ru", "name_kk", "office_ru", "office_kk", "reg_prefix", "version",
                 "population_source", "population_date")
REGION_LENGTHS = {"code": 64, "version": 64, "reg_prefix": 4}  # the others: 255
REG_PREFIX = re.compile("[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]{1,4}")  # fullmatch: capital Latin or Cyrillic (Kazakh) letters
COLUMNS = {
    "districts.csv": ("kato", "kind", "name_ru", "name_kk", "centre_ru", "centre_kk", "lat", "lon",
                      "population", "population_year"),
    "departments.csv": ("key", "name_ru", "name_kk", "kind", "parent", "district_kato"),
    "officials.csv": ("key", "full_name", "position_ru", "position_kk", "level", "department", "languages", "active"),
    "places.csv": ("key", "name_ru", "name_kk", "kind", "district_kato", "address"),
    "topics.csv": ("code", "name_ru", "name_kk", "active"),
}
OPTIONAL = {"parent", "district_kato"}
LENGTHS = {"name_ru": 255, "name_kk": 255, "centre_ru": 120, "centre_kk": 120, "full_name": 200,
           "position_ru": 255, "position_kk": 255, "address": 255}
DISTRICT_NAME = 120  # District.name_* are shorter than the other books' names


@dataclass(frozen=True)
class PackError:
    """One thing wrong in a pack: where, and what (a translatable message)."""

    file: str
    line: int
    message: object

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class PackInvalid(ValueError):
    """The pack was refused; ``errors`` says every reason. Nothing was written."""

    def __init__(self, errors: list[PackError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class Pack:
    """A pack that passed every check: the region and the rows of each file, in file order."""

    path: Path
    region: dict
    districts: list[dict] = field(default_factory=list)
    departments: list[dict] = field(default_factory=list)
    officials: list[dict] = field(default_factory=list)
    places: list[dict] = field(default_factory=list)
    topics: list[dict] = field(default_factory=list)


# -- reading and checking -------------------------------------------------------------
class _Checker:
    def __init__(self, path: Path):
        self.path = path
        self.errors: list[PackError] = []

    def error(self, file: str, line: int, message) -> None:
        self.errors.append(PackError(file, line, message))

    def text(self, name: str) -> str | None:
        """The file's text, or None (and an error) when it is missing, too big, not UTF-8 or holds a NUL."""
        file = self.path / name
        if not file.is_file():
            self.error(name, 0, _l("The file is missing from the pack."))
            return None
        if file.stat().st_size > MAX_FILE_BYTES:
            self.error(name, 0, _l("The file is larger than %(limit)s bytes.", limit=MAX_FILE_BYTES))
            return None
        raw = file.read_bytes()
        if b"\x00" in raw:
            self.error(name, raw[: raw.index(b"\x00")].count(b"\n") + 1, _l("The file holds a NUL byte."))
            return None
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.error(name, raw[: exc.start].count(b"\n") + 1, _l("The file is not UTF-8 text."))
            return None

    def region(self) -> dict:
        name = "region.json"
        text = self.text(name)
        if text is None:
            return {}
        try:
            meta = json.loads(text)
        except json.JSONDecodeError as exc:
            self.error(name, exc.lineno, _l("The file is not valid JSON."))
            return {}
        if not isinstance(meta, dict):
            self.error(name, 1, _l("The file must hold one JSON object."))
            return {}
        if meta.get("format", FORMAT) != FORMAT:
            self.error(name, 1, _l("Unknown pack format %(value)s.", value=repr(meta.get("format"))[:40]))
        line = {key: _json_line(text, key) for key in REGION_FIELDS}
        region = {}
        for key in REGION_FIELDS:
            value, limit = meta.get(key), REGION_LENGTHS.get(key, 255)
            if not isinstance(value, str) or not value.strip() or CONTROL.search(value):  # a "\u0000" too
                self.error(name, line[key], _l("The field %(field)s is missing or not a line of text.", field=key))
            elif len(value.strip()) > limit:
                self.error(name, line[key], _l("The field %(field)s is longer than %(limit)s characters.",
                                               field=key, limit=limit))
            else:
                region[key] = value.strip()
        if "code" in region and not KEY.match(region["code"]):
            self.error(name, line["code"],
                       _l("The region code may hold only small Latin letters, digits, '.', '_' and '-'."))
        if "reg_prefix" in region and not REG_PREFIX.fullmatch(region["reg_prefix"]):
            self.error(name, line["reg_prefix"],
                       _l("The registration prefix must be 1 to 4 capital Cyrillic or Latin letters."))
        try:
            date.fromisoformat(str(meta.get("population_date")))
        except ValueError:
            self.error(name, line["population_date"], _l("The population date must be a date written as YYYY-MM-DD."))
        return {k: region.get(k) for k in REGION_FIELDS}

    def rows(self, name: str) -> list[tuple[int, dict]]:
        """The rows of a CSV file with their line numbers; cells stripped and checked for length."""
        text = self.text(name)
        if text is None:
            return []
        columns = COLUMNS[name]
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader, None)
        except csv.Error:
            header = None
        if header is None or tuple(h.strip() for h in header) != columns:
            self.error(name, 1, _l("The first line must name the columns %(columns)s.", columns=",".join(columns)))
            return []
        out = []
        try:
            for cells in reader:
                line = reader.line_num
                if not any(c.strip() for c in cells):
                    continue
                if len(out) >= MAX_ROWS:
                    self.error(name, line, _l("The file has more than %(limit)s rows.", limit=MAX_ROWS))
                    break
                if len(cells) != len(columns):
                    self.error(name, line, _l("The line has %(found)s fields instead of %(expected)s.",
                                              found=len(cells), expected=len(columns)))
                    continue
                row = {c: v.strip() for c, v in zip(columns, cells)}
                if self.cells_ok(name, line, row):
                    out.append((line, row))
        except csv.Error:
            self.error(name, reader.line_num, _l("The line is not well-formed CSV."))
        return out

    def cells_ok(self, name: str, line: int, row: dict) -> bool:
        ok = True
        for column, value in row.items():
            limit = DISTRICT_NAME if name == "districts.csv" and column.startswith("name_") else LENGTHS.get(column, 64)
            if CONTROL.search(value):
                self.error(name, line, _l("The field %(field)s holds a control character.", field=column))
                ok = False
            elif not value and column not in OPTIONAL:
                self.error(name, line, _l("The field %(field)s is empty.", field=column))
                ok = False
            elif len(value) > limit:
                self.error(name, line, _l("The field %(field)s is longer than %(limit)s characters.",
                                          field=column, limit=limit))
                ok = False
        return ok

    def enum(self, name, line, enum_cls, value, column) -> bool:
        if value in {e.value for e in enum_cls}:
            return True
        self.error(name, line, _l("Unknown %(field)s %(value)s; expected one of: %(allowed)s.", field=column,
                                  value=repr(value), allowed=", ".join(e.value for e in enum_cls)))
        return False

    def unique(self, name, rows, column, check=None) -> dict[str, tuple[int, dict]]:
        seen: dict[str, tuple[int, dict]] = {}
        for line, row in rows:
            value = row[column]
            if check is not None and not check.match(value):
                self.error(name, line, _l("The %(field)s %(value)s is not well-formed.", field=column, value=repr(value)))
            elif value in seen:
                self.error(name, line, _l("The %(field)s %(value)s is already on line %(line)s.", field=column,
                                          value=repr(value), line=seen[value][0]))
            else:
                seen[value] = (line, row)
        return seen

    def flag(self, name, line, row) -> None:
        value = row["active"].lower()
        if value not in TRUE | FALSE:
            self.error(name, line, _l("The field active must be 1 or 0."))
        row["active"] = value in TRUE

    def number(self, name, line, row, column, kind, low, high):
        try:
            if not NUMBER[kind].match(row[column]):  # int() and float() would take "1_000", "٣" or "nan"
                raise ValueError
            value = kind(row[column])
            if not low <= value <= high:
                raise ValueError
        except ValueError:
            self.error(name, line, _l("The field %(field)s must be a number from %(low)s to %(high)s.",
                                      field=column, low=low, high=high))
            return None
        return value


def _json_line(text: str, key: str) -> int:
    """The line of ``text`` where ``"key":`` stands (1 when it is not there: the object's)."""
    found = re.search(rf'"{re.escape(key)}"\s*:', text)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def read_pack(path) -> Pack:
    """Read and check the pack at ``path``; raise ``PackInvalid`` with every error found."""
    path = Path(path)
    check = _Checker(path)
    if not path.is_dir():
        raise PackInvalid([PackError(str(path), 0, _l("The pack must be a directory."))])
    pack = Pack(path=path, region=check.region())

    name = "districts.csv"
    rows = check.rows(name)
    districts = check.unique(name, rows, "kato", KATO)
    for line, row in districts.values():
        check.enum(name, line, DistrictKind, row["kind"], "kind")
        row["lat"] = check.number(name, line, row, "lat", float, -90, 90)
        row["lon"] = check.number(name, line, row, "lon", float, -180, 180)
        row["population"] = check.number(name, line, row, "population", int, 1, 100_000_000)
        row["population_year"] = check.number(name, line, row, "population_year", int, 1900, 2200)
        pack.districts.append(row)

    name = "departments.csv"
    departments = check.unique(name, check.rows(name), "key", KEY)
    for line, row in departments.values():
        check.enum(name, line, DepartmentKind, row["kind"], "kind")
        if row["parent"] and row["parent"] not in departments:
            check.error(name, line, _l("The parent %(value)s is not in this file.", value=repr(row["parent"])))
        if row["district_kato"] and row["district_kato"] not in districts:
            check.error(name, line, _l("The district %(value)s is not in districts.csv.", value=repr(row["district_kato"])))
        pack.departments.append(row)
    for line, row in departments.values():  # a parent chain must end
        seen, key = set(), row["key"]
        while key in departments and key not in seen:
            seen.add(key)
            key = departments[key][1]["parent"]
        if key in seen:
            check.error(name, line, _l("The department is its own parent through %(value)s.", value=repr(key)))

    name = "officials.csv"
    for line, row in check.unique(name, check.rows(name), "key", KEY).values():
        check.enum(name, line, OfficialLevel, row["level"], "level")
        if row["department"] not in departments:
            check.error(name, line, _l("The department %(value)s is not in departments.csv.", value=repr(row["department"])))
        langs = [x.strip() for x in row["languages"].split(",")]
        if not langs or any(x not in LANGUAGES for x in langs) or len(set(langs)) != len(langs):
            check.error(name, line, _l("The languages must be kk, ru or kk,ru."))
        row["languages"] = ",".join(langs)
        check.flag(name, line, row)
        pack.officials.append(row)

    name = "places.csv"
    for line, row in check.unique(name, check.rows(name), "key", KEY).values():
        check.enum(name, line, PlaceKind, row["kind"], "kind")
        if row["district_kato"] not in districts:
            check.error(name, line, _l("The district %(value)s is not in districts.csv.", value=repr(row["district_kato"])))
        pack.places.append(row)

    name = "topics.csv"
    topics = check.unique(name, check.rows(name), "code", TOPIC_CODE)
    for line, row in topics.values():
        parent = row["code"].rpartition(".")[0]
        if parent and parent not in topics:
            check.error(name, line, _l("The parent topic %(value)s is not in this file.", value=repr(parent)))
        row["parent"] = parent or None
        check.flag(name, line, row)
        pack.topics.append(row)

    if check.errors:
        raise PackInvalid(check.errors)
    return pack


# -- loading ----------------------------------------------------------------------------
BOOKS = ("region", "districts", "departments", "officials", "places", "topics")


@dataclass
class LoadResult:
    """What a load did, per book; and the rows of the pack by their keys, in pack order."""

    region: dict
    counts: dict[str, dict[str, int]]
    districts: dict[str, District]
    departments: dict[str, Department]
    officials: dict[str, Official]
    places: dict[str, ReceptionPlace]
    topics: dict[str, Category]

    def changed(self) -> bool:
        return any(n for book in self.counts.values() for n in book.values())


def load_pack(path, *, dry_run: bool = False, commit: bool = True) -> LoadResult:
    """Check the pack, then upsert every book in one transaction (see the module's docstring).

    ``dry_run`` rolls the transaction back (the counts say what a load would do);
    ``commit=False`` leaves it open for the caller (the demo adds its people to it)."""
    pack = read_pack(path)
    region_identity.forget()
    try:
        with db.session.no_autoflush:
            result = _apply(pack)
        if dry_run:
            db.session.rollback()
        elif commit:
            db.session.commit()
    finally:
        region_identity.forget()  # the pages and the numbers read the row anew
    return result


class _Upsert:
    """One book's rows by key: the existing ones, and those without a key a pack may adopt."""

    def __init__(self, model, key_attr: str, adopt_attr: str | None = None):
        self.model, self.key_attr, self.adopt_attr = model, key_attr, adopt_attr
        rows = db.session.execute(select(model).order_by(model.id)).scalars().all()
        self.by_key = {getattr(r, key_attr): r for r in rows if getattr(r, key_attr) is not None}
        self.unkeyed: dict[str, object] = {}
        if adopt_attr:
            for r in rows:
                if getattr(r, key_attr) is None:
                    self.unkeyed.setdefault(getattr(r, adopt_attr), r)
        self.created: set[str] = set()
        self.updated: set[str] = set()
        self.deactivated: set[str] = set()

    def put(self, key: str, values: dict):
        """The row of ``key`` carrying ``values``: created, adopted or updated."""
        obj = self.by_key.get(key)
        if obj is None and self.adopt_attr:
            # a book filled before packs existed (by hand): the row of the same name takes the key
            obj = self.unkeyed.pop(values[self.adopt_attr], None)
            if obj is not None:
                setattr(obj, self.key_attr, key)
                self.by_key[key] = obj
                self.updated.add(key)
        if obj is None:
            obj = self.model(**{self.key_attr: key, **values})
            db.session.add(obj)
            self.by_key[key] = obj
            self.created.add(key)
        else:
            self.change(key, obj, values)
        return obj

    def change(self, key: str, obj, values: dict) -> None:
        """Set the attributes that differ (so an unchanged row is not touched, nor audited)."""
        for attr, value in values.items():
            if getattr(obj, attr) != value:
                setattr(obj, attr, value)
                if key not in self.created:
                    self.updated.add(key)

    def deactivate_others(self, keep) -> None:
        for key, obj in self.by_key.items():
            if key not in keep and obj.active:
                obj.active = False
                self.deactivated.add(key)

    def counts(self) -> dict[str, int]:
        return {"created": len(self.created), "updated": len(self.updated - self.deactivated),
                "deactivated": len(self.deactivated)}


def _apply(pack: Pack) -> LoadResult:
    books = {
        "region": _Upsert(Region, "id"),
        "districts": _Upsert(District, "kato"),
        "departments": _Upsert(Department, "pack_key", "name_ru"),
        "officials": _Upsert(Official, "pack_key", "full_name"),
        "places": _Upsert(ReceptionPlace, "pack_key", "name_ru"),
        "topics": _Upsert(Category, "code"),
    }
    meta = pack.region
    books["region"].put(1, dict(
        code=meta["code"], name_ru=meta["name_ru"], name_kk=meta["name_kk"], office_ru=meta["office_ru"],
        office_kk=meta["office_kk"], reg_prefix=meta["reg_prefix"], pack_version=meta["version"]))
    districts = {
        r["kato"]: books["districts"].put(r["kato"], dict(
            kind=DistrictKind(r["kind"]), name_ru=r["name_ru"], name_kk=r["name_kk"], centre_ru=r["centre_ru"],
            centre_kk=r["centre_kk"], lat=r["lat"], lon=r["lon"], population=r["population"],
            population_year=r["population_year"]))
        for r in pack.districts
    }
    departments = {
        r["key"]: books["departments"].put(r["key"], dict(
            name_ru=r["name_ru"], name_kk=r["name_kk"], kind=DepartmentKind(r["kind"]),
            district=districts.get(r["district_kato"])))
        for r in pack.departments
    }
    for r in pack.departments:  # parents once every unit exists
        books["departments"].change(r["key"], departments[r["key"]], {"parent": departments.get(r["parent"])})
    officials = {
        r["key"]: books["officials"].put(r["key"], dict(
            full_name=r["full_name"], position_ru=r["position_ru"], position_kk=r["position_kk"],
            level=OfficialLevel(r["level"]), department=departments[r["department"]], languages=r["languages"],
            active=r["active"]))
        for r in pack.officials
    }
    books["officials"].deactivate_others(set(officials))
    places = {
        r["key"]: books["places"].put(r["key"], dict(
            name_ru=r["name_ru"], name_kk=r["name_kk"], kind=PlaceKind(r["kind"]),
            district=districts[r["district_kato"]], address=r["address"]))
        for r in pack.places
    }
    topics: dict[str, Category] = {}
    for r in pack.topics:
        topics[r["code"]] = books["topics"].put(r["code"], dict(
            name_ru=r["name_ru"], name_kk=r["name_kk"], active=r["active"]))
    for r in pack.topics:
        books["topics"].change(r["code"], topics[r["code"]], {"parent": topics.get(r["parent"])})
    books["topics"].deactivate_others(set(topics))
    return LoadResult(region=pack.region, counts={k: v.counts() for k, v in books.items()}, districts=districts,
                      departments=departments, officials=officials, places=places, topics=topics)
