"""Files on appeals, applicants and protocols and the internal notes on an
appeal, through the real stack (test client, SQLite and PostgreSQL): who may
upload, open, withdraw and note, where — and what an attacker gets."""
from __future__ import annotations

import hashlib
import io
import threading
from datetime import datetime, timedelta
from urllib.parse import unquote

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Appeal, AppealEvent, AppealNote, Applicant, Attachment, Official, Protocol, UserPlace
from tests.conftest import DEMO_PASSWORD, login

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def storage(app, tmp_path, monkeypatch):
    """Files of this test go to its own directory (never the instance's)."""
    folder = tmp_path / "attachments"
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(folder))
    return folder


def _user_id(app, username):
    with app.app_context():
        return app.appbuilder.sm.find_user(username=username).id


def _place(app, username):
    with app.app_context():
        return db.session.get(UserPlace, _user_id(app, username)).place_id


@pytest.fixture(scope="module")
def appeals(app):
    """Appeals of this module: two at the clerk's place (addressed to the
    demo official), one at clerk2's place, registered as the form does."""
    from app.models import Category, ReceptionPlace
    from app.services.appeals import prepare_registration

    received = datetime.now().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=7)
    ids = {}
    with app.app_context():
        official = db.session.execute(
            select(Official).where(Official.user_id == _user_id(app, "official"))).scalar_one()
        category = db.session.execute(select(Category).where(Category.parent_id.is_not(None)).limit(1)).scalar_one()
        for name, username in (("own", "clerk"), ("own2", "clerk"), ("foreign", "clerk2")):
            place = db.session.get(ReceptionPlace, _place(app, username))
            applicant = db.session.execute(
                select(Applicant).join(Appeal, Appeal.applicant_id == Applicant.id)
                .where(Appeal.reception_place_id == place.id).order_by(Applicant.id).limit(1)).scalar_one()
            appeal = Appeal(channel="by_hand", received_at=received, language="ru", applicant=applicant,
                            reception_place=place, category=category, official=official,
                            district=applicant.district or place.district, substance=f"Файлы и заметки ({name})")
            prepare_registration(appeal, None)
            db.session.add(appeal)
            db.session.commit()
            ids[name] = appeal.id
            ids[f"{name}_applicant"] = applicant.id
    return ids


def _upload(client, owner, owner_id, data=PDF, name="scan.pdf", kind="appeal_scan", letter=None):
    form = {"kind": kind, "file": (io.BytesIO(data), name)}
    if letter:
        form["letter"] = letter
    return client.post(f"/attachments/{owner}/{owner_id}/upload?_l_=en", data=form,  # the message in English
                       content_type="multipart/form-data")


def _files(app, **owner) -> list[Attachment]:
    with app.app_context():
        return db.session.execute(select(Attachment).filter_by(**owner).order_by(Attachment.id)).scalars().all()


def _on_disk(folder) -> list:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _count(app, model, **where) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model).filter_by(**where)).scalar_one()


# --- the happy path -----------------------------------------------------------------
def test_a_clerk_attaches_the_scanned_appeal_and_a_signed_letter_and_both_are_in_the_history(
        client, app, storage, appeals):
    login(client, "clerk")
    before = _count(app, AppealEvent, appeal_id=appeals["own"])
    r = _upload(client, "appeal", appeals["own"], name="Обращение Сейткали.pdf")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/appealview/show/{appeals['own']}#files")
    r = _upload(client, "appeal", appeals["own"], data=PNG, name="письмо.png", kind="signed_letter", letter="answer")
    assert r.status_code == 302
    scan, letter = _files(app, appeal_id=appeals["own"])[-2:]
    assert (scan.original_name, scan.content_type, scan.size) == ("Обращение Сейткали.pdf", "application/pdf", len(PDF))
    assert scan.sha256 == hashlib.sha256(PDF).hexdigest() and scan.uploaded_by_id == _user_id(app, "clerk")
    assert (letter.kind.value, letter.letter, letter.content_type) == ("signed_letter", "answer", "image/png")
    # stored under a random key, never under the name sent
    assert {p.name for p in _on_disk(storage)} == {scan.storage_key, letter.storage_key}
    assert (storage / scan.storage_key[:2] / scan.storage_key).read_bytes() == PDF
    with app.app_context():
        events = db.session.execute(select(AppealEvent).where(AppealEvent.appeal_id == appeals["own"])
                                    .order_by(AppealEvent.id)).scalars().all()[before:]
    assert [(e.action, e.reason) for e in events] == [("attachment-added", "Обращение Сейткали.pdf"),
                                                      ("attachment-added", "письмо.png")]
    page = client.get(f"/appealview/show/{appeals['own']}?_l_=en").get_data(as_text=True)
    assert 'id="files"' in page and "Обращение Сейткали.pdf" in page and "File attached" in page
    assert f"/attachments/appeal/{appeals['own']}/{scan.id}" in page


