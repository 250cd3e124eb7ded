"""Spreadsheet cells that stay data: a text a user typed (a substance, a
name, a comment) that begins like a formula (``=HYPERLINK(...)``, ``+``,
``-``, ``@``) is never run by Excel or LibreOffice when an export is opened."""
from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER_LIKE = re.compile(r"^[+-]?[\d\s().,/-]*$")
"""A phone number or a signed number: digits cannot call a function."""


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER_LIKE.match(value)


def csv_cell(value):
    """A CSV cell: a formula-like text gets a leading apostrophe (OWASP)."""
    return "'" + value if is_formula_like(value) else value


def csv_row(row) -> list:
    return [csv_cell(v) for v in row]


def xlsx_row(ws, row) -> list:
    """An XLSX row for ``ws.append``: a formula-like text is a text cell
    (openpyxl would store ``=…`` as a live formula)."""
    from openpyxl.cell import WriteOnlyCell

    out = []
    for value in row:
        if is_formula_like(value):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            out.append(cell)
        else:
            out.append(value)
    return out


LOCAL_DATE = re.compile(r"^(\d\d)\.(\d\d)\.(\d{4})(?: (\d\d):(\d\d))?$")


def typed(value):
    """A cell value as a spreadsheet types it: a shown date ("01.12.2026",
    "01.12.2026 17:50") is a date, a number stays a number."""
    from datetime import date, datetime

    if isinstance(value, str):
        m = LOCAL_DATE.match(value)
        if m:
            d, mo, y, hh, mm = m.groups()
            try:
                return datetime(int(y), int(mo), int(d), int(hh), int(mm)) if hh else date(int(y), int(mo), int(d))
            except ValueError:
                return value
    return value


def xlsx_typed_row(ws, row) -> list:
    """An export row for a write-only sheet: dates typed with the local
    format, formula-like texts kept as text."""
    from datetime import date, datetime

    from openpyxl.cell import WriteOnlyCell

    out = []
    for value in xlsx_row(ws, [typed(v) for v in row]):
        if isinstance(value, (date, datetime)):
            cell = WriteOnlyCell(ws, value=value)
            cell.number_format = "DD.MM.YYYY HH:MM" if isinstance(value, datetime) else "DD.MM.YYYY"
            out.append(cell)
        else:
            out.append(value)
    return out


def spreadsheet_csv_cell(value):
    """A cell of the CSV Russian-locale Excel opens: decimal comma."""
    if isinstance(value, float):
        return str(value).replace(".", ",")
    return csv_cell(value)


SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
FILE_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def sheet_title(text: str) -> str:
    return SHEET_FORBIDDEN.sub(" ", text).strip()[:31] or "Sheet"


def file_stem(text: str) -> str:
    return FILE_FORBIDDEN.sub(" ", text).strip()[:80] or "export"
