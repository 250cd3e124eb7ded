"""Files attached to appeals, applicants and protocols: what may be stored.

Pure rules, no framework: the kinds of file each owner takes, the short
allow-list of content types recognised by their first bytes (never by the
name or the type the browser claims), and the name a file is shown and
downloaded under. The bytes themselves are stored under a random key, never
under this name (``app/services/attachments.py``).
"""
from __future__ import annotations

import re
import unicodedata
import zipfile
from enum import StrEnum
from typing import BinaryIO

from .errors import WorkflowError


class OwnerKind(StrEnum):
    appeal = "appeal"
    applicant = "applicant"
    protocol = "protocol"


class AttachmentKind(StrEnum):
    appeal_scan = "appeal_scan"                # the paper appeal, scanned
    signed_letter = "signed_letter"            # a letter to the applicant, signed (which one: ``letter``)
    authority_document = "authority_document"  # R10: the representative's power of attorney
    protocol_scan = "protocol_scan"            # the signed protocol of a reception (R23)
    other = "other"


KINDS_OF_OWNER: dict[OwnerKind, tuple[AttachmentKind, ...]] = {
    OwnerKind.appeal: (AttachmentKind.appeal_scan, AttachmentKind.signed_letter, AttachmentKind.other),
    OwnerKind.applicant: (AttachmentKind.authority_document, AttachmentKind.other),
    OwnerKind.protocol: (AttachmentKind.protocol_scan, AttachmentKind.other),
}

LETTERS = ("correction", "extension", "draft-refusal", "refusal", "left-without-consideration", "answer")
"""The letters to the applicant the panel prints (a signed one names which)."""

# content type → the extensions its files are named with (the first is added when missing)
TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/tiff": (".tif", ".tiff"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
}
KNOWN_EXTENSIONS = frozenset(e for exts in TYPES.values() for e in exts)
SHORT_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG", "image/tiff": "TIFF",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
               "application/vnd.oasis.opendocument.text": "ODT"}
SNIFF_BYTES = 16
MAX_NAME = 120
NOTE_MAX = 4000
REASON_MAX = 1000

_ODT = b"application/vnd.oasis.opendocument.text"


def check_kind(owner: OwnerKind, kind: str | None, letter: str | None) -> tuple[AttachmentKind, str | None]:
    """The kind of file an owner takes; a signed letter names which letter, no other kind does."""
    try:
        kind = AttachmentKind(kind)
    except ValueError:
        raise WorkflowError("", "attachment_kind_unknown") from None
    if kind not in KINDS_OF_OWNER[owner]:
        raise WorkflowError("", "attachment_kind_not_for_owner")
    letter = (letter or "").strip() or None
    if kind is AttachmentKind.signed_letter:
        if letter not in LETTERS:
            raise WorkflowError("", "attachment_letter_required")
        return kind, letter
    return kind, None


def _zip_type(stream: BinaryIO) -> str | None:
    """DOCX or ODT inside a ZIP: its own manifest says so (read without unpacking anything big)."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size <= 100 and archive.read(info).strip() == _ODT:
                    return "application/vnd.oasis.opendocument.text"
                return None
            if "[Content_Types].xml" in names and "word/document.xml" in names \
                    and not any(n.lower().endswith("vbaproject.bin") for n in names):
                return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError, EOFError):
        return None
    return None


def sniff(stream: BinaryIO) -> str | None:
    """The content type of the file in ``stream`` (seekable, at any position)
    by its first bytes, if it is one of ``TYPES``; None otherwise (an
    executable renamed .pdf, HTML, SVG, a macro-enabled document...)."""
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if head.startswith(b"PK\x03\x04"):
        found = _zip_type(stream)
        stream.seek(0)
        return found
    return None


_UNSAFE = re.compile(r'[\\/:*?"<>|]')
_SPACES = re.compile(r"\s+")


def clean_name(name: str | None, content_type: str) -> str:
    """The name a file is listed and downloaded under: the last part of
    what the browser sent, in NFC, without control or format characters (NUL,
    right-to-left overrides), path separators or characters Windows refuses,
    at most ``MAX_NAME`` characters, ending in an extension of its real type."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = _SPACES.sub(" ", _UNSAFE.sub("_", name)).strip(" .")
    extensions = TYPES[content_type]
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = "." + ext.lower() if ext else ""
    if ext not in extensions:
        if ext and ext not in KNOWN_EXTENSIONS:  # "x.exe" holding a PDF: "x.exe.pdf"
            stem = f"{stem}{ext}"
        ext = extensions[0]  # named as another allowed type: the real one wins
    stem = stem.strip(" .") or "file"
    return stem[: MAX_NAME - len(ext)].rstrip(" .") + ext


def check_text(text: str | None, limit: int, code: str) -> str:
    """A note or a reason: not empty, not longer than ``limit``, no NUL."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise WorkflowError("", f"{code}_required")
    if len(text) > limit or "\x00" in text:
        raise WorkflowError("", f"{code}_invalid", limit=limit)
    return text
