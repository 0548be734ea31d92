"""Locks around a store.

- `write_lock`: one writing process per store, an advisory file lock, refused at once with a clear message
  naming the holder. A process may take it again while it holds it (`ragtune serve` holds it for its life
  and ingests uploads under it).
- `ReadWriteLock`: inside one process, readers (search, answers) never see a write half done: each write
  batch excludes readers; readers wait for it, and a waiting writer goes before new readers.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ragtune.errors import RagtuneError

_held: dict[Path, int] = {}  # stores this process holds the write lock of → depth
_files: dict[Path, object] = {}  # … and their open lock files
_held_lock = threading.Lock()


def _drop_inherited() -> None:
    """In a forked child (ingest's parsing processes): close the lock files inherited from the parent, so that
    the parent's locks end with the parent, not with the last of its children."""
    for fh in _files.values():
        fh.close()
    _files.clear()
    _held.clear()


os.register_at_fork(after_in_child=_drop_inherited)


@contextmanager
def write_lock(store: Path, what: str) -> Iterator[None]:
    """Hold `store/.write.lock` while writing; another process gets a RagtuneError naming the holder."""
    store.mkdir(parents=True, exist_ok=True)
    key = store.resolve()
    with _held_lock:
        if key in _held:
            _held[key] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _held_lock:
                _held[key] -= 1
        return
    with (store / ".write.lock").open("a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise RagtuneError(f"{store} is being written by {holder}; {what} again when it has finished") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"{what} (pid {os.getpid()})")
        fh.flush()
        with _held_lock:
            _held[key] = 1
            _files[key] = fh
        try:
            yield
        finally:
            with _held_lock:
                del _held[key]
                _files.pop(key, None)
            fh.truncate(0)
            fcntl.flock(fh, fcntl.LOCK_UN)


class ReadWriteLock:
    """Many readers or one writer; writers go first; a thread may nest reads (and reads inside its write)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer: int | None = None
        self._waiting_writers = 0
        self._local = threading.local()

    def _depth(self) -> int:
        return getattr(self._local, "depth", 0)

    @contextmanager
    def read(self) -> Iterator[None]:
        me = threading.get_ident()
        if self._depth() or self._writer == me:
            self._local.depth = self._depth() + 1
            try:
                yield
            finally:
                self._local.depth -= 1
            return
        with self._cond:
            self._cond.wait_for(lambda: self._writer is None and not self._waiting_writers)
            self._readers += 1
        self._local.depth = 1
        try:
            yield
        finally:
            self._local.depth = 0
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        me = threading.get_ident()
        if self._writer == me:
            yield
            return
        with self._cond:
            self._waiting_writers += 1
            self._cond.wait_for(lambda: self._writer is None and not self._readers)
            self._waiting_writers -= 1
            self._writer = me
        try:
            yield
        finally:
            with self._cond:
                self._writer = None
                self._cond.notify_all()
