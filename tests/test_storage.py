"""Uploaded files: where they are stored, and what is refused before they get there."""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
from pathlib import Path

import pytest
from flask import Flask

from app.storage import InvalidKey, LocalStorage, get_storage
from app.uploads import (
    DEFAULT_UPLOAD_LIMITS,
    MAX_FILENAME_LENGTH,
    CheckedUpload,
    UploadRejected,
    accepted_extensions,
    check_upload,
    safe_filename,
)
from config import TestConfig

# ---------------------------------------------------------------------------------------------------------------
# Tiny files of each type, just enough to carry the bytes the checks look at.


def pdf() -> bytes:
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def png() -> bytes:
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + b"\0\0\0\0"
    return b"\x89PNG\r\n\x1a\n" + chunk + b"\0\0\0\0IEND\xaeB`\x82"


def jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def _zip(entries: dict[str, bytes], stored_first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(stored_first, entries.pop(stored_first), compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def pptx() -> bytes:
    return _zip({
        "[Content_Types].xml": b"<Types/>",
        "_rels/.rels": b"<Relationships/>",
        "ppt/presentation.xml": b"<p:presentation/>",
    })


def docx() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def odp() -> bytes:
    return _zip(
        {"mimetype": b"application/vnd.oasis.opendocument.presentation", "content.xml": b"<office:document-content/>"},
        stored_first="mimetype",
    )


def odt() -> bytes:
    return _zip(
        {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office:document-content/>"},
        stored_first="mimetype",
    )


def iso_media(major: bytes, *compatible: bytes) -> bytes:
    brands = b"".join(compatible)
    ftyp = struct.pack(">I", 16 + len(brands)) + b"ftyp" + major + b"\0\0\0\0" + brands
    return ftyp + struct.pack(">I", 8) + b"mdat"


def mp4() -> bytes:
    return iso_media(b"isom", b"isom", b"iso2", b"avc1", b"mp41")


def mov() -> bytes:
    return iso_media(b"qt  ", b"qt  ")


def ebml(doctype: bytes) -> bytes:
    body = b"\x42\x86\x81\x01" + b"\x42\x82" + bytes([0x80 | len(doctype)]) + doctype
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(body)]) + body + b"\x18\x53\x80\x67\x80"


def webm() -> bytes:
    return ebml(b"webm")


class OneWayStream(io.RawIOBase):
    """Like a request body read straight off the socket: no seeking, and it says how much was pulled from it."""

    def __init__(self, data: bytes | None = None, *, endless: bool = False):
        self.data = data or b""
        self.endless = endless
        self.position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer) -> int:
        if self.endless:
            buffer[:] = b"\0" * len(buffer)
            self.position += len(buffer)
            return len(buffer)
        chunk = self.data[self.position : self.position + len(buffer)]
        buffer[: len(chunk)] = chunk
        self.position += len(chunk)
        return len(chunk)


# ---------------------------------------------------------------------------------------------------------------
# Storage


@pytest.fixture
def storage(tmp_path) -> LocalStorage:
    return LocalStorage(tmp_path / "uploads")


def _all_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_save_open_delete_round_trip(storage):
    content = b"hello " * 50_000

    stored = storage.save(io.BytesIO(content), filename="talk.pdf", content_type="application/pdf")

    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert storage.exists(stored.key)
    with storage.open(stored.key) as f:
        assert f.read() == content

    storage.delete(stored.key)

    assert not storage.exists(stored.key)
    with pytest.raises(FileNotFoundError):
        storage.open(stored.key)
    storage.delete(stored.key)  # a second delete (a retried job) is harmless


def test_root_and_shard_folders_are_created_as_needed(tmp_path):
    storage = LocalStorage(tmp_path / "not" / "there" / "yet")

    stored = storage.save(io.BytesIO(b"x"), filename="a.png", content_type="image/png")

    path = tmp_path / "not" / "there" / "yet" / stored.key[:2] / stored.key[2:4] / stored.key
    assert path.read_bytes() == b"x"


def test_keys_are_random_and_path_safe_and_ignore_the_filename(storage):
    keys = [
        storage.save(io.BytesIO(b"same"), filename="../../etc/passwd", content_type="text/plain").key
        for _ in range(20)
    ]

    assert len(set(keys)) == 20
    for key in keys:
        assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert all(path.name in keys for path in _all_files(storage.root))


@pytest.mark.parametrize(
    "key",
    [
        "../../../../etc/passwd",
        "..",
        "/etc/passwd",
        "ab/cd/" + "0" * 32,
        "0" * 31 + "/",
        "0" * 31 + "\0",
        "A" * 32,  # not what save makes: case-insensitive file systems would mix keys up
        "0" * 33,
        "",
        None,
    ],
)
def test_keys_that_could_escape_the_folder_are_refused(storage, key):
    for operation in (storage.open, storage.delete, storage.exists):
        with pytest.raises(InvalidKey):
            operation(key)