def test_a_download_is_the_file_as_an_attachment_named_per_rfc_5987_never_sniffed(client, app, storage, appeals):
    login(client, "clerk")
    _upload(client, "appeal", appeals["own"], name="Жалоба №5.pdf")
    att = _files(app, appeal_id=appeals["own"])[-1]
    r = client.get(f"/attachments/appeal/{appeals['own']}/{att.id}")
    assert r.status_code == 200 and r.data == PDF
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in r.headers["Cache-Control"]
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "Жалоба №5.pdf"
    assert disposition.split('"')[1].isascii()


def test_the_manager_attaches_a_protocol_scan_and_the_clerk_an_authority_document(client, app, storage, appeals):
    from app.models import ReceptionSession

    with app.app_context():  # a protocol of a reception held at the clerk's place: the clerk sees it
        protocol_id = db.session.execute(
            select(Protocol.id).join(ReceptionSession, ReceptionSession.id == Protocol.session_id)
            .where(ReceptionSession.place_id == _place(app, "clerk")).order_by(Protocol.id).limit(1)).scalar_one()
    login(client, "manager")
    assert _upload(client, "protocol", protocol_id, kind="protocol_scan").status_code == 302
    assert _files(app, protocol_id=protocol_id)[-1].kind.value == "protocol_scan"
    page = client.get(f"/protocolview/show/{protocol_id}").get_data(as_text=True)
    assert 'id="files"' in page and 'id="attach-form"' in page
    login(client, "clerk")
    assert _upload(client, "protocol", protocol_id, kind="protocol_scan").status_code == 403  # Protocol: read only
    assert _upload(client, "applicant", appeals["own_applicant"], kind="authority_document",
                   name="доверенность.pdf").status_code == 302
    assert _files(app, applicant_id=appeals["own_applicant"])[-1].original_name == "доверенность.pdf"
    page = client.get(f"/applicantview/show/{appeals['own_applicant']}").get_data(as_text=True)
    assert "доверенность.pdf" in page


def test_a_kind_not_for_the_owner_or_a_signed_letter_without_its_letter_is_refused(client, app, storage, appeals):
    login(client, "clerk")
    before = _count(app, Attachment)
    for kind, letter in (("authority_document", None), ("signed_letter", None), ("signed_letter", "x"),
                         ("", None), ("../../x", None)):
        r = _upload(client, "appeal", appeals["own2"], kind=kind, letter=letter)
        assert r.status_code == 302
    assert _count(app, Attachment) == before and _on_disk(storage) == []


# --- withdrawal ---------------------------------------------------------------------
def test_a_withdrawn_file_stays_with_its_reason_and_the_history_says_so(client, app, storage, appeals):
    login(client, "clerk")
    _upload(client, "appeal", appeals["own2"], name="не тот.pdf")
    att = _files(app, appeal_id=appeals["own2"])[-1]
    url = f"/attachments/appeal/{appeals['own2']}/{att.id}/withdraw"
    assert client.post(url, data={"reason": "  "}).status_code == 302
    assert _files(app, id=att.id)[0].withdrawn_at is None  # no reason: nothing changes
    assert client.post(url, data={"reason": "Приложен по ошибке"}).status_code == 302
    again = client.post(url, data={"reason": "ещё раз"}, follow_redirects=True)
    assert "withdrawn already" in again.get_data(as_text=True) or "уже отозван" in again.get_data(as_text=True)
    row = _files(app, id=att.id)[0]
    assert row.withdrawn_at and row.withdrawal_reason == "Приложен по ошибке"
    assert row.withdrawn_by_id == _user_id(app, "clerk")
    assert (storage / row.storage_key[:2] / row.storage_key).exists()  # the file stays
    with app.app_context():
        last = db.session.execute(select(AppealEvent).where(AppealEvent.appeal_id == appeals["own2"])
                                  .order_by(AppealEvent.id.desc()).limit(1)).scalar_one()
    assert (last.action, last.reason) == ("attachment-withdrawn", "не тот.pdf: Приложен по ошибке")
    assert client.get(f"/attachments/appeal/{appeals['own2']}/{att.id}").status_code == 200  # still readable


