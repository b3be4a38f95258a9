"""Checks on uploaded files before they reach storage.

Browsers send whatever content type and length the client claims, so the type is read from the file's first
bytes and the size is counted while reading. The extension must agree with the content, so that what a
reviewer downloads opens in the program its name promises.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from babel.units import format_unit
from flask import current_app, has_app_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.storage import CHUNK_SIZE

MB = 1024 * 1024
# How much of the start of a file the type checks look at.
HEAD_SIZE = 512
# Uploads that do not come with a seekable stream are copied here; past this size the copy moves to disk.
SPOOL_IN_MEMORY = 1 * MB
MAX_FILENAME_LENGTH = 120


@dataclass(frozen=True)
class Format:
    label: str
    content_type: str
    extensions: tuple[str, ...]


# Phones and cameras write MP4 and QuickTime files under either extension; the container is the same, so
# both extensions agree with both; the content type follows the brand actually found in the file.
_ISO_MEDIA_EXTENSIONS = (".mp4", ".m4v", ".mov")

FORMATS = {
    "pdf": Format("PDF", "application/pdf", (".pdf",)),
    "pptx": Format("PPTX", "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",)),
    "odp": Format("ODP", "application/vnd.oasis.opendocument.presentation", (".odp",)),
    "png": Format("PNG", "image/png", (".png",)),
    "jpeg": Format("JPEG", "image/jpeg", (".jpg", ".jpeg")),
    "mp4": Format("MP4", "video/mp4", _ISO_MEDIA_EXTENSIONS),
    "mov": Format("MOV", "video/quicktime", _ISO_MEDIA_EXTENSIONS),
    "webm": Format("WebM", "video/webm", (".webm",)),
}

UPLOAD_KINDS = {
    "pitch_deck": ("pdf", "pptx", "odp"),
    "storyboard": ("pdf", "png", "jpeg"),
    "video": ("mp4", "mov", "webm"),
    # A milestone's evidence: documents, photos and the videos the project made.
    "evidence": ("pdf", "pptx", "odp", "png", "jpeg", "mp4", "mov", "webm"),
}

# Bytes per kind; the app's UPLOAD_LIMITS setting overrides any of them.
DEFAULT_UPLOAD_LIMITS = {
    "pitch_deck": 20 * MB,
    "storyboard": 20 * MB,
    "video": 200 * MB,
    "evidence": 200 * MB,
}


class UploadRejected(Exception):
    """The message is shown to the person who uploaded the file, beside the file field."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed the checks, rewound and ready for `Storage.save`."""

    stream: BinaryIO
    filename: str
    content_type: str
    format: str
    size: int
    kind: str


def upload_limits() -> dict[str, int]:
    limits = dict(DEFAULT_UPLOAD_LIMITS)
    if has_app_context():
        limits.update(current_app.config.get("UPLOAD_LIMITS") or {})
    return limits


def accepted_extensions(kind: str) -> list[str]:
    """For the file input's `accept` attribute and the form's help text."""
    extensions: list[str] = []
    for name in UPLOAD_KINDS[kind]:
        extensions.extend(e for e in FORMATS[name].extensions if e not in extensions)
    return extensions


def check_upload(stream: BinaryIO, filename: str, kind: str, *, max_size: int | None = None) -> CheckedUpload:
    """Raises UploadRejected with a message for the user; an unknown kind is a programming error."""
    if kind not in UPLOAD_KINDS:
        raise ValueError(f"unknown upload kind {kind!r}")
    limit = max_size if max_size is not None else upload_limits()[kind]
    checked, size, head = _measure(stream, limit)
    display_name = safe_filename(filename)
    try:
        if size == 0:
            raise UploadRejected(_l("The file is empty."))
        file_format = _identify(head, checked, _extension(display_name), UPLOAD_KINDS[kind])
    except UploadRejected:
        if checked is not stream:
            checked.close()
        raise
    return CheckedUpload(
        stream=checked,
        filename=display_name,
        content_type=FORMATS[file_format].content_type,
        format=file_format,
        size=size,
        kind=kind,
    )


def _identify(head: bytes, stream: BinaryIO, extension: str, allowed: tuple[str, ...]) -> str:
    """The format the content proves, provided it is allowed and the extension agrees with it."""
    detected = _detect(head, stream)
    if detected is None and (claimed := _format_named_by(extension, allowed)):
        raise UploadRejected(
            _l(
                "This file's content is not %(format)s. It may be damaged or saved in another format.",
                format=FORMATS[claimed].label,
            )
        )
    if detected not in allowed:
        raise UploadRejected(
            _l(
                "This type of file is not accepted here. Please choose one of: %(formats)s.",
                formats=", ".join(FORMATS[name].label for name in allowed),
            )
        )
    expected = FORMATS[detected].extensions
    if not extension:
        raise UploadRejected(_l("The file name needs an extension, such as %(extension)s.", extension=expected[0]))
    if extension not in expected:
        raise UploadRejected(
            _l(
                "The file name ends in %(extension)s but the file's content is %(format)s. "
                "Please check that you chose the right file.",
                extension=extension,
                format=FORMATS[detected].label,
            )
        )
    return detected