def test_a_symlinked_shard_cannot_lead_outside_the_folder(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "uploads"
    root.mkdir()
    (root / "ab").symlink_to(outside, target_is_directory=True)

    with pytest.raises(InvalidKey):
        LocalStorage(root).open("ab" + "0" * 30)


def test_writes_leave_no_temporary_files(storage):
    stored = [storage.save(io.BytesIO(bytes([n]) * 1000), filename="f", content_type="x") for n in range(5)]

    assert sorted(path.name for path in _all_files(storage.root)) == sorted(s.key for s in stored)


def test_a_failed_write_leaves_nothing_behind(storage):
    class BrokenStream(io.RawIOBase):
        def __init__(self):
            self.calls = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            self.calls += 1
            if self.calls > 2:
                raise ConnectionResetError("client went away")
            buffer[:] = b"x" * len(buffer)
            return len(buffer)

    with pytest.raises(ConnectionResetError):
        storage.save(BrokenStream(), filename="video.mp4", content_type="video/mp4")

    assert _all_files(storage.root) == []


def test_get_storage_uses_the_configured_folder(app):
    storage = get_storage(app)

    assert isinstance(storage, LocalStorage)
    assert storage.root == Path(TestConfig.UPLOAD_FOLDER).resolve()
    assert get_storage(app) is storage


def test_a_relative_upload_folder_is_inside_the_instance_folder(tmp_path):
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    app.config.update(STORAGE_BACKEND="local", UPLOAD_FOLDER="files")

    assert get_storage(app).root == (tmp_path / "instance" / "files").resolve()


def test_an_unknown_backend_stops_with_a_clear_message(tmp_path):
    app = Flask(__name__, instance_path=str(tmp_path))
    app.config.update(STORAGE_BACKEND="floppy")

    with pytest.raises(RuntimeError, match="Unknown STORAGE_BACKEND 'floppy'"):
        get_storage(app)


# ---------------------------------------------------------------------------------------------------------------
# Checks on uploads


@pytest.mark.parametrize(
    ("kind", "make", "filename", "content_type"),
    [
        ("pitch_deck", pdf, "deck.pdf", "application/pdf"),
        ("pitch_deck", pptx, "deck.PPTX", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        ("pitch_deck", odp, "deck.odp", "application/vnd.oasis.opendocument.presentation"),
        ("storyboard", pdf, "board.pdf", "application/pdf"),
        ("storyboard", png, "board.png", "image/png"),
        ("storyboard", jpeg, "board.jpg", "image/jpeg"),
        ("storyboard", jpeg, "board.jpeg", "image/jpeg"),
        ("video", mp4, "clip.mp4", "video/mp4"),
        ("video", mov, "clip.mov", "video/quicktime"),
        ("video", mp4, "clip.mov", "video/mp4"),  # phones write either brand under either name
        ("video", webm, "clip.webm", "video/webm"),
    ],
)
def test_each_allowed_type_is_recognised_by_its_content(kind, make, filename, content_type):
    content = make()

    checked = check_upload(io.BytesIO(content), filename, kind)

    assert isinstance(checked, CheckedUpload)
    assert checked.content_type == content_type
    assert checked.size == len(content)
    assert checked.filename == filename
    assert checked.kind == kind
    assert checked.stream.read() == content  # rewound, ready for storage


@pytest.mark.parametrize(
    ("kind", "make", "filename", "message"),
    [
        ("storyboard", png, "board.pdf", "ends in .pdf but the file's content is PNG"),
        ("pitch_deck", pdf, "deck.pptx", "ends in .pptx but the file's content is PDF"),
        ("video", webm, "clip.mp4", "ends in .mp4 but the file's content is WebM"),
        ("storyboard", jpeg, "board", "needs an extension, such as .jpg"),
        ("pitch_deck", lambda: b"<html><script>alert(1)</script></html>", "deck.pdf", "content is not PDF"),
        ("pitch_deck", lambda: b"MZ\x90\x00" + b"\0" * 60, "deck.pdf", "content is not PDF"),
        ("pitch_deck", docx, "deck.pptx", "content is not PPTX"),
        ("pitch_deck", odt, "deck.odp", "content is not ODP"),
        ("pitch_deck", lambda: b"PK\x03\x04 truncated", "deck.pptx", "content is not PPTX"),
        ("pitch_deck", png, "deck.png", "Please choose one of: PDF, PPTX, ODP"),
        ("storyboard", mp4, "board.mp4", "Please choose one of: PDF, PNG, JPEG"),
        ("video", lambda: ebml(b"matroska"), "clip.webm", "content is not WebM"),
        ("video", lambda: iso_media(b"heic", b"mif1", b"heic"), "photo.mp4", "content is not MP4"),
        ("video", lambda: iso_media(b"M4A ", b"M4A ", b"mp42", b"isom"), "song.mp4", "content is not MP4"),
        ("video", lambda: b"RIFF\0\0\0\0AVI LIST", "clip.avi", "Please choose one of: MP4, MOV, WebM"),
    ],
)
def test_content_and_name_that_do_not_fit_are_rejected(kind, make, filename, message):
    with pytest.raises(UploadRejected) as rejected:
        check_upload(io.BytesIO(make()), filename, kind)

    assert message in str(rejected.value.message)


def test_an_empty_file_is_rejected():
    with pytest.raises(UploadRejected) as rejected:
        check_upload(io.BytesIO(b""), "deck.pdf", "pitch_deck")

    assert str(rejected.value.message) == "The file is empty."


def test_size_is_counted_while_reading_and_reading_stops_past_the_limit():
    stream = OneWayStream(endless=True)  # a client that claims a small Content-Length and sends forever

    with pytest.raises(UploadRejected) as rejected:
        check_upload(stream, "clip.mp4", "video", max_size=1024 * 1024)

    assert "limit is 1 MB" in str(rejected.value.message)
    assert stream.position < 1024 * 1024 + 256 * 1024


def test_a_file_exactly_at_the_limit_is_accepted():
    content = pdf().ljust(4096, b"\n")

    assert check_upload(io.BytesIO(content), "deck.pdf", "pitch_deck", max_size=4096).size == 4096
    with pytest.raises(UploadRejected):
        check_upload(io.BytesIO(content + b"\n"), "deck.pdf", "pitch_deck", max_size=4096)


def test_limits_come_from_the_app_settings_when_set(app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_LIMITS", {"storyboard": 40})
    content = png()
    assert len(content) > 40

    with pytest.raises(UploadRejected):
        check_upload(io.BytesIO(content), "board.png", "storyboard")
    assert check_upload(io.BytesIO(pdf()), "deck.pdf", "pitch_deck").format == "pdf"


def test_default_limits_suit_each_kind():
    assert DEFAULT_UPLOAD_LIMITS == {"pitch_deck": 20 * 1024**2, "storyboard": 20 * 1024**2, "video": 200 * 1024**2,
                                     "evidence": 200 * 1024**2}  # a milestone's evidence may be a video


def test_a_stream_that_cannot_seek_is_copied_and_handed_back_rewound():
    content = pptx()

    checked = check_upload(OneWayStream(content), "deck.pptx", "pitch_deck")

    assert checked.content_type.endswith("presentationml.presentation")
    assert checked.stream.read() == content


def test_a_seekable_stream_is_rewound_to_where_it_started():
    stream = io.BytesIO(b"prefix" + pdf())
    stream.seek(6)

    checked = check_upload(stream, "deck.pdf", "pitch_deck")

    assert checked.stream is stream
    assert stream.tell() == 6


def test_checked_upload_goes_into_storage_unchanged(storage):
    content = mp4() + b"\0" * 100_000
    checked = check_upload(io.BytesIO(content), "clip.mp4", "video")

    stored = storage.save(checked.stream, filename=checked.filename, content_type=checked.content_type)

    assert stored.size == checked.size
    assert stored.sha256 == hashlib.sha256(content).hexdigest()


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown upload kind"):
        check_upload(io.BytesIO(pdf()), "deck.pdf", "tax_return")


def test_accepted_extensions_feed_the_file_input():
    assert accepted_extensions("pitch_deck") == [".pdf", ".pptx", ".odp"]
    assert accepted_extensions("storyboard") == [".pdf", ".png", ".jpg", ".jpeg"]
    assert accepted_extensions("video") == [".mp4", ".m4v", ".mov", ".webm"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\amina\\Desktop\\deck.pdf", "deck.pdf"),
        ("/home/léo/deck.pdf", "deck.pdf"),
        ("Présentation — équipe 日本語 مرحبا.pdf", "Présentation — équipe 日本語 مرحبا.pdf"),
        ("bad\x00name\x07.pdf", "badname.pdf"),
        ("two\nlines\t.pdf", "two lines .pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # a right-to-left override would show "invoiceexe.pdf"
        ("zero\u200bwidth.png", "zerowidth.png"),
        ('what?"<is>|this*.pdf', "what___is__this_.pdf"),
        ("  .hidden.pdf  ", "hidden.pdf"),
        ("e\u0301te\u0301.png", "été.png"),
        ("", "file"),
        (None, "file"),
        ("...", "file"),
    ],
)
def test_filenames_are_made_safe_to_show(given, expected):
    assert safe_filename(given) == expected


def test_long_filenames_are_shortened_keeping_the_extension():
    name = safe_filename("é" * 500 + ".pptx")

    assert len(name) == MAX_FILENAME_LENGTH
    assert name.endswith("é.pptx")


def test_the_checked_upload_carries_the_safe_filename():
    checked = check_upload(io.BytesIO(pdf()), "../../secret/\u202eDeck.pdf", "pitch_deck")

    assert checked.filename == "Deck.pdf"
