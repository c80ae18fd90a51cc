"""The document file store: files named by their SHA-256, kept once.

One small interface, two backends: a local folder (the default,
``instance/files``) and an S3-compatible object store. An upload is first
*staged*: copied in chunks to a temporary file on local disk and hashed on
the way; the staged file is then checked, and finally ``save``d into the
store under its hash (an atomic rename on the local backend). Nothing here
holds a whole file in memory.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app
from flask_babel import gettext as _

from konsey.errors import ServiceError

CHUNK = 1024 * 1024
HEAD_BYTES = 8192


class TooLarge(Exception):
    """The stream is longer than the limit; nothing has been kept."""


class StorageFull(ServiceError):
    """The disk (or quota) ran out while a file was written; nothing is kept."""

    status = 507
    code = "storage_full"

    def __init__(self):
        super().__init__(
            _(
                "There is no room left to store the file; nothing was saved. "
                "The secretariat has been told; please try again later."
            ),
            "file",
        )


@contextlib.contextmanager
def _no_space_is_storage_full():
    try:
        yield
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        logging.getLogger(__name__).error("document store is full: %s", exc)
        raise StorageFull() from exc


@dataclass
class StagedFile:
    """An upload on local disk, hashed, waiting to be checked and stored."""

    path: Path
    sha256: str
    size: int
    head: bytes  # the first bytes, for sniffing the kind of file
    utf8: bool  # the whole content is valid UTF-8 (a text file candidate)

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def stage(stream: BinaryIO, staging_dir: Path, max_bytes: int) -> StagedFile:
    """Copy ``stream`` to a temporary file in chunks, hashing it on the way."""
    with _no_space_is_storage_full():
        staging_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=staging_dir, prefix="upload-")
    path = Path(name)
    digest = hashlib.sha256()
    decoder = _Utf8Check()
    size = 0
    head = b""
    try:
        with _no_space_is_storage_full(), os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge
                if len(head) < HEAD_BYTES:
                    head += chunk[: HEAD_BYTES - len(head)]
                digest.update(chunk)
                decoder.feed(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return StagedFile(path, digest.hexdigest(), size, head, decoder.finish())


class _Utf8Check:
    def __init__(self):
        import codecs

        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.ok = True

    def feed(self, chunk: bytes) -> None:
        if self.ok:
            try:
                self._decoder.decode(chunk)
            except UnicodeDecodeError:
                self.ok = False

    def finish(self) -> bool:
        if self.ok:
            try:
                self._decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.ok = False
        return self.ok


def sha256_of(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


class Storage(Protocol):
    def save(self, staged: StagedFile) -> bool:
        """Keep the staged file under its hash; True when it was not there before.
        The staged file is consumed either way."""

    def open(self, sha256: str) -> BinaryIO:
        """A seekable binary reader; FileNotFoundError when missing."""

    def exists(self, sha256: str) -> bool: ...

    def delete(self, sha256: str) -> None: ...

    def local_path(self, sha256: str) -> Path | None:
        """The file's path when it is on local disk (served without copying)."""


class LocalStorage:
    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def save(self, staged: StagedFile) -> bool:
        target = self._path(staged.sha256)
        if target.exists():
            staged.discard()
            return False
        try:
            with _no_space_is_storage_full():
                target.parent.mkdir(parents=True, exist_ok=True)
        except StorageFull:
            staged.discard()
            raise
        os.chmod(staged.path, 0o440)
        # Same filesystem (staging lives under the root): an atomic rename, so a
        # reader never sees half a file under a hash name.
        os.replace(staged.path, target)
        return True

    def open(self, sha256: str) -> BinaryIO:
        return self._path(sha256).open("rb")

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()

    def delete(self, sha256: str) -> None:
        path = self._path(sha256)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()

    def local_path(self, sha256: str) -> Path | None:
        return self._path(sha256)


class S3Storage:
    """An S3-compatible object store (``pip install 'konsey[s3]'``, boto3).

    Keys are ``<prefix><sha256>``; uploads are multipart from the staged file
    (boto3 streams it), reads are ranged GETs, so memory stays flat.
    """

    def __init__(self, bucket: str, prefix: str = "", **client_kwargs):
        import boto3  # optional dependency: only needed with KONSEY_STORAGE=s3

        self.bucket = bucket
        self.prefix = prefix
        self.client = boto3.client("s3", **{k: v for k, v in client_kwargs.items() if v})

    def _key(self, sha256: str) -> str:
        return self.prefix + sha256

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(sha256))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def save(self, staged: StagedFile) -> bool:
        try:
            if self.exists(staged.sha256):
                return False
            self.client.upload_file(str(staged.path), self.bucket, self._key(staged.sha256))
            return True
        finally:
            staged.discard()

    def open(self, sha256: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(sha256))
        except ClientError as exc:
            raise FileNotFoundError(sha256) from exc
        raw = _S3RangeReader(self.client, self.bucket, self._key(sha256), head["ContentLength"])
        return io.BufferedReader(raw, buffer_size=CHUNK)

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(sha256))

    def local_path(self, sha256: str) -> Path | None:
        return None


class _S3RangeReader(io.RawIOBase):
    """A seekable reader over an object, one ranged GET per read."""

    def __init__(self, client, bucket: str, key: str, size: int):
        self.client, self.bucket, self.key, self.size = client, bucket, key, size
        self.pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.size}[whence]
        self.pos = max(0, base + offset)
        return self.pos

    def readinto(self, buffer) -> int:
        if self.pos >= self.size:
            return 0
        end = min(self.size, self.pos + len(buffer)) - 1
        body = self.client.get_object(
            Bucket=self.bucket, Key=self.key, Range=f"bytes={self.pos}-{end}"
        )["Body"]
        data = body.read()
        buffer[: len(data)] = data
        self.pos += len(data)
        return len(data)


def get_storage() -> Storage:
    config = current_app.config
    if config["STORAGE"] == "s3":
        return S3Storage(
            config["S3_BUCKET"],
            config["S3_PREFIX"],
            endpoint_url=config["S3_ENDPOINT_URL"],
            region_name=config["S3_REGION"],
            aws_access_key_id=config["S3_ACCESS_KEY_ID"],
            aws_secret_access_key=config["S3_SECRET_ACCESS_KEY"],
        )
    return LocalStorage(Path(config["FILES_PATH"]))


def staging_dir() -> Path:
    """Where uploads are staged: inside the local store, so that saving is a rename."""
    return Path(current_app.config["FILES_PATH"]) / ".staging"


def verify(storage: Storage, sha256: str) -> bool:
    """Does the stored file still have the hash it is named by? False if missing."""
    try:
        with storage.open(sha256) as fh:
            return sha256_of(fh) == sha256
    except FileNotFoundError:
        return False
