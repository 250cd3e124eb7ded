"""Bulk writes for imports at scale."""
from __future__ import annotations

import datetime as dt
import enum
import json

from sqlalchemy import text

from app.extensions import db

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str:
        return value.translate(_ESCAPES)
    if kind is bool:
        return "t" if value else "f"
    if kind is int:
        return str(value)
    if isinstance(value, enum.Enum):
        return str(value.value).translate(_ESCAPES)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)
    return str(value).translate(_ESCAPES)


def copy_rows(table, rows: list[dict]) -> list[int]:
    """PostgreSQL: ids drawn from the table's sequence, then the rows sent
    by ``COPY`` (text format, built here) on the session's own connection,
    in its transaction — a multi-row INSERT of this size costs more to build
    and parse than to store."""
    if not rows:
        return []
    ids = db.session.execute(
        text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
        {"t": table.name, "n": len(rows)}).scalars().all()
    columns = ["id"] + [c for c in rows[0] if c != "id"]
    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        chunk = []
        for i, row in zip(ids, rows):
            chunk.append(str(i) + "\t" + "\t".join(_copy_text(row.get(c)) for c in columns[1:]) + "\n")
            if len(chunk) == 2000:
                copy.write("".join(chunk))
                chunk = []
        if chunk:
            copy.write("".join(chunk))
    return list(ids)
