"""Extensions, created unbound and bound in ``create_app``.

Flask-AppBuilder keeps per-app state (its views, menu and security
manager) on the ``AppBuilder`` object itself, so one ``AppBuilder`` is made
per app in ``create_app`` and reached as
``current_app.appbuilder``; a module-level one would carry views over from
one app to the next in the tests.
"""
from __future__ import annotations

import sqlite3

from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from sqlalchemy import event
from sqlalchemy.engine import Engine

db = SQLA()
migrate = Migrate()


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def _unicode_upper(value):
    return value.upper() if isinstance(value, str) else value


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys, and fold case for every alphabet.

    SQLite's own lower()/upper() fold only ASCII, so «водоснабжение» would
    not find «Водоснабжение» and ILIKE (``lower(x) LIKE lower(y)``) would miss
    Cyrillic and Kazakh letters; Python's str.lower folds them all.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
        dbapi_connection.create_function("upper", 1, _unicode_upper, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
