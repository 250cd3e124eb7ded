"""Flask-AppBuilder's security manager, as the panel uses it."""
from __future__ import annotations

from flask_appbuilder.security.sqla.manager import SecurityManager


class QabyldauSecurityManager(SecurityManager):
    """FAB's SQLAlchemy security manager; roles come from ``roles.py``."""
