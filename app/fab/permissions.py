"""The stable permission names a register's UI view and its REST API share."""
from __future__ import annotations

# Stable permission names shared by a register's UI view and its REST API
# (Superset's can_read / can_write): roles are granted these.
METHOD_PERMISSIONS = {
    "list": "read",
    "show": "read",
    "api_read": "read",
    "api_column_add": "read",
    "api_column_edit": "read",
    "api_get": "read",
    "download": "read",
    "get": "read",
    "get_list": "read",
    "info": "read",
    "add": "write",
    "edit": "write",
    "post": "write",
    "put": "write",
    "api_create": "write",
    "api_update": "write",
    "workflow": "write",
    "act": "write",
    "bulk": "write",
    "action": "write",
    "action_post": "write",
    "letter": "read",
    "delete": "delete",
    "api_delete": "delete",
    # the API's own endpoints (each also says it with ``@permission_name``;
    # named here so that no stray ``can_<endpoint>`` permission is created)
    "preview": "read",
    "cancel": "write",
    "rebook": "write",
    "answer": "write",
    "accept": "write",
    "rework": "write",
    "move_deadline": "write",
}




def register_of(model) -> str | None:
    """The register (stable permission name) whose read right covers ``model``."""
    from app.models import MaterialsRequest, ParticipationRequest, ProtocolEntry
    from app.security.roles import REGISTERS

    if model is ParticipationRequest:
        return "ReceptionSession"
    if model is ProtocolEntry:
        return "Protocol"
    if model is MaterialsRequest:
        return "Appeal"
    return model.__name__ if model.__name__ in REGISTERS else None