def _measure(stream: BinaryIO, limit: int) -> tuple[BinaryIO, int, bytes]:
    """Count the bytes actually sent, stopping as soon as the limit is passed, and keep the first few."""
    seekable = _seekable(stream)
    if seekable:
        start = stream.tell()
        copy = None
    else:
        copy = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - handed to the caller
    size = 0
    head = b""
    try:
        while chunk := stream.read(CHUNK_SIZE):
            size += len(chunk)
            if size > limit:
                raise UploadRejected(_l("The file is too large: the limit is %(limit)s.", limit=format_size(limit)))
            if len(head) < HEAD_SIZE:
                head += chunk[: HEAD_SIZE - len(head)]
            if copy is not None:
                copy.write(chunk)
    except BaseException:
        if copy is not None:
            copy.close()
        raise
    if copy is None:
        stream.seek(start)
        return stream, size, head
    copy.seek(0)
    return copy, size, head


def _seekable(stream) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, ValueError, OSError):
        return False


def format_size(size: int) -> str:
    locale = str(get_locale() or "en") if has_app_context() else "en"
    if size < MB:
        return format_unit(max(1, round(size / 1024)), "digital-kilobyte", length="short", locale=locale)
    return format_unit(round(size / MB, 1), "digital-megabyte", length="short", locale=locale)


# ISO base media ("ftyp") brands that are video. HEIF/AVIF images and M4A audio use the same container.
_VIDEO_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9", b"mp41", b"mp42", b"mp71",
    b"avc1", b"M4V ", b"M4VH", b"M4VP", b"dash", b"mmp4", b"MSNV", b"XAVC", b"3gp4", b"3gp5", b"3gp6", b"3g2a",
    b"qt  ",
}
_NOT_VIDEO_BRANDS = {
    b"M4A ", b"M4B ", b"M4P ", b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif",
    b"avis", b"crx ",
}


def _detect(head: bytes, stream: BinaryIO) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        return _detect_zip(stream)
    if head[4:8] == b"ftyp":
        return _detect_iso_media(head)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        # Matroska and WebM share the EBML header; the DocType inside it tells them apart.
        return "webm" if b"webm" in head[:64] else None
    return None


def _detect_iso_media(head: bytes) -> str | None:
    box_size = int.from_bytes(head[:4], "big")
    major = head[8:12]
    if major in _NOT_VIDEO_BRANDS:
        return None
    compatible = {head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)}
    if major not in _VIDEO_BRANDS and not compatible & _VIDEO_BRANDS:
        return None
    return "mov" if major == b"qt  " else "mp4"


def _detect_zip(stream: BinaryIO) -> str | None:
    """Office files are ZIP archives; their table of contents (at the end) names what they hold."""
    start = stream.tell()
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names and "ppt/presentation.xml" in names:
                return "pptx"
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    mimetype = entry.read(100).strip()
                if mimetype == FORMATS["odp"].content_type.encode():
                    return "odp"
            return None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, RuntimeError):
        return None
    finally:
        with contextlib.suppress(OSError, ValueError):
            stream.seek(start)


_UNSAFE_IN_NAMES = re.compile(r'[<>:"/\\|?*]')


def safe_filename(filename: str | None) -> str:
    """A name to show and to offer on download: no folders, no invisible or direction-changing characters
    (which can disguise "gpj.exe" as "exe.jpg"), nothing Windows refuses, and not too long; letters of any
    script are kept."""
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[/\\]", name)[-1]
    # Categories C*: control, format (bidi overrides, zero-width), surrogate, private use, unassigned.
    name = "".join(" " if ch.isspace() else ch for ch in name if ch.isspace() or unicodedata.category(ch)[0] != "C")
    name = _UNSAFE_IN_NAMES.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > MAX_FILENAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10 and stem:
            name = stem[: MAX_FILENAME_LENGTH - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            name = name[:MAX_FILENAME_LENGTH].rstrip(" .")
    return name or "file"


def _format_named_by(extension: str, allowed) -> str | None:
    return next((name for name in allowed if extension and extension in FORMATS[name].extensions), None)


def _extension(filename: str) -> str:
    stem, dot, extension = filename.rpartition(".")
    return f".{extension.lower()}" if dot and stem else ""
