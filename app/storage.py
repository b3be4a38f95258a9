"""Where uploaded files live: a local folder by default, object storage in production.

Views and services talk only to `Storage`, so that app processes keep no files of their own once a shared
backend is configured. Keys are random and never derived from what the user typed; the display name and
content type belong in the database row that points at the key.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import tempfile
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import Flask, current_app

CHUNK_SIZE = 64 * 1024
# 128 random bits in lowercase hex: unguessable, and safe on case-insensitive file systems and in URLs.
_KEY_PATTERN = re.compile(r"[0-9a-f]{32}")


class InvalidKey(ValueError):
    """A key that could not have come from `Storage.save`: refused before it touches the file system."""


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str


def new_key() -> str:
    return secrets.token_hex(16)


def check_key(key: str) -> str:
    """Keys come back from URLs and database rows, so every backend refuses anything it did not make."""
    if not isinstance(key, str) or not _KEY_PATTERN.fullmatch(key):
        raise InvalidKey(f"not a storage key: {key!r}")
    return key


class Storage(ABC):
    """What the app needs from a file store, and nothing a local folder could not also do."""

    @abstractmethod
    def save(self, stream: BinaryIO, *, filename: str, content_type: str) -> StoredFile:
        """Store the stream under a new random key; filename and content type are hints for the backend."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A binary stream to read; raises FileNotFoundError when nothing is stored under the key."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Idempotent, so a retried clean-up job is harmless."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...


class LocalStorage(Storage):
    """Files under one folder, two levels of sub-folders deep so no folder grows to millions of entries."""

    def __init__(self, root: Path | str):
        self.root = Path(root).resolve()

    def path_for(self, key: str) -> Path:
        check_key(key)
        path = (self.root / key[:2] / key[2:4] / key).resolve()
        # Defence in depth: the key pattern already forbids separators and dots, but a symlinked shard must
        # not lead outside the root either.
        if not path.is_relative_to(self.root):
            raise InvalidKey(f"key escapes the storage folder: {key!r}")
        return path

    def save(self, stream: BinaryIO, *, filename: str, content_type: str) -> StoredFile:
        key = new_key()
        path = self.path_for(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        # Written beside its final place and renamed, so readers never see half a file, even after a crash.
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK_SIZE):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        return StoredFile(key=key, size=size, sha256=digest.hexdigest())

    def open(self, key: str) -> BinaryIO:
        return self.path_for(key).open("rb")

    def delete(self, key: str) -> None:
        self.path_for(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path_for(key).is_file()


# An S3-compatible backend (AWS S3, MinIO, Scaleway, OVH...) plugs in here: a class implementing `Storage`
# with boto3 (put_object with ContentType and a Content-Disposition built from filename, get_object()["Body"],
# delete_object, head_object), built from settings such as STORAGE_BUCKET and STORAGE_ENDPOINT_URL, and
# registered in _BACKENDS under "s3". Nothing outside this module needs to change.
_BACKENDS = {
    "local": lambda app: LocalStorage(_upload_folder(app)),
}


def _upload_folder(app: Flask) -> Path:
    """A relative UPLOAD_FOLDER is taken from the instance folder, like the SQLite file next to it."""
    folder = Path(app.config.get("UPLOAD_FOLDER") or "uploads")
    return folder if folder.is_absolute() else Path(app.instance_path) / folder


def send_stored(key: str, *, filename: str, content_type: str):
    """A private download of a stored file (404 when it is gone): never cached, never sniffed into HTML."""
    from flask import abort, send_file

    try:
        stream = get_storage().open(key)
    except (FileNotFoundError, InvalidKey):
        abort(404)
    response = send_file(stream, mimetype=content_type, as_attachment=True, download_name=filename, max_age=0,
                         etag=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def get_storage(app: Flask | None = None) -> Storage:
    """One storage object per app, built from its settings the first time it is asked for."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    storage = app.extensions.get("storage")
    if storage is None:
        backend = app.config.get("STORAGE_BACKEND") or "local"
        try:
            factory = _BACKENDS[backend]
        except KeyError:
            raise RuntimeError(
                f"Unknown STORAGE_BACKEND {backend!r}; expected one of: {', '.join(sorted(_BACKENDS))}"
            ) from None
        storage = app.extensions["storage"] = factory(app)
    return storage
