"""Files attached to appeals, applicants and protocols, and the staff's notes
on an appeal: storing, listing, withdrawing — each in one transaction, with
its event in the appeal's history.

The bytes are written under ``ATTACHMENTS_DIR`` (shared by the web hosts;
default ``<instance>/attachments``) at ``<key[:2]>/<key>``, the key random:
nothing the user sent reaches the file system. A refused upload leaves
nothing behind: the bytes go to a temporary file first, which is removed
unless the record that names it is committed.

Owners are resolved by the caller through ``scope.get_visible`` /
``get_writable`` (a user's id in a URL or a body); this module trusts the
record it is handed.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import tempfile
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from app.domain import attachments as rules
from app.domain.attachments import OwnerKind
from app.domain.errors import WorkflowError
from app.extensions import db
from app.models import Appeal, AppealEvent, AppealNote, Applicant, Attachment, Protocol

from .errors import DataRefused, refusal_of

log = logging.getLogger(__name__)

OWNER_MODELS = {OwnerKind.appeal: Appeal, OwnerKind.applicant: Applicant, OwnerKind.protocol: Protocol}
OWNER_COLUMNS = {OwnerKind.appeal: "appeal_id", OwnerKind.applicant: "applicant_id",
                 OwnerKind.protocol: "protocol_id"}
ADDED, WITHDRAWN, NOTED = "attachment-added", "attachment-withdrawn", "note-added"
"""The actions of the appeal's history these write."""
CHUNK = 64 * 1024
KEY = re.compile(r"^[0-9a-f]{32}$")

MESSAGES = {
    "attachment_kind_unknown": _l("Choose what the file is."),
    "attachment_kind_not_for_owner": _l("This kind of file does not belong here."),
    "attachment_letter_required": _l("Choose which letter was signed."),
    "note_required": _l("Write the note."),
    "note_invalid": _l("A note is at most %(limit)s characters of text."),
    "reason_required": _l("Give the reason of the withdrawal."),
    "reason_invalid": _l("The reason is at most %(limit)s characters of text."),
}


def _refused(exc: WorkflowError) -> DataRefused:
    return DataRefused(422, _Message(MESSAGES[exc.code], exc.params))


class _Message:
    """A lazy message with its values, translated when shown."""

    def __init__(self, msg, params) -> None:
        self.msg, self.params = msg, params

    def __str__(self) -> str:
        return str(self.msg) % self.params if self.params else str(self.msg)


def storage_dir() -> Path:
    return Path(current_app.config.get("ATTACHMENTS_DIR") or os.path.join(current_app.instance_path, "attachments"))


def path_of(attachment: Attachment) -> Path:
    key = attachment.storage_key
    if not KEY.match(key or ""):  # a key is ours, never a path: refuse anything else
        raise LookupError(key)
    return storage_dir() / key[:2] / key


