"""Atomic file writes."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from ragtune.files import write_atomic


def _write_many(path: str, text: str) -> None:
    for _ in range(300):
        write_atomic(Path(path), text)


def test_processes_writing_one_file_at_once_all_succeed(tmp_path):
    """The ranks of a data-parallel training all write the run's record: none may fail."""
    path = tmp_path / "run.json"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_write_many, args=(str(path), f'{{"rank": {i}}}')) for i in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    assert path.read_text() in {'{"rank": 0}', '{"rank": 1}', '{"rank": 2}'}
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]  # no temporary file left behind
