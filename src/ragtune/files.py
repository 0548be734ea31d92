"""Files: writes a crash cannot leave half done, strict reads, the id a file's document gets."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, flush it to disk, then rename it over `path`. The temporary
    file is the process's own: processes writing the same file at once (ranks of one training) do not collide."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def read_utf8(path: Path) -> str:
    """A UTF-8 text file (JSON, JSONL); RagtuneError naming the file and the first bad byte otherwise."""
    from ragtune.errors import RagtuneError

    if not path.exists():
        raise RagtuneError(f"{path}: no such file")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RagtuneError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def printable(name: str) -> str:
    """A file name as text that can be stored and shown: bytes that are not UTF-8 (kept by Python as surrogates)
    become `\\xff` escapes. The same name always gives the same text."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def doc_id(key: str) -> str:
    """The id of the document ingested from a file, by its resolved path."""
    return hashlib.sha1(key.encode()).hexdigest()[:16]
