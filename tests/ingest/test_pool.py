"""Preparing files in parsing processes: the same rows as in one process, a crashing parser costs one file."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ragtune.config import ChunkConfig
from ragtune.index.base import KINDS, Filter
from ragtune.ingest.pool import Pool, prepare_in_worker
from ragtune.ingest.prepare import Failed, Job, Prepared, embed_rows
from tests.conftest import make_workspace
from tests.fakes import FakeEmbedder


def corpus(folder: Path, n: int) -> Path:
    """`n` small files of three kinds, and one that cannot be parsed."""
    folder.mkdir()
    for i in range(n):
        if i % 3 == 0:
            (folder / f"shelf{i:03d}.csv").write_text(f"item,shelf,aisle\nbolt {i},{i % 17},{i % 5}\nnut {i},3,1\n")
        elif i % 3 == 1:
            (folder / f"note{i:03d}.md").write_text(f"# Note {i}\n\nParcel {i} waits at gate {i % 9}. It is blue.\n")
        else:
            (folder / f"memo{i:03d}.txt").write_text(f"Memo {i}: the ferry leaves at {i % 24}:00. Bring a coat.\n")
    (folder / "broken.csv").write_bytes(b"\x00\x01\x02 not a table")
    return folder


def stored(ws) -> list[tuple]:
    rows = ws.store.rows([Filter.isin("kind", list(KINDS))], columns=["id", "kind", "locator", "text", "records"])
    return sorted((r["id"], r["kind"], r["locator"], r["text"], r["records"]) for r in rows)


def test_a_pool_of_parsing_processes_writes_what_one_process_writes(tmp_path):
    folder = corpus(tmp_path / "docs", 40)
    reports, stores = [], []
    for workers in (1, 2):
        ws = make_workspace(tmp_path / f"store{workers}", FakeEmbedder())
        ws.settings.chunk.workers = workers
        reports.append(ws.ingest([folder]))
        stores.append(stored(ws))
    assert [(r.ingested, r.failures) for r in reports] == [(40, reports[0].failures)] * 2
    assert [source for source, _ in reports[0].failures] == ["docs/broken.csv"]
    assert stores[0] == stores[1] and len(stores[0]) > 40 * 3
    assert gc.get_freeze_count() == 0  # frozen for the fork, thawed when the pool closed


def crash_on_poison(job: Job):
    """A parser that kills its process on one file (a segfault, the OOM killer)."""
    if Path(job.path).name == "poison.txt":
        os._exit(3)
    return prepare_in_worker(job)


def test_a_parser_that_kills_its_process_fails_that_file_only(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    names = [f"memo{i}.txt" for i in range(6)]
    names.insert(2, "poison.txt")
    for name in names:
        (folder / name).write_text(f"{name} says the ferry leaves at noon.\n")
    jobs = [Job(str(folder / n), str(folder / n), n, "") for n in names]
    pool = Pool(2, FakeEmbedder().tokenizer, ChunkConfig(), work=crash_on_poison)
    try:
        outcomes = dict((job.source, outcome) for job, outcome in pool(jobs))
    finally:
        pool.close()
    assert list(outcomes) == names  # in order, each once
    assert outcomes.pop("poison.txt") == Failed("the parser crashed on this file (its process died)")
    assert all(isinstance(o, Prepared) for o in outcomes.values())


def test_each_distinct_text_is_embedded_once():
    rows = [
        {"text": "One sentence.", "search_text": "One sentence."},  # a one-sentence chunk
        {"text": "One sentence.", "search_text": ""},  # … and its sentence
        {"text": "Another.", "search_text": ""},
        {"text": "Kept.", "search_text": "", "vector": "from a worker"},
    ]
    embedder = FakeEmbedder()
    embed_rows(rows, embedder.embed)
    assert embedder.texts == ["One sentence.", "Another."]
    assert (rows[0]["vector"] == rows[1]["vector"]).all() and rows[3]["vector"] == "from a worker"


@pytest.mark.slow
def test_a_script_without_a_main_guard_can_use_the_pool(tmp_path):
    """Parsing processes are forked (Linux): the caller's script is not run again in each of them."""
    folder = corpus(tmp_path / "docs", 40)
    script = tmp_path / "script.py"
    script.write_text(
        "from ragtune import Settings, Workspace\n"
        f"ws = Workspace(Settings(store=r'{tmp_path / 'store'}'))\n"
        "ws.settings.chunk.workers = 2\n"
        f"print(ws.ingest([r'{folder}']).line())\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.stdout.strip().startswith("ingested 40, unchanged 0, updated 0, removed 0, failed 1"), done.stderr
    assert "Warning" not in done.stderr and "Traceback" not in done.stderr, done.stderr
