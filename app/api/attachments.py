"""REST: the files of appeals, applicants and protocols, and the internal
notes on appeals — read-only lists, scoped like their owners
(``/api/v1/attachment/?q=(filters:!((col:appeal_id,opr:eq,value:7)))``).
Files are uploaded, opened and withdrawn on the owner's page."""
from __future__ import annotations

from marshmallow import Schema, fields

from app.fab.interface import QInterface
from app.models import AppealNote, Attachment
from app.services.clock import utc_to_local

from .base import QRestApi, _ReadSchemas, read_schema

UTC_COLUMNS = frozenset({"uploaded_at", "withdrawn_at", "at"})
"""Stored in UTC (as the history); answered, as every time of the API, in local time."""


def _local(value):
    local = utc_to_local(value)
    return local.isoformat() if local else None


def local_read_schema(model, columns: list[str], name: str) -> Schema:
    base = read_schema(model, columns, name)
    attrs = dict(base.declared_fields)
    for col in UTC_COLUMNS & set(columns):
        attrs[col] = fields.Function(lambda obj, _c=col: _local(getattr(obj, _c)))
    return Schema.from_dict(attrs, name=name)()


class _LocalReadSchemas(_ReadSchemas):
    def convert(self, columns, **kwargs):
        if kwargs:
            return self.fab.convert(columns, **kwargs)
        return local_read_schema(self.model, list(columns), f"{self.model.__name__}Pruned")


class _ReadOnly(QRestApi):
    include_route_methods = {"get", "get_list"}

    def __init__(self):
        super().__init__()
        model = self.datamodel.obj
        self.list_model_schema = local_read_schema(model, self.read_columns, f"{model.__name__}Read")
        self.show_model_schema = self.list_model_schema
        self.model2schemaconverter = _LocalReadSchemas(model, self.model2schemaconverter.fab)


class AttachmentApi(_ReadOnly):
    resource_name = "attachment"
    class_permission_name = "Attachment"
    datamodel = QInterface(Attachment)
    read_columns = ["id", "appeal", "applicant", "protocol", "kind", "letter", "original_name", "content_type",
                    "size", "sha256", "uploaded_by", "uploaded_at", "withdrawn_at", "withdrawn_by",
                    "withdrawal_reason"]


class AppealNoteApi(_ReadOnly):
    resource_name = "appeal_note"
    class_permission_name = "AppealNote"
    datamodel = QInterface(AppealNote)
    read_columns = ["id", "appeal", "author", "at", "text"]


APIS = [AttachmentApi, AppealNoteApi]
