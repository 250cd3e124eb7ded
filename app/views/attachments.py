"""Files on appeals, applicants and protocols, and the internal notes on an
appeal, in the browser: the panels on the owner's page (``_attachments.html``,
``_notes.html``), upload, download, withdrawal and a note — and read-only
lists of all files and notes (scoped like their owners).

Every owner id in a URL is resolved by the scoped fetch; a file is looked up
only among that owner's files, so another place's id — of the owner or of
the file — is a 404, exactly like one that does not exist.
"""
from __future__ import annotations

import logging
import unicodedata
from urllib.parse import quote

from flask import abort, current_app, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.domain.attachments import KINDS_OF_OWNER, LETTERS, NOTE_MAX, REASON_MAX, SHORT_NAMES, TYPES, OwnerKind
from app.fab.interface import QInterface
from app.models import AppealNote, Attachment
from app.security.roles import can
from app.security.scope import as_id, current_user, get_visible, get_visible_or_404, get_writable
from app.services import attachments as service
from app.services.errors import DataRefused

from .appeals import LETTER_LABELS
from .base import ReadOnlyModelView
from .fields import format_local, format_plain

log = logging.getLogger(__name__)

KIND_LABELS = {
    "appeal_scan": _l("Scan of the paper appeal"),
    "signed_letter": _l("Signed letter"),
    "authority_document": _l("Authority document of the representative (R10)"),
    "protocol_scan": _l("Signed protocol (R23)"),
    "other": _l("Other document"),
}
OWNER_REGISTERS = {OwnerKind.appeal: "Appeal", OwnerKind.applicant: "Applicant", OwnerKind.protocol: "Protocol"}
OWNER_PAGES = {OwnerKind.appeal: "AppealView.show", OwnerKind.applicant: "ApplicantView.show",
               OwnerKind.protocol: "ProtocolView.show"}
OWNER_OF_PAGE = {page: kind for kind, page in OWNER_PAGES.items()}
ACCEPT = ",".join([*(e for exts in TYPES.values() for e in exts), *TYPES])


def _owner_kind(value) -> OwnerKind:
    try:
        return OwnerKind(value)
    except ValueError:
        abort(404)


def _user_id():
    return getattr(getattr(g, "user", None), "id", None)


def _granted(perm: str, register: str) -> bool:
    return bool(current_app.appbuilder.sm.has_access(perm, register))


def may_add_to(owner_kind: OwnerKind, owner_id) -> bool:
    """May the user add (or withdraw) files of this owner: ``write`` on files
    and on the owner's register, and the owner inside their write scope."""
    return (_granted("can_write", "Attachment") and _granted("can_write", OWNER_REGISTERS[owner_kind])
            and get_writable(service.OWNER_MODELS[owner_kind], owner_id) is not None)


def may_note(appeal_id) -> bool:
    """May the user add a note to this appeal: ``write`` on notes and on
    appeals, and the appeal inside their write scope."""
    from app.models import Appeal

    return (_granted("can_write", "AppealNote") and _granted("can_write", "Appeal")
            and get_writable(Appeal, appeal_id) is not None)


def kind_label(value) -> str:
    return str(KIND_LABELS.get(getattr(value, "value", value), value))


def describe(attachment: Attachment) -> str:
    """What the file is: its kind, and for a signed letter which letter."""
    text = kind_label(attachment.kind)
    if attachment.letter:
        text += f": {LETTER_LABELS.get(attachment.letter, attachment.letter)}"
    return text


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return gettext("%(n)s MB", n=f"{size / 1024 / 1024:.1f}")
    return gettext("%(n)s KB", n=max(1, round(size / 1024)))


def attachment_panel(owner_kind=None, owner_id=None) -> dict | None:
    """The "Files" panel of an owner's page (a Jinja global); None when the
    user may not read files, or the page is not an owner's."""
    owner_kind = owner_kind or OWNER_OF_PAGE.get(request.endpoint or "")
    if owner_kind is None or not _granted("can_read", "Attachment"):
        return None
    owner_kind = OwnerKind(owner_kind)
    owner = get_visible(service.OWNER_MODELS[owner_kind], owner_id)
    if owner is None:
        return None
    kinds = [(k.value, KIND_LABELS[k.value]) for k in KINDS_OF_OWNER[owner_kind]]
    return {
        "owner": owner_kind.value, "owner_id": owner.id, "files": service.files_of(owner),
        "may_open": can(current_user(), "open_attachments"), "may_add": may_add_to(owner_kind, owner.id),
        "kinds": kinds, "letters": [(code, LETTER_LABELS[code]) for code in LETTERS],
        "accept": ACCEPT, "max_mb": service.max_mb(),
        "types": ", ".join(SHORT_NAMES.values()), "reason_max": REASON_MAX,
        "describe": describe, "size_text": size_text,
    }