def test_the_orm_never_deletes_a_file_nor_changes_it_but_by_one_withdrawal(app, storage, appeals, client):
    from app.models import AppendOnlyError

    login(client, "clerk")
    _upload(client, "appeal", appeals["own2"], name="guard.pdf")
    att_id = _files(app, appeal_id=appeals["own2"])[-1].id
    with app.app_context():
        att = db.session.get(Attachment, att_id)
        att.original_name = "renamed.pdf"
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(Attachment, att_id))
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        att = db.session.get(Attachment, att_id)
        att.withdrawn_at, att.withdrawal_reason = datetime.utcnow(), "ok"
        db.session.commit()
        att.withdrawal_reason = "changed afterwards"
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()


def test_postgresql_itself_refuses_to_delete_or_rewrite_files_and_notes(app, storage, appeals, client):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from app.models import AppendOnlyError

    login(client, "clerk")
    _upload(client, "appeal", appeals["own2"], name="trigger.pdf")
    client.post(f"/appeal-notes/{appeals['own2']}", data={"text": "для триггера"})
    att_id = _files(app, appeal_id=appeals["own2"])[-1].id
    with app.app_context():
        note_id = db.session.execute(select(func.max(AppealNote.id))).scalar_one()
        if app.config["DB_KIND"] != "postgresql":
            # SQLite (embedded, one user) has no such triggers: the ORM guard holds there
            db.session.get(AppealNote, note_id).text = "переписано"
            with pytest.raises(AppendOnlyError):
                db.session.flush()
            db.session.rollback()
            db.session.delete(db.session.get(AppealNote, note_id))
            with pytest.raises(AppendOnlyError):
                db.session.flush()
            db.session.rollback()
            return
        for sql in (f"DELETE FROM attachment WHERE id = {att_id}",
                    f"UPDATE attachment SET original_name = 'x.pdf' WHERE id = {att_id}",
                    f"UPDATE attachment SET storage_key = 'ab' WHERE id = {att_id}",
                    f"UPDATE appeal_note SET text = 'x' WHERE id = {note_id}",
                    f"DELETE FROM appeal_note WHERE id = {note_id}",
                    "TRUNCATE appeal_note", "TRUNCATE attachment CASCADE"):
            with pytest.raises(DBAPIError):
                db.session.execute(text(sql))
            db.session.rollback()
        db.session.execute(text("UPDATE attachment SET withdrawn_at = now(), withdrawal_reason = 'ok' "
                                f"WHERE id = {att_id}"))
        db.session.commit()
        with pytest.raises(DBAPIError):
            db.session.execute(text(f"UPDATE attachment SET withdrawal_reason = 'again' WHERE id = {att_id}"))
        db.session.rollback()