def max_bytes() -> int:
    return int(current_app.config.get("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))


def max_mb() -> float | int:
    """The limit in MB as people write it: 20, or 0.5."""
    mb = round(max_bytes() / 1024 / 1024, 1)
    return int(mb) if mb == int(mb) else mb


def owner_kind_of(owner) -> OwnerKind:
    return next(kind for kind, model in OWNER_MODELS.items() if isinstance(owner, model))


# --- reading --------------------------------------------------------------------
def files_of(owner) -> list[Attachment]:
    """The owner's files, oldest first, withdrawn ones included."""
    column = getattr(Attachment, OWNER_COLUMNS[owner_kind_of(owner)])
    return db.session.execute(
        select(Attachment).where(column == owner.id)
        .options(selectinload(Attachment.uploaded_by), selectinload(Attachment.withdrawn_by))
        .order_by(Attachment.id)
    ).scalars().all()


def file_of(owner, attachment_id: int) -> Attachment | None:
    """The owner's file #``attachment_id`` (None when it is another owner's)."""
    column = getattr(Attachment, OWNER_COLUMNS[owner_kind_of(owner)])
    return db.session.execute(
        select(Attachment).where(Attachment.id == attachment_id, column == owner.id)
    ).scalar_one_or_none()


def notes_of(appeal: Appeal) -> list[AppealNote]:
    return db.session.execute(
        select(AppealNote).where(AppealNote.appeal_id == appeal.id)
        .options(selectinload(AppealNote.author)).order_by(AppealNote.id)
    ).scalars().all()


# --- writing --------------------------------------------------------------------
def _spool(stream: BinaryIO, folder: Path) -> tuple[Path, int, str]:
    """Copy ``stream`` into a temporary file of ``folder``: (path, size, sha256).
    Refused (and removed) beyond ``ATTACHMENT_MAX_BYTES`` or when empty."""
    limit = max_bytes()
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".upload-", dir=folder)
    path, size, digest = Path(name), 0, hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise DataRefused(413, _Message(_l("The file is larger than %(mb)s MB."), {"mb": max_mb()}))
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise DataRefused(422, _l("The file is empty."))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, size, digest.hexdigest()


def _event(appeal: Appeal, action: str, user_id, reason: str, payload: dict, at: datetime) -> None:
    db.session.add(AppealEvent(appeal_id=appeal.id, at=at, user_id=user_id, action=action,
                               from_status=appeal.status, to_status=appeal.status, reason=reason,
                               payload=payload))


def upload(owner, stream: BinaryIO, filename: str | None, kind: str | None, letter: str | None,
           user_id: int | None) -> Attachment:
    """Store one file of ``owner`` (an appeal, applicant or protocol the
    user may change) and commit it, with an event in the appeal's history."""
    owner_kind = owner_kind_of(owner)
    try:
        kind_, letter = rules.check_kind(owner_kind, kind, letter)
    except WorkflowError as exc:
        raise _refused(exc) from None
    folder = storage_dir()
    temp, size, sha256 = _spool(stream, folder)
    final = None
    try:
        with open(temp, "rb") as fh:
            content_type = rules.sniff(fh)
        if content_type is None:
            raise DataRefused(422, _l("Only PDF, JPEG, PNG, TIFF, DOCX and ODT files are accepted; "
                                      "this file is none of them."))
        key = secrets.token_hex(16)
        final = folder / key[:2] / key
        final.parent.mkdir(exist_ok=True)
        os.replace(temp, final)
        os.chmod(final, 0o640)
        now = datetime.utcnow()
        attachment = Attachment(kind=kind_, letter=letter, original_name=rules.clean_name(filename, content_type),
                                content_type=content_type, size=size, sha256=sha256, storage_key=key,
                                uploaded_by_id=user_id, uploaded_at=now, **{OWNER_COLUMNS[owner_kind]: owner.id})
        db.session.add(attachment)
        db.session.flush()
        if owner_kind is OwnerKind.appeal:
            _event(owner, ADDED, user_id, attachment.original_name,
                   {"attachment": attachment.id, "kind": kind_.value, "size": size}, now)
        db.session.commit()
    except BaseException as exc:
        db.session.rollback()
        temp.unlink(missing_ok=True)
        if final is not None:
            final.unlink(missing_ok=True)
        if isinstance(exc, SQLAlchemyError):
            raise refusal_of(exc) from None
        raise
    log.info("attachment %s stored (%s bytes)", attachment.id, size)
    return attachment


def _text(value: str | None, limit: int, code: str) -> str:
    try:
        return rules.check_text(value, limit, code)
    except WorkflowError as exc:
        raise _refused(exc) from None


def _commit(record):
    """Commit the session and give back ``record``; a refusal of the database rolls back."""
    try:
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise refusal_of(exc) from None
    return record


def withdraw(attachment: Attachment, reason: str | None, user_id: int | None) -> Attachment:
    """Mark a file withdrawn, with the reason; the file and its record stay."""
    if attachment.withdrawn_at is not None:
        raise DataRefused(409, _l("The file is withdrawn already."))
    reason, now = _text(reason, rules.REASON_MAX, "reason"), datetime.utcnow()
    attachment.withdrawn_at, attachment.withdrawn_by_id, attachment.withdrawal_reason = now, user_id, reason
    if attachment.appeal_id is not None:
        _event(attachment.appeal, WITHDRAWN, user_id, f"{attachment.original_name}: {reason}",
               {"attachment": attachment.id}, now)
    return _commit(attachment)


def add_note(appeal: Appeal, text: str | None, user_id: int | None) -> AppealNote:
    """Append a note to the appeal (and the fact of it to its history)."""
    text, now = _text(text, rules.NOTE_MAX, "note"), datetime.utcnow()
    note = AppealNote(appeal_id=appeal.id, author_id=user_id, at=now, text=text)
    db.session.add(note)
    try:
        db.session.flush()
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise refusal_of(exc) from None
    _event(appeal, NOTED, user_id, "", {"note": note.id}, now)  # the text stays with the staff
    return _commit(note)