def notes_panel(appeal_id) -> dict | None:
    """The internal notes of an appeal's page (a Jinja global); None when the
    user may not read notes."""
    from app.models import Appeal

    if not _granted("can_read", "AppealNote"):
        return None
    appeal = get_visible(Appeal, appeal_id)
    if appeal is None:
        return None
    return {"appeal_id": appeal.id, "notes": service.notes_of(appeal), "note_max": NOTE_MAX,
            "may_add": may_note(appeal.id)}


def content_disposition(attachment: Attachment) -> str:
    """``attachment`` with an ASCII fallback name and the real one (RFC 5987/6266)."""
    name = attachment.original_name
    stem, dot, ext = name.rpartition(".")
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    ascii_stem = "".join(c for c in ascii_stem if c.isalnum() or c in "-_. ").strip(" .")
    fallback = f"{ascii_stem or f'file-{attachment.id}'}{dot}{ext}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _told(call, done) -> None:
    """Run the service ``call``; flash ``done(result)``, or what refused it (nothing was kept)."""
    try:
        result = call()
    except DataRefused as exc:
        flash(str(exc.message), "danger")
    else:
        flash(done(result), "success")


class AttachmentFilesView(BaseView):
    """Upload, download and withdrawal; rights of the Attachment register."""

    route_base = "/attachments"
    class_permission_name = "Attachment"
    method_permission_name = {"upload": "write", "download": "read", "withdraw": "write"}
    default_view = "download"

    def _back(self, owner_kind: OwnerKind, owner_id: int):
        return redirect(url_for(OWNER_PAGES[owner_kind], pk=owner_id) + "#files")

    def _writable_owner(self, owner_kind: OwnerKind, owner_id: int):
        model = service.OWNER_MODELS[owner_kind]
        owner = get_visible_or_404(model, owner_id)
        if not may_add_to(owner_kind, owner.id):
            abort(403)
        return owner

    @expose("/<owner>/<int:owner_id>/upload", methods=["POST"])
    @has_access
    def upload(self, owner: str, owner_id: int):
        owner_kind = _owner_kind(owner)
        record = self._writable_owner(owner_kind, owner_id)
        file = request.files.get("file")
        if file is None or not file.filename:
            flash(gettext("Choose a file to attach."), "danger")
            return self._back(owner_kind, record.id)
        _told(lambda: service.upload(record, file.stream, file.filename, request.form.get("kind"),
                                     request.form.get("letter"), _user_id()),
              lambda a: gettext("The file %(name)s is attached.", name=a.original_name))
        return self._back(owner_kind, record.id)

    @expose("/<owner>/<int:owner_id>/<int:pk>")
    @has_access
    def download(self, owner: str, owner_id: int, pk: int):
        owner_kind = _owner_kind(owner)
        record = get_visible_or_404(service.OWNER_MODELS[owner_kind], owner_id)
        attachment = service.file_of(record, pk) if as_id(pk) else None
        if attachment is None:
            abort(404)
        if not can(current_user(), "open_attachments"):
            abort(403)
        try:
            path = service.path_of(attachment)
        except LookupError:
            path = None
        if path is None or not path.is_file():
            log.error("attachment %s: its file is missing from the storage", attachment.id)
            abort(404)
        log.info("attachment %s opened", attachment.id)
        response = send_file(path, mimetype=attachment.content_type, as_attachment=True,
                             download_name=attachment.original_name, max_age=0, conditional=False, etag=False)
        response.headers["Content-Disposition"] = content_disposition(attachment)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    @expose("/<owner>/<int:owner_id>/<int:pk>/withdraw", methods=["POST"])
    @has_access
    def withdraw(self, owner: str, owner_id: int, pk: int):
        owner_kind = _owner_kind(owner)
        record = self._writable_owner(owner_kind, owner_id)
        attachment = service.file_of(record, pk) if as_id(pk) else None
        if attachment is None:
            abort(404)
        _told(lambda: service.withdraw(attachment, request.form.get("reason"), _user_id()),
              lambda a: gettext("The file %(name)s is withdrawn; it stays listed with the reason.",
                                name=a.original_name))
        return self._back(owner_kind, record.id)