# --- notes --------------------------------------------------------------------------
def test_notes_are_a_thread_with_author_and_local_time_and_the_history_keeps_only_that_one_was_added(
        client, app, appeals):
    login(client, "clerk")
    url = f"/appeal-notes/{appeals['own']}"
    assert client.post(url, data={"text": "Заявитель звонил, просит утро."}).status_code == 302
    login(client, "manager")
    assert client.post(url, data={"text": "Справка будет к 10.12."}).status_code == 302
    for bad in ("", "   ", "a\x00b", "я" * 4001):  # refused with a message (a NUL: by the form reader, 400)
        assert client.post(url, data={"text": bad}).status_code in (302, 400)
    with app.app_context():
        notes = db.session.execute(select(AppealNote).where(AppealNote.appeal_id == appeals["own"])
                                   .order_by(AppealNote.id)).scalars().all()
        assert [(n.text, n.author.username) for n in notes][-2:] == [
            ("Заявитель звонил, просит утро.", "clerk"), ("Справка будет к 10.12.", "manager")]
        events = db.session.execute(select(AppealEvent).where(AppealEvent.appeal_id == appeals["own"],
                                                              AppealEvent.action == "note-added")).scalars().all()
        assert len(events) == len(notes) and all(e.reason == "" for e in events)
        assert {e.payload["note"] for e in events} == {n.id for n in notes}
        from app.services.clock import fmt_local

        local = fmt_local(notes[-1].at)
    page = client.get(f"/appealview/show/{appeals['own']}").get_data(as_text=True)
    assert 'id="notes"' in page and "Справка будет к 10.12." in page and local in page


def test_the_official_sees_no_notes_and_cannot_add_one(client, app, appeals):
    login(client, "clerk")
    client.post(f"/appeal-notes/{appeals['own']}", data={"text": "Служебное: не для должностного лица"})
    login(client, "official")
    page = client.get(f"/appealview/show/{appeals['own']}").get_data(as_text=True)
    assert "Служебное: не для должностного лица" not in page and 'id="notes"' not in page
    assert 'id="files"' in page  # which files there are, yes
    before = _count(app, AppealNote)
    assert client.post(f"/appeal-notes/{appeals['own']}", data={"text": "x"}).status_code == 403
    assert client.get("/appealnoteview/list/").status_code == 403
    assert _count(app, AppealNote) == before


# --- who may open and add -----------------------------------------------------------
@pytest.mark.parametrize("username", ["head", "auditor", "official", "admin"])
def test_roles_that_see_no_personal_data_see_the_list_but_never_open_or_add_a_file(
        client, app, storage, appeals, username):
    login(client, "clerk")
    _upload(client, "appeal", appeals["own"], name="личное.pdf")
    att = _files(app, appeal_id=appeals["own"])[-1]
    login(client, username)
    page = client.get(f"/appealview/show/{appeals['own']}").get_data(as_text=True)
    assert "личное.pdf" in page
    assert f"/attachments/appeal/{appeals['own']}/{att.id}" not in page and 'id="attach-form"' not in page
    assert client.get(f"/attachments/appeal/{appeals['own']}/{att.id}").status_code == 403
    before = _count(app, Attachment)
    assert _upload(client, "appeal", appeals["own"]).status_code == 403
    assert client.post(f"/attachments/appeal/{appeals['own']}/{att.id}/withdraw",
                       data={"reason": "x"}).status_code == 403
    assert _count(app, Attachment) == before and _files(app, id=att.id)[0].withdrawn_at is None


def test_a_responsible_worker_attaches_only_to_the_appeals_assigned_to_them(client, app, storage, appeals):
    login(client, "responsible")
    place = _place(app, "responsible")
    with app.app_context():
        appeal = db.session.execute(select(Appeal).where(Appeal.reception_place_id == place,
                                                         Appeal.assignee_id.is_(None)).limit(1)).scalar_one()
        appeal_id = appeal.id
    assert _upload(client, "appeal", appeal_id).status_code == 403  # seen, not theirs to change
    assert client.post(f"/appeal-notes/{appeal_id}", data={"text": "x"}).status_code == 403
    with app.app_context():
        db.session.get(Appeal, appeal_id).assignee_id = _user_id(app, "responsible")
        db.session.commit()
    try:
        assert _upload(client, "appeal", appeal_id).status_code == 302
        assert client.post(f"/appeal-notes/{appeal_id}", data={"text": "моё"}).status_code == 302
        assert len(_files(app, appeal_id=appeal_id)) == 1
    finally:
        with app.app_context():
            db.session.get(Appeal, appeal_id).assignee_id = None
            db.session.commit()


