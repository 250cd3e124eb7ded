"""Create FAB's permissions for every view and give each role exactly what
``roles.ROLES`` declares (extra grants are removed)."""
from __future__ import annotations

from flask import current_app

from .roles import COMMON, ROLES, SECURITY_VIEWS


def _menu_names_by_register(appbuilder) -> dict[str, list[tuple[str, str]]]:
    """Menu items (view-menus for ``menu_access``) of each register, with the
    permission their page needs: a menu item is shown only to a role that
    may open it (the import page needs ``write``, a list ``read``)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for view in appbuilder.baseviews:
        reg = getattr(view, "class_permission_name", None)
        if not reg:
            continue
        methods = getattr(view, "method_permission_name", None) or {}
        needs = methods.get(getattr(view, "default_view", "list"), "read")
        for item in appbuilder.menu.get_list():
            for child in item.childs or []:
                if child.name and getattr(child, "baseview", None) is view:
                    out.setdefault(reg, []).append((child.name, needs))
                    out.setdefault(reg, []).append((item.name, needs))
    return out


def sync_roles() -> dict[str, int]:
    """Returns the number of permissions each role ends with."""
    appbuilder = current_app.appbuilder
    sm = appbuilder.sm
    for role_name in (*ROLES, sm.auth_role_public):
        sm.add_role(role_name)
    _create_permissions(appbuilder)
    menus = _menu_names_by_register(appbuilder)
    counts: dict[str, int] = {}
    for role_name, spec in ROLES.items():
        role = sm.add_role(role_name) or sm.find_role(role_name)
        wanted = []
        for register, perms in spec.grants.items():
            for perm in perms:
                pv = sm.add_permission_view_menu(f"can_{perm}", register)
                wanted.append(pv)
            for menu, needs in menus.get(register, []):
                if needs in perms:
                    wanted.append(sm.add_permission_view_menu("menu_access", menu))
        for perm_name, view_name in COMMON:
            pv = sm.find_permission_view_menu(perm_name, view_name)
            if pv:
                wanted.append(pv)
        if "administer_security" in spec.capabilities:
            wanted.extend(_security_permissions(sm))
        unique = list({pv.id: pv for pv in wanted if pv is not None}.values())
        role.permissions = unique
        sm.session.commit()
        counts[role_name] = len(unique)
    return counts


def _create_permissions(appbuilder) -> None:
    """Every permission a view exposes and every menu item's ``menu_access``.

    Not FAB's ``add_permissions(update_perms=True)``: it works view by view and
    several of our views share one register (the appeals list, the card, the
    API ...), each exposing a part of its permissions, so for each view FAB set
    out to delete the register's other permissions and refused, since roles hold
    them ("Refused to delete permission view ... Admin", a warning per pair and
    run). Here a register gets the union of its views' permissions; which role
    holds which is then set by ``sync_roles`` from ``roles.ROLES`` alone."""
    sm = appbuilder.sm
    by_register: dict[str, set[str]] = {}
    for view in appbuilder.baseviews:
        if view.class_permission_name:
            by_register.setdefault(view.class_permission_name, set()).update(view.base_permissions or ())
    for register, perms in by_register.items():
        sm.add_view_menu(register)
        for perm in sorted(perms):
            sm.add_permission_view_menu(perm, register)
    for category in appbuilder.menu.get_list():
        for item in (category, *(category.childs or [])):
            if item.name and item.name != "-":
                sm.add_permission_view_menu("menu_access", item.name)


def _security_permissions(sm):
    pvm = sm.permissionview_model
    vm = sm.viewmenu_model
    return (
        sm.session.query(pvm).join(vm, pvm.view_menu_id == vm.id).filter(vm.name.in_(SECURITY_VIEWS)).all()
    )
