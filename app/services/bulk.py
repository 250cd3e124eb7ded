"""Bulk writes for imports at scale."""
from __future__ import annotations

import enum

from sqlalchemy import JSON, text

from app.extensions import db


def copy_rows(table, rows: list[dict]) -> list[int]:
    """PostgreSQL: ids drawn from the table's sequence, then the rows sent
    by ``COPY`` on the session's own connection (same transaction) — a
    multi-row INSERT of this size costs more to build and parse than to
    store."""
    from psycopg.types.json import Json

    n = len(rows)
    ids = list(db.session.execute(
        text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
        {"t": table.name, "n": n}).scalars())
    columns = ["id"] + [c for c in rows[0] if c != "id"]
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}

    def value(column, v):
        if v is None:
            return None
        if column in json_columns:
            return Json(v)
        return v.value if isinstance(v, enum.Enum) else v

    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cur:
        with cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for i, row in zip(ids, rows):
                copy.write_row([i] + [value(c, row.get(c)) for c in columns[1:]])
    return ids