# --- the attacker -------------------------------------------------------------------
def test_another_places_appeal_or_file_is_not_found_by_any_route(client, app, storage, appeals):
    login(client, "clerk2")
    _upload(client, "appeal", appeals["foreign"], name="чужой.pdf")
    foreign = _files(app, appeal_id=appeals["foreign"])[-1]
    client.post(f"/appeal-notes/{appeals['foreign']}", data={"text": "чужая заметка"})
    login(client, "clerk")
    _upload(client, "appeal", appeals["own"])
    own = _files(app, appeal_id=appeals["own"])[-1]
    before = (_count(app, Attachment), _count(app, AppealNote), len(_on_disk(storage)))
    f, o = appeals["foreign"], appeals["own"]
    assert _upload(client, "appeal", f).status_code == 404
    assert client.get(f"/attachments/appeal/{f}/{foreign.id}").status_code == 404
    assert client.get(f"/attachments/appeal/{o}/{foreign.id}").status_code == 404  # their file through my appeal
    assert client.get(f"/attachments/applicant/{o}/{own.id}").status_code == 404   # my file under another owner
    assert client.post(f"/attachments/appeal/{f}/{foreign.id}/withdraw", data={"reason": "x"}).status_code == 404
    assert client.post(f"/attachments/appeal/{o}/{foreign.id}/withdraw", data={"reason": "x"}).status_code == 404
    assert client.post(f"/appeal-notes/{f}", data={"text": "x"}).status_code == 404
    assert _upload(client, "applicant", appeals["foreign_applicant"], kind="authority_document").status_code == 404
    page = client.get("/attachmentview/list/").get_data(as_text=True)
    assert "чужой.pdf" not in page
    assert "чужая заметка" not in client.get("/appealnoteview/list/").get_data(as_text=True)
    assert client.get(f"/attachmentview/show/{foreign.id}").status_code == 404
    assert (_count(app, Attachment), _count(app, AppealNote), len(_on_disk(storage))) == before
    assert _files(app, id=foreign.id)[0].withdrawn_at is None


@pytest.mark.parametrize("path", [
    "/attachments/appeal/{big}/upload", "/attachments/appeal/{own}/{big}", "/attachments/appeal/{big}/{big}",
    "/attachments/appeal/{own}/{big}/withdraw", "/appeal-notes/{big}", "/attachments/court/{own}/upload",
    "/attachments/appeal/-1/1", "/attachments/appeal/{own}/0", "/attachmentview/show/{big}",
])
def test_ids_beyond_any_record_or_an_unknown_owner_are_not_found_never_an_error(client, appeals, storage, path):
    login(client, "manager")
    url = path.format(big=2**63, own=appeals["own"])
    r = client.post(url, data={"reason": "x", "text": "x"}) if url.endswith(("upload", "withdraw")) \
        or url.startswith("/appeal-notes/") else client.get(url)
    assert r.status_code == 404, (url, r.status_code)


def test_a_name_with_nul_or_a_path_is_stored_cleaned_and_nothing_leaves_the_storage(client, app, storage, appeals,
                                                                                     tmp_path):
    login(client, "clerk")
    for sent in ("../../etc/passwd", "..\\..\\boot.ini", "/etc/shadow", "a\x00b.pdf"):
        assert _upload(client, "appeal", appeals["own2"], name=sent).status_code == 302
    names = [a.original_name for a in _files(app, appeal_id=appeals["own2"])[-4:]]
    assert names == ["passwd.pdf", "boot.ini.pdf", "shadow.pdf", "ab.pdf"]
    files = _on_disk(storage)
    assert len(files) == 4 and all(p.parent.parent == storage and len(p.name) == 32 for p in files)
    assert not (tmp_path / "etc").exists()


@pytest.mark.parametrize("data,name", [
    (b"MZ\x90\x00\x03" + b"\x00" * 200, "invoice.pdf"),    # an executable renamed .pdf
    (b"<html><script>alert(1)</script></html>", "page.pdf"),
    (b"<svg onload=alert(1)>", "image.png"),
    (b"", "empty.pdf"),
])
def test_a_file_refused_by_its_bytes_or_empty_leaves_nothing_behind(client, app, storage, appeals, data, name):
    login(client, "clerk")
    before = (_count(app, Attachment), _count(app, AppealEvent, appeal_id=appeals["own2"]))
    r = _upload(client, "appeal", appeals["own2"], data=data, name=name)
    assert r.status_code == 302
    page = client.get(f"/appealview/show/{appeals['own2']}?_l_=en").get_data(as_text=True)  # the message
    assert "Only PDF, JPEG, PNG, TIFF, DOCX and ODT" in page or "The file is empty." in page
    assert (_count(app, Attachment), _count(app, AppealEvent, appeal_id=appeals["own2"])) == before
    assert _on_disk(storage) == []  # not even a temporary file


