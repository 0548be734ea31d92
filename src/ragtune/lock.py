"""One writer per store: an advisory file lock, refused at once with a clear message when another process holds it."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ragtune.errors import RagtuneError


@contextmanager
def write_lock(store: Path, what: str) -> Iterator[None]:
    """Hold `store/.write.lock` while writing; a second writer gets a RagtuneError naming the holder."""
    store.mkdir(parents=True, exist_ok=True)
    path = store / ".write.lock"
    with path.open("a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise RagtuneError(f"{store} is being written by {holder}; {what} again when it has finished") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        try:
            yield
        finally:
            fh.truncate(0)
            fcntl.flock(fh, fcntl.LOCK_UN)
