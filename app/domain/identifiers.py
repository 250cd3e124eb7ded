"""ИИН / БИН: the 12-digit identifiers of Kazakhstan and their control digit."""
from __future__ import annotations

from datetime import date

_W1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_W2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def control_digit(first11: str) -> int | None:
    """The 12th digit for the first 11 (None: no valid control digit exists)."""
    digits = [int(c) for c in first11]
    check = sum(d * w for d, w in zip(digits, _W1)) % 11
    if check == 10:
        check = sum(d * w for d, w in zip(digits, _W2)) % 11
        if check == 10:
            return None
    return check


def _shape_ok(value: str) -> bool:
    return isinstance(value, str) and len(value) == 12 and value.isascii() and value.isdigit()


def is_valid_iin(value: str) -> bool:
    """ИИН of a person: YYMMDD birth date, century-and-sex digit 1-6, control digit."""
    if not _shape_ok(value):
        return False
    century = value[6]
    if century not in "123456":
        return False
    year = int(value[0:2]) + {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}[century]
    try:
        date(year, int(value[2:4]), int(value[4:6]))
    except ValueError:
        return False
    return control_digit(value[:11]) == int(value[11])


def is_valid_bin(value: str) -> bool:
    """БИН of a legal entity: YYMM of registration, type digit 4-6, control digit."""
    if not _shape_ok(value):
        return False
    if not 1 <= int(value[2:4]) <= 12 or value[4] not in "456":
        return False
    return control_digit(value[:11]) == int(value[11])


def with_control_digit(first11: str) -> str | None:
    """Complete 11 digits to a valid identifier (demo data and tests)."""
    digit = control_digit(first11)
    return None if digit is None else first11 + str(digit)
