"""The yardstick: a plain Flask-AppBuilder app with a stock ``ModelView`` of
the same Appeal model on the same database — FAB's defaults everywhere
(``SQLAInterface``, its security manager, its templates, its filters and
its full ``COUNT(*)``), as a team would write it from FAB's quick start.

It shares the database (and the users) of the panel; FAB_UPDATE_PERMS adds
its own permissions, and the Manager role is granted them.
"""
from __future__ import annotations

from flask import Flask
from flask_appbuilder import AppBuilder, ModelView
from flask_appbuilder.models.sqla.base import SQLA
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.models import Appeal

LIST_COLUMNS = ["reg_number", "registered_on", "applicant", "district", "category", "official",
                "channel", "status", "due_on"]
SEARCH_COLUMNS = ["reg_number", "substance", "status", "channel", "district", "category", "official",
                  "reception_place", "registered_on", "due_on", "language", "privilege"]


class StockAppealView(ModelView):
    datamodel = SQLAInterface(Appeal)
    list_columns = LIST_COLUMNS
    search_columns = SEARCH_COLUMNS
    order_columns = ["reg_number", "registered_on", "channel", "status", "due_on"]


def create_stock_app(database_url: str, grant_role: str = "Manager") -> Flask:
    app = Flask("stock_fab")
    app.config.update(
        SQLALCHEMY_DATABASE_URI=database_url,
        SECRET_KEY="bench-stock-secret-key-0123456789abcdef",
        WTF_CSRF_ENABLED=False,
        FAB_UPDATE_PERMS=True,
        FAB_CREATE_DB=False,
        AUTH_TYPE=1,
        AUTH_RATE_LIMITED=False,
        RATELIMIT_ENABLED=False,
        SQLALCHEMY_TRACK_MODIFICATIONS=False,
        FAB_ADD_SECURITY_API=False,
        AUTH_ROLE_ADMIN="Admin",
        AUTH_ROLE_PUBLIC="Public",
    )
    db = SQLA()
    db.init_app(app)
    with app.app_context():
        appbuilder = AppBuilder()
        appbuilder.init_app(app, db.session)
        appbuilder.add_view(StockAppealView, "Appeals (stock FAB)", category="Stock")
        sm = appbuilder.sm
        role = sm.find_role(grant_role)
        for perm in ("can_list", "can_show"):
            pv = sm.find_permission_view_menu(perm, "StockAppealView")
            if pv is not None and pv not in role.permissions:
                sm.add_permission_role(role, pv)
        for menu in ("Appeals (stock FAB)", "Stock"):
            pv = sm.find_permission_view_menu("menu_access", menu)
            if pv is not None and pv not in role.permissions:
                sm.add_permission_role(role, pv)
    app.extensions["stock_db"] = db
    return app