def test_an_oversize_file_is_refused_and_nothing_is_stored(client, app, storage, appeals, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 2000)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 8000)
    login(client, "clerk")
    before = _count(app, Attachment)
    r = _upload(client, "appeal", appeals["own2"], data=PDF + b"0" * 3000, name="big.pdf")  # over the file limit
    assert r.status_code == 302
    follow = client.get(f"/appealview/show/{appeals['own2']}?_l_=en").get_data(as_text=True)
    assert "The file is larger than" in follow
    r = _upload(client, "appeal", appeals["own2"], data=PDF + b"0" * 20000, name="huge.pdf")  # over the request limit
    assert r.status_code == 413
    assert _count(app, Attachment) == before and _on_disk(storage) == []
    assert _upload(client, "appeal", appeals["own2"], data=PDF + b"0" * 1000).status_code == 302  # under: stored
    assert _count(app, Attachment) == before + 1


def test_twenty_parallel_uploads_are_all_stored_under_distinct_keys(client, app, storage, appeals):
    login(client, "clerk")
    cookie = client.get_cookie("session").value
    before = len(_files(app, appeal_id=appeals["own2"]))
    results = []

    def one(i):
        c = app.test_client()
        c.set_cookie("session", cookie)
        body = PDF + f"% copy {i}\n".encode()
        results.append(_upload(c, "appeal", appeals["own2"], data=body, name=f"копия {i}.pdf").status_code)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [302] * 20
    stored = _files(app, appeal_id=appeals["own2"])[before:]
    assert len(stored) == 20
    assert len({a.storage_key for a in stored}) == 20 and len({a.sha256 for a in stored}) == 20
    assert len(_on_disk(storage)) == 20
    for a in stored:
        assert hashlib.sha256((storage / a.storage_key[:2] / a.storage_key).read_bytes()).hexdigest() == a.sha256


def test_an_unauthenticated_visitor_gets_no_file_and_stores_none(app, storage, appeals, client):
    login(client, "clerk")
    _upload(client, "appeal", appeals["own"], name="секрет.pdf")
    att = _files(app, appeal_id=appeals["own"])[-1]
    anonymous = app.test_client()
    r = anonymous.get(f"/attachments/appeal/{appeals['own']}/{att.id}")
    assert r.status_code in (302, 401) and r.data != PDF and "/login" in r.headers.get("Location", "")
    before = _count(app, Attachment)
    assert _upload(anonymous, "appeal", appeals["own"]).status_code in (302, 401)
    assert anonymous.post(f"/appeal-notes/{appeals['own']}", data={"text": "x"}).status_code in (302, 401)
    assert anonymous.get("/api/v1/attachment/").status_code == 401
    assert _count(app, Attachment) == before


def test_an_upload_without_csrf_token_is_refused(app, storage, appeals):
    """The test config turns CSRF off; the UI's own check is on in production."""
    from config import TestingConfig

    assert TestingConfig.WTF_CSRF_ENABLED is False
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        c = app.test_client()
        c.post("/login/", data={"username": "clerk", "password": DEMO_PASSWORD})
        before = _count(app, Attachment)
        r = _upload(c, "appeal", appeals["own"])
        assert r.status_code == 400 and _count(app, Attachment) == before
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


