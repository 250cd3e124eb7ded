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
