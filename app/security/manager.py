"""Flask-AppBuilder's security manager, as the panel uses it."""
from __future__ import annotations

from flask import g, has_request_context
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import assoc_permissionview_role


class QabyldauSecurityManager(SecurityManager):
    """FAB's SQLAlchemy security manager; roles come from ``roles.py``.

    FAB asks the database once per permission check — a list page makes
    twenty of them (every menu item and button). Here the grants of the
    user's roles are read once per request and answered from memory.
    """

    def _grants(self, role_ids: list[int]) -> frozenset[tuple[str, str]]:
        key = tuple(sorted(role_ids))
        cache = g.setdefault("_q_grants", {}) if has_request_context() else {}
        if key not in cache:
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
            cache[key] = frozenset((p, v) for p, v in rows)
        return cache[key]

    def exist_permission_on_roles(self, view_name: str, permission_name: str, role_ids: list[int]) -> bool:
        return (permission_name, view_name) in self._grants(role_ids)

    def register_views(self) -> None:
        """FAB limits the login form only; the REST login gets the same limit."""
        super().register_views()
        if self.is_auth_limited:
            for view in self.appbuilder.baseviews:
                if type(view).__name__ == "SecurityApi" and getattr(view, "blueprint", None) is not None:
                    self.limiter.limit(self.auth_rate_limit, methods=["POST"])(view.blueprint)