# --- REST ---------------------------------------------------------------------------
def test_rest_lists_an_appeals_files_and_notes_in_scope_with_local_times(client, app, jwt, storage, appeals):
    from app.services.clock import utc_to_local

    login(client, "clerk")
    _upload(client, "appeal", appeals["own"], name="rest.pdf")
    client.post(f"/appeal-notes/{appeals['own']}", data={"text": "через REST"})
    login(client, "clerk2")
    _upload(client, "appeal", appeals["foreign"], name="чужой-rest.pdf")
    api = app.test_client()  # no browser session: the JWT names the user
    q = f"?q=(filters:!((col:appeal_id,opr:eq,value:{appeals['own']})),page_size:100)"
    r = api.get("/api/v1/attachment/" + q, headers=jwt("clerk"))
    assert r.status_code == 200
    rows = r.get_json()["result"]
    assert rows and all(row["appeal"] == appeals["own"] for row in rows)
    row = next(x for x in rows if x["original_name"] == "rest.pdf")
    assert "storage_key" not in row and row["content_type"] == "application/pdf" and row["size"] == len(PDF)
    att = _files(app, id=row["id"])[0]
    with app.app_context():
        assert row["uploaded_at"] == utc_to_local(att.uploaded_at).isoformat()
    everything = api.get("/api/v1/attachment/?q=(page_size:100)", headers=jwt("clerk")).get_json()
    assert "чужой-rest.pdf" not in {x["original_name"] for x in everything["result"]}
    foreign = _files(app, appeal_id=appeals["foreign"])[-1]
    assert api.get(f"/api/v1/attachment/{foreign.id}", headers=jwt("clerk")).status_code == 404
    assert api.get(f"/api/v1/attachment/{foreign.id}", headers=jwt("clerk2")).status_code == 200
    notes = api.get("/api/v1/appeal_note/" + q, headers=jwt("clerk")).get_json()["result"]
    assert "через REST" in {n["text"] for n in notes}
    assert api.get("/api/v1/appeal_note/", headers=jwt("official")).status_code == 403
    assert api.get("/api/v1/attachment/", headers=jwt("official")).status_code == 200
    for method in ("post", "put", "delete"):  # read-only resources: files are added on the owner's page
        url = "/api/v1/attachment/" if method == "post" else f"/api/v1/attachment/{row['id']}"
        assert getattr(api, method)(url, json={}, headers=jwt("manager")).status_code == 405


@pytest.mark.parametrize("username,read,write,opens", [
    ("admin", True, False, False), ("manager", True, True, True), ("clerk", True, True, True),
    ("responsible", True, True, True), ("head", True, False, False), ("official", True, False, False),
    ("auditor", True, False, False),
])
def test_role_grants_of_files_and_notes_follow_the_roles_module(client, username, read, write, opens):
    """What each role may do with files, as roles.py declares it."""
    from app.security.roles import ROLES, can

    names = {"admin": "Admin", "manager": "Manager", "clerk": "Clerk", "responsible": "Responsible",
             "head": "Head", "official": "Official", "auditor": "Auditor"}
    role = ROLES[names[username]]
    assert ("read" in role.grants.get("Attachment", ())) == read
    assert ("write" in role.grants.get("Attachment", ())) == write
    assert "delete" not in role.grants.get("Attachment", ()) and "delete" not in role.grants.get("AppealNote", ())

    class U:
        is_authenticated = True
        roles = [type("R", (), {"name": names[username]})()]

    assert can(U(), "open_attachments") == opens
    login(client, username)
    assert (client.get("/attachmentview/list/").status_code == 200) == read


def test_the_lists_of_files_and_notes_offer_no_add_edit_or_delete_and_take_few_queries(client, app, storage, appeals):
    from tests.querycount import count_queries

    login(client, "clerk")
    _upload(client, "appeal", appeals["own"], name="список.pdf")
    client.post(f"/appeal-notes/{appeals['own']}", data={"text": "для списка"})
    att = _files(app, appeal_id=appeals["own"])[-1]
    login(client, "manager")
    for url in ("/attachmentview/add", f"/attachmentview/edit/{att.id}", "/appealnoteview/add"):
        assert client.get(url).status_code in (403, 404), url
    assert client.post(f"/attachmentview/delete/{att.id}").status_code in (403, 404, 405)
    assert _files(app, id=att.id)
    for url in ("/attachmentview/list/", "/appealnoteview/list/"):
        client.get(url)  # warm the caches (grants, menu)
        with app.app_context():
            engine = db.engine
        with count_queries(engine) as queries:
            page = client.get(url)
        assert page.status_code == 200 and len(queries) <= 7, (url, len(queries))
    body = client.get("/attachmentview/list/").get_data(as_text=True)
    assert "список.pdf" in body and f"/appealview/show/{appeals['own']}" in body
