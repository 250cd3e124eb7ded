"""The OpenAPI document of CONTRACT.md (``GET /api/v1/_openapi``), made
truthful where FAB's generated one is not: the errors every operation may
answer (400, 401, 403, 404, 409, 422 with ``{"message", "rule"}``, the
message a sentence or field messages), ids as integers, ``_info``'s columns
as lists, and date-times as the local times of ``Asia/Almaty`` the API
reads and writes (no offset)."""
from __future__ import annotations

import inspect
import json

from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.api.manager import OpenApi

LOCAL_DATE_TIME = {
    "type": "string",
    "format": "local-date-time",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$",
    "description": "Local date and time in Asia/Almaty, without an offset",
}
ERROR = {
    "type": "object",
    "properties": {
        "message": {"oneOf": [{"type": "string"}, {"type": "object"}, {"type": "array"}]},
        "rule": {"type": "string"},
        "msg": {"type": "string"},
    },
}
ERROR_STATUSES = {"400": "Malformed input", "401": "Not logged in", "403": "Not allowed",
                  "404": "Not found (or not visible to the user)", "409": "Changed meanwhile, or a duplicate",
                  "405": "Method not allowed", "413": "Request body too large", "414": "Request line too long",
                  "422": "A rule of the regulation or a field refused the input"}
METHODS = ("get", "put", "post", "delete", "patch")


def _walk(node):
    """Fix FAB's generic schemas in place: ids are integers, ``_info``
    columns are lists, date-times are local."""
    if isinstance(node, dict):
        for key, value in list(node.items()):
            if key == "ids" and isinstance(value, dict) and value.get("items", {}).get("type") == "string":
                value["items"] = {"type": "integer"}
            elif key == "id" and isinstance(value, dict) and value.get("type") == "string":
                value["type"] = "integer"
            elif key in ("add_columns", "edit_columns") and value == {"type": "object"}:
                node[key] = {"type": "array", "items": {"type": "object"}}
            elif isinstance(value, dict) and value.get("format") == "date-time":
                node[key] = {**LOCAL_DATE_TIME, **({"nullable": True} if value.get("nullable") else {})}
            else:
                _walk(value)
    elif isinstance(node, list):
        for item in node:
            _walk(item)


def truthful(spec: dict) -> dict:
    components = spec.setdefault("components", {}).setdefault("responses", {})
    for status, text in ERROR_STATUSES.items():
        components[status] = {"description": text, "content": {"application/json": {"schema": ERROR}}}
    # the HTTP server itself refuses an over-long request line, with its own page
    components["414"]["content"]["text/html"] = {"schema": {"type": "string"}}
    for operations in spec.get("paths", {}).values():
        for method in METHODS:
            operation = operations.get(method)
            if not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            for status in ERROR_STATUSES:
                responses[status] = {"$ref": f"#/components/responses/{status}"}
    _walk(spec)
    schemas = spec["components"].get("schemas", {})
    for path, operations in spec.get("paths", {}).items():
        put = operations.get("put")
        if isinstance(put, dict):  # a PUT changes only the fields it names
            ref = (put.get("requestBody", {}).get("content", {}).get("application/json", {})
                   .get("schema", {}).get("$ref", ""))
            schemas.get(ref.rsplit("/", 1)[-1], {}).pop("required", None)
        for method in METHODS:
            operation = operations.get(method)
            if isinstance(operation, dict):
                _path_parameters(path, operation)
    return spec


def _path_parameters(path: str, operation: dict) -> None:
    """Declare the path's ``{pk}`` and ``{action}`` where FAB left them out
    (the custom endpoints' docstrings have no YAML)."""
    import re

    declared = {p.get("name") for p in operation.get("parameters", []) if p.get("in") == "path"}
    for name in re.findall(r"{(\w+)}", path):
        if name in declared:
            continue
        schema = {"type": "integer", "minimum": 1} if name == "pk" else {"type": "string"}
        if name == "action":
            from .workflow import SCHEMAS

            schema = {"type": "string", "enum": sorted(getattr(a, "value", a) for a in SCHEMAS) + ["assign"]}
        operation.setdefault("parameters", []).append({"in": "path", "name": name, "required": True, "schema": schema})


class QOpenApi(OpenApi):
    class_permission_name = "OpenApi"

    @expose("/<version>/_openapi")
    @protect()
    @safe
    def get(self, version):
        """The OpenAPI document of the API
        ---
        get:
          description: >-
            The OpenAPI spec of an API version
          parameters:
          - in: path
            schema:
              type: string
            name: version
          responses:
            200:
              description: The OpenAPI spec
              content:
                application/json:
                  schema:
                    type: object
        """
        answer = inspect.unwrap(OpenApi.get)(self, version)  # FAB's document (this view already checked access)
        if answer.status_code != 200:
            return answer
        return self.response(200, **truthful(json.loads(answer.get_data())))
