"""The roles of shared CONTRACT.md, declared as data and synced by
``flask --app run roles sync`` (also run by ``make run`` and ``demo load``).

Every register shares one stable permission name between its UI view and
its REST API: ``can_read``, ``can_write``, ``can_delete`` on the view-menu
named after the model (``Appeal``, ``District`` ...). A role is a mapping
register → permissions; menu access follows from ``can_read``.
"""
from __future__ import annotations

READ = ("read",)
WRITE = ("read", "write")
FULL = ("read", "write", "delete")

REGISTERS = (
    "District", "Department", "Official", "ReceptionPlace", "Category", "CalendarDay",
    "Applicant", "Appeal", "AppealEvent", "ReceptionSession", "Protocol", "Instruction",
    "SurveyCall",
)
# Pages that are not registers (read only).
PAGES = ("Analytics", "AuditLog")
REFERENCE = ("District", "Department", "Official", "ReceptionPlace", "Category", "CalendarDay")

ROLES: dict[str, dict[str, tuple[str, ...]]] = {
    # Users, roles, settings and the calendar; reads everything else.
    "Admin": {**{r: READ for r in REGISTERS}, "CalendarDay": FULL, "Analytics": READ, "AuditLog": READ},
    # All data; no user administration.
    "Manager": {
        **{r: FULL for r in REGISTERS},
        "Appeal": WRITE,  # an appeal is never deleted: its history is append-only
        "AppealEvent": READ,
        "CalendarDay": READ,
        "Analytics": READ,
        "AuditLog": READ,
    },
    # Registers appeals and runs the workflow at their place; no deletes.
    "Clerk": {
        **{r: READ for r in REFERENCE},
        "Applicant": WRITE,
        "Appeal": WRITE,
        "AppealEvent": READ,
        "ReceptionSession": READ,
        "SurveyCall": WRITE,  # reception staff make the satisfaction calls (R38)
    },
    # Reviews what is assigned to them or their place.
    "Responsible": {
        **{r: READ for r in REFERENCE},
        "Applicant": READ,
        "Appeal": WRITE,
        "AppealEvent": READ,
        "ReceptionSession": READ,
        "Protocol": READ,
        "Instruction": READ,
    },
    # Read-only lists, protocols and charts.
    "Head": {**{r: READ for r in REGISTERS}, "Analytics": READ},
    # Their own roster, sessions and protocols.
    "Official": {
        "ReceptionSession": READ,
        "Protocol": WRITE,
        "Instruction": WRITE,
        "Appeal": READ,
        "Official": READ,
        "ReceptionPlace": READ,
    },
}

# FAB's own permissions every logged-in role needs (own profile, language,
# JWT login and refresh); Admin additionally gets every Security view.
COMMON = [
    ("can_this_form_get", "ResetMyPasswordView"),
    ("can_this_form_post", "ResetMyPasswordView"),
    ("can_userinfo", "UserDBModelView"),
    ("resetmypassword", "UserDBModelView"),
]
SECURITY_VIEWS = (
    "UserDBModelView", "RoleModelView", "PermissionModelView", "ViewMenuModelView",
    "PermissionViewModelView", "UserStatsChartView", "RegisterUserModelView",
    "List Users", "List Roles", "User's Statistics", "Base Permissions", "Views/Menus",
    "Permission on Views/Menus", "Security", "List Groups", "GroupModelView",
)


def matrix_markdown() -> str:
    """docs/security.md: the role × register matrix, generated from ROLES."""
    roles = list(ROLES)
    lines = [
        "# Roles and permissions",
        "",
        "Generated from `app/security/roles.py` by `flask --app run roles matrix`;",
        "a test fails when this file and the code disagree. `r` read (list, show,",
        "REST get/info), `w` write (add, edit, REST post/put, workflow actions),",
        "`d` delete. Admin also manages users and roles (FAB's Security menu).",
        "",
        "Row-level scope (`app/security/scope.py`) applies on top of these grants:",
        "Admin, Manager and Head see every row; Clerk and Responsible the rows of",
        "their reception place (`flask users set-place`); Official their own",
        "sessions, protocols, instructions and the appeals addressed to them.",
        "ИИН/БИН, phone, e-mail and address are shown to Manager, Clerk and",
        "Responsible only, masked (`8503******12`) for every other role.",
        "",
        "| register | " + " | ".join(roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for register in REGISTERS + PAGES:
        cells = []
        for role in roles:
            perms = ROLES[role].get(register, ())
            cells.append("".join(p[0] for p in ("read", "write", "delete") if p in perms) or "—")
        lines.append(f"| {register} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def user_has_role(user, role_name: str) -> bool:
    return bool(user) and any(r.name == role_name for r in getattr(user, "roles", []) or [])