class AppealNotesView(BaseView):
    """A note on an appeal; rights of the AppealNote register."""

    route_base = "/appeal-notes"
    class_permission_name = "AppealNote"
    method_permission_name = {"add_note": "write"}
    default_view = "add_note"

    @expose("/<int:appeal_id>", methods=["POST"])
    @has_access
    def add_note(self, appeal_id: int):
        from app.models import Appeal

        appeal = get_visible_or_404(Appeal, appeal_id)
        if not may_note(appeal.id):
            abort(403)
        _told(lambda: service.add_note(appeal, request.form.get("text"), _user_id()),
              lambda _note: gettext("The note is added."))
        return redirect(url_for("AppealView.show", pk=appeal.id) + "#notes")


def _owner_link(owner) -> Markup:
    """The appeal, applicant or protocol a file is attached to, as a link to its page."""
    if owner is None:
        return Markup("—")
    page = OWNER_PAGES[service.owner_kind_of(owner)]
    return Markup('<a href="%s">%s</a>') % (url_for(page, pk=owner.id), owner)


class AttachmentView(ReadOnlyModelView):
    """Every file the user may see (their owners' scope), newest first."""

    list_title = _l("Files")
    show_title = _l("File")
    datamodel = QInterface(Attachment, eager=("appeal", "applicant", "protocol", "uploaded_by"))
    class_permission_name = "Attachment"
    base_order = ("uploaded_at", "desc")
    list_columns = ["uploaded_at", "owner", "kind", "original_name", "content_type", "size", "uploaded_by",
                    "withdrawn_at"]
    show_columns = list_columns + ["letter", "sha256", "withdrawn_by", "withdrawal_reason"]
    search_columns = ["uploaded_at", "kind", "original_name", "content_type"]
    order_columns = ["uploaded_at", "size"]
    label_columns = {
        "uploaded_at": _l("Uploaded at"), "owner": _l("Attached to"), "kind": _l("What it is"),
        "original_name": _l("File name"), "content_type": _l("Format"), "size": _l("Size"),
        "uploaded_by": _l("Uploaded by"), "withdrawn_at": _l("Withdrawn at"), "letter": _l("Letter"),
        "sha256": _l("Checksum (SHA-256)"), "withdrawn_by": _l("Withdrawn by"),
        "withdrawal_reason": _l("Reason of the withdrawal"),
    }
    formatters_columns = {
        "uploaded_at": format_local, "withdrawn_at": format_local, "kind": kind_label,
        "content_type": lambda v: SHORT_NAMES.get(v, v), "size": lambda v: size_text(v) if v else "—",
        "letter": lambda v: format_plain(LETTER_LABELS.get(v, v) if v else None), "owner": _owner_link,
    }


class AppealNoteView(ReadOnlyModelView):
    """Every internal note the user may see (their appeals' scope), newest first."""

    list_title = _l("Internal notes")
    show_title = _l("Internal note")
    datamodel = QInterface(AppealNote, eager=("appeal", "author"))
    class_permission_name = "AppealNote"
    base_order = ("id", "desc")
    list_columns = ["at", "appeal", "author", "text"]
    show_columns = list_columns
    search_columns = ["at", "text"]
    order_columns = ["at"]
    label_columns = {"at": _l("When"), "appeal": _l("Appeal"), "author": _l("Author"), "text": _l("Note")}
    formatters_columns = {"at": format_local}


def register(appbuilder) -> None:
    """No menu items: the panels live on the owners' pages."""
    for view in (AttachmentFilesView, AppealNotesView, AttachmentView, AppealNoteView):
        appbuilder.add_view_no_menu(view)
    current_app.jinja_env.globals.update(attachment_panel=attachment_panel, notes_panel=notes_panel)
