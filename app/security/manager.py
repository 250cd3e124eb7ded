"""Flask-AppBuilder's security manager, as the panel uses it."""
from __future__ import annotations

import threading
import time

from flask import current_app
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import (
    Group,
    Permission,
    PermissionView,
    Role,
    User,
    ViewMenu,
    assoc_permissionview_role,
)
from sqlalchemy import event
from sqlalchemy.orm import Session, joinedload

_SECURITY_MODELS = (Role, PermissionView, Permission, ViewMenu, Group)
_generation = 0
"""Bumped whenever a flush in this process touches roles or permissions."""


@event.listens_for(Session, "after_flush")
def _security_changed(session, flush_context) -> None:
    global _generation
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _SECURITY_MODELS):
            _generation += 1
            return


class QabyldauSecurityManager(SecurityManager):
    """FAB's SQLAlchemy security manager; roles come from ``roles.py``.

    FAB asks the database once per permission check — a list page makes
    twenty of them (every menu item and button) — and loads the user's
    roles and groups lazily, one query each. Here the user comes with its
    roles in one query, and the grants of a set of roles are read once per
    ``PERMISSION_CACHE_SECONDS`` per process and answered from memory; a
    change of roles or permissions made in this process is seen at once.
    """

    def __init__(self, appbuilder):
        super().__init__(appbuilder)
        self._grant_cache: dict[tuple[int, ...], tuple[int, float, frozenset]] = {}
        self._grant_lock = threading.Lock()
        self._fragments: dict[tuple, tuple[int, float, str]] = {}
        self._public_role: tuple[int, float, int | None] | None = None

    def cached_fragment(self, key: tuple, render):
        """A piece of page that depends only on the roles' grants and ``key``
        (the menu of a set of roles in a language), rendered once per
        ``PERMISSION_CACHE_SECONDS`` and again at once when roles change."""
        now = time.monotonic()
        hit = self._fragments.get(key)
        if hit is not None and hit[0] == _generation and hit[1] > now:
            return hit[2]
        generation = _generation
        value = render()
        ttl = current_app.config.get("PERMISSION_CACHE_SECONDS", 60)
        with self._grant_lock:
            if len(self._fragments) > 500:
                self._fragments.clear()
            self._fragments[key] = (generation, now + ttl, value)
        return value

    def create_jwt_manager(self, app):
        """FAB's JWT manager; a malformed, expired or revoked token is a 401
        with a translated sentence (flask-jwt-extended answers 422)."""
        from flask import jsonify
        from flask_babel import gettext

        jwt_manager = super().create_jwt_manager(app)

        def unauthorized(*_args):
            return jsonify({"message": gettext("Log in first.")}), 401

        for loader in (jwt_manager.invalid_token_loader, jwt_manager.expired_token_loader,
                       jwt_manager.unauthorized_loader, jwt_manager.revoked_token_loader,
                       jwt_manager.needs_fresh_token_loader, jwt_manager.user_lookup_error_loader):
            loader(unauthorized)
        return jwt_manager

    def get_user_by_id(self, pk):
        return self.session.get(
            User, pk,
            options=[joinedload(User.roles), joinedload(User.groups).joinedload(Group.roles)],
        )

    def _grants(self, role_ids: list[int]) -> frozenset[tuple[str, str]]:
        key = tuple(sorted(role_ids))
        now = time.monotonic()
        hit = self._grant_cache.get(key)
        if hit is not None and hit[0] == _generation and hit[1] > now:
            return hit[2]
        generation = _generation
        pvm, perm, vm = self.permissionview_model, self.permission_model, self.viewmenu_model
        rows = (
            self.session.query(perm.name, vm.name)
            .select_from(pvm)
            .join(assoc_permissionview_role, pvm.id == assoc_permissionview_role.c.permission_view_id)
            .join(perm, pvm.permission_id == perm.id)
            .join(vm, pvm.view_menu_id == vm.id)
            .filter(assoc_permissionview_role.c.role_id.in_(key))
            .all()
        )
        grants = frozenset((p, v) for p, v in rows)
        ttl = current_app.config.get("PERMISSION_CACHE_SECONDS", 60)
        with self._grant_lock:
            self._grant_cache[key] = (generation, now + ttl, grants)
        return grants

    def exist_permission_on_roles(self, view_name: str, permission_name: str, role_ids: list[int]) -> bool:
        return (permission_name, view_name) in self._grants(role_ids)

    def is_item_public(self, permission_name, view_name) -> bool:
        """FAB reads the Public role and its permissions from the database
        twice per request; here its grants come from the same cache."""
        now = time.monotonic()
        hit = self._public_role
        if hit is None or hit[0] != _generation or hit[1] <= now:
            generation = _generation
            role = self.get_public_role()
            hit = (generation, now + current_app.config.get("PERMISSION_CACHE_SECONDS", 60),
                   None if role is None else role.id)
            self._public_role = hit
        return hit[2] is not None and (permission_name, view_name) in self._grants([hit[2]])

    @property
    def is_auth_limited(self) -> bool:
        # FAB's own limit (every POST to the login form, per address) is replaced below
        return False if getattr(self, "_q_registering", False) else super().is_auth_limited

    def register_views(self) -> None:
        """The login form and the REST login count **failed** attempts only,
        per user name (``AUTH_RATE_LIMIT``) and per address
        (``AUTH_RATE_LIMIT_ADDRESS``): an office behind one address logs its
        staff in freely at 9:00, a client guessing passwords is stopped."""
        self._q_registering = True
        try:
            super().register_views()
        finally:
            self._q_registering = False
        if not self.is_auth_limited:
            return
        from flask_limiter.util import get_remote_address

        per_address = current_app.config.get("AUTH_RATE_LIMIT_ADDRESS", "30 per minute")
        blueprints = [self.auth_view.blueprint] + [
            v.blueprint for v in self.appbuilder.baseviews
            if type(v).__name__ == "SecurityApi" and getattr(v, "blueprint", None) is not None]
        # shared: the form and the REST login count together
        per_name_limit = self.limiter.shared_limit(self.auth_rate_limit, scope="login-name", key_func=_login_name,
                                                   methods=["POST"], deduct_when=_failed_login)
        per_address_limit = self.limiter.shared_limit(per_address, scope="login-address",
                                                      key_func=get_remote_address, methods=["POST"],
                                                      deduct_when=_failed_login)
        for bp in blueprints:
            per_name_limit(bp)
            per_address_limit(bp)


def _login_name() -> str:
    """The user name a login attempt names (form or JSON), as a limiter key."""
    from flask import request

    name = request.form.get("username") if request.form else None
    if name is None and request.is_json:
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else None
    return "name:" + str(name or "").strip().lower()[:100]


def _failed_login(response) -> bool:
    """Did this login attempt fail? The form redirects back to the login page
    (or shows it again); the REST login answers 401 or 400."""
    from flask import request

    if request.path.startswith("/api/"):
        return response.status_code in (400, 401, 422)
    if response.status_code == 302:
        return "/login" in (response.headers.get("Location") or "")
    return response.status_code == 200
