"""The navbar's menu, rendered once per set of roles and language.

FAB renders the menu on every page: a permission check, a URL and a
translation per item. It depends only on the user's roles and the
language, so it is kept as HTML (``cached_fragment``: again at once when
roles or permissions change in this process, else after
``PERMISSION_CACHE_SECONDS``).
"""
from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user
from markupsafe import Markup

from app.i18n import current_locale


def navbar_menu() -> Markup:
    sm = current_app.appbuilder.sm
    roles = tuple(sorted(role.id for role in sm.get_user_roles(current_user)))
    key = ("navbar-menu", roles, current_locale())
    html = sm.cached_fragment(
        key, lambda: render_template("appbuilder/navbar_menu.html", menu=current_app.appbuilder.menu))
    return Markup(html)
