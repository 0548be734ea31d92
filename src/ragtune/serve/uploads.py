"""Uploaded files: a safe name, a size limit while streaming, content sniffed, written only under the store."""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
from pathlib import Path

from ragtune.errors import IngestError
from ragtune.ingest import sniff
from ragtune.ingest.factory import supported

CHUNK = 1 << 20
MAX_NAME = 200  # characters of an upload's stored name, its suffix kept


class UploadRejected(IngestError):
    """An upload refused before ingest: the message says why; `status` is the HTTP status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def safe_name(filename: str | None, kinds: tuple[str, ...] | None = None) -> str:
    """The last path component of a client's file name, reduced to plain characters; refuses what is left empty,
    hidden, or of a type ragtune cannot ingest."""
    raw = (filename or "").replace("\\", "/").split("/")[-1]
    name = unicodedata.normalize("NFKC", raw)
    name = re.sub(r"[^\w.\- ]+", "_", name).strip(" .")
    if not name or name.startswith(".") or not Path(name).suffix:
        raise UploadRejected(f"{filename!r}: not a usable file name")
    if kinds is not None and Path(name).suffix.lower() not in kinds:
        raise UploadRejected(f"{name}: expected a {' or '.join(kinds)} file", 415)
    if not supported(Path(name)):
        raise UploadRejected(f"{name}: unsupported file type '{Path(name).suffix}'", 415)
    return shorten(name)


def shorten(name: str, limit: int = MAX_NAME) -> str:
    """`name` cut to `limit` characters in its stem, so that its suffix (its type) survives."""
    if len(name) <= limit:
        return name
    suffix = Path(name).suffix
    return name[: limit - len(suffix)].rstrip(" .") + suffix


def inside(folder: Path, name: str) -> Path:
    """`folder/name`, refused if it would resolve outside `folder` (a belt to `safe_name`'s braces)."""
    target = (folder / name).resolve()
    if target.parent != folder.resolve():
        raise UploadRejected(f"{name}: refused (outside the upload folder)")
    return target


async def stage(upload, folder: Path, limit_bytes: int, kinds: tuple[str, ...] | None = None) -> tuple[Path, Path]:
    """Stream an UploadFile to a hidden file in `folder` (size-limited, sniffed): returns it and the path it is to
    take. Hidden files are never ingested, and a server start removes those a dead server left."""
    name = safe_name(upload.filename, kinds)
    folder.mkdir(parents=True, exist_ok=True)
    target = inside(folder, name)
    part = folder / f".{uuid.uuid4().hex}{target.suffix}"  # the sniffer reads the suffix
    size = 0
    try:
        with part.open("wb") as fh:
            while block := await upload.read(CHUNK):
                size += len(block)
                if size > limit_bytes:
                    raise UploadRejected(f"{name}: larger than the {limit_bytes / 2**20:g} MiB upload limit", 413)
                fh.write(block)
        if size == 0:
            raise UploadRejected(f"{name}: empty file")
        try:
            sniff.check(part)
        except IngestError as exc:
            raise UploadRejected(f"{name}: {exc}", 415) from None
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return part, target


async def save(upload, folder: Path, limit_bytes: int, kinds: tuple[str, ...] | None = None) -> Path:
    """Stream an UploadFile to `folder` (see `stage`), replacing a same-named file only when whole."""
    part, target = await stage(upload, folder, limit_bytes, kinds)
    os.replace(part, target)
    return target
