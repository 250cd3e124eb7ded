"""What may be stored as an attached file: types by their bytes, the name it
is listed under, the kinds each owner takes (pure rules, no app)."""
import io
import zipfile

import pytest

from app.domain.attachments import (
    MAX_NAME,
    AttachmentKind,
    OwnerKind,
    check_kind,
    check_text,
    clean_name,
    sniff,
)
from app.domain.errors import WorkflowError

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("head,expected", [
    (b"%PDF-1.7\n...", PDF),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
    (b"II*\x00\x08\x00\x00\x00", "image/tiff"),
    (b"MM\x00*\x00\x00\x00\x08", "image/tiff"),
    (b"MZ\x90\x00\x03\x00\x00\x00", None),            # a Windows executable, whatever its name
    (b"\x7fELF\x02\x01\x01", None),
    (b"<html><script>alert(1)</script>", None),
    (b"<svg xmlns='http://www.w3.org/2000/svg'>", None),
    (b"GIF89a", None),
    (b"", None),
])
def test_the_type_is_read_from_the_first_bytes(head, expected):
    assert sniff(io.BytesIO(head)) == expected


def test_a_word_document_is_recognised_by_its_manifest_and_a_macro_one_is_not():
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    macro = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>", "word/vbaProject.bin": b"x"})
    odt = _zip({"mimetype": ODT.encode(), "content.xml": b"<office/>"})
    ods = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
    assert sniff(io.BytesIO(docx)) == DOCX
    assert sniff(io.BytesIO(odt)) == ODT
    assert sniff(io.BytesIO(macro)) is None
    assert sniff(io.BytesIO(ods)) is None
    assert sniff(io.BytesIO(_zip({"evil.exe": b"MZ"}))) is None
    assert sniff(io.BytesIO(b"PK\x03\x04 broken")) is None


@pytest.mark.parametrize("sent,content_type,stored", [
    ("Обращение Сейткали.pdf", PDF, "Обращение Сейткали.pdf"),
    ("../../etc/passwd", PDF, "passwd.pdf"),
    ("..\\..\\windows\\system32\\evil.exe", PDF, "evil.exe.pdf"),
    ("scan.jpg", PDF, "scan.pdf"),                   # named as another allowed type: the real one wins
    ("PHOTO.JPEG", "image/jpeg", "PHOTO.jpeg"),
    ("a\x00b.pdf", PDF, "ab.pdf"),
    ("invoice\u202efdp.exe", PDF, "invoicefdp.exe.pdf"),  # no right-to-left override
    ("  .hidden  ", PDF, "hidden.pdf"),
    ('a<b>:"c"|?*.pdf', PDF, "a_b___c____.pdf"),
    ("", PDF, "file.pdf"),
    (None, "image/png", "file.png"),
    ("...", PDF, "file.pdf"),
    ("Қазақша хат", ODT, "Қазақша хат.odt"),
])
def test_the_name_is_cleaned_and_ends_in_its_real_type(sent, content_type, stored):
    assert clean_name(sent, content_type) == stored


def test_a_long_name_is_cut_and_keeps_its_extension():
    name = clean_name("я" * 500 + ".pdf", PDF)
    assert len(name) == MAX_NAME and name.endswith(".pdf")


def test_each_owner_takes_its_own_kinds_and_a_signed_letter_names_the_letter():
    assert check_kind(OwnerKind.appeal, "appeal_scan", "answer") == (AttachmentKind.appeal_scan, None)
    assert check_kind(OwnerKind.appeal, "signed_letter", "answer") == (AttachmentKind.signed_letter, "answer")
    assert check_kind(OwnerKind.applicant, "authority_document", None)[0] is AttachmentKind.authority_document
    for owner, kind, letter, code in [
        (OwnerKind.appeal, "authority_document", None, "attachment_kind_not_for_owner"),
        (OwnerKind.protocol, "appeal_scan", None, "attachment_kind_not_for_owner"),
        (OwnerKind.appeal, "signed_letter", None, "attachment_letter_required"),
        (OwnerKind.appeal, "signed_letter", "love-letter", "attachment_letter_required"),
        (OwnerKind.appeal, "exe", None, "attachment_kind_unknown"),
        (OwnerKind.appeal, None, None, "attachment_kind_unknown"),
    ]:
        with pytest.raises(WorkflowError) as err:
            check_kind(owner, kind, letter)
        assert err.value.code == code


def test_a_note_or_reason_is_some_text_of_bounded_length_without_nul():
    assert check_text("  звонил \r\n заявитель ", 100, "note") == "звонил \n заявитель"
    for bad, code in [("", "note_required"), ("   ", "note_required"), (None, "note_required"),
                      ("x" * 101, "note_invalid"), ("a\x00b", "note_invalid")]:
        with pytest.raises(WorkflowError) as err:
            check_text(bad, 100, "note")
        assert err.value.code == code
