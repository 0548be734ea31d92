"""Where files are prepared: in this process (`Inline`), or in a pool of parsing processes (`Pool`) a few jobs
ahead of the consumer. Both turn jobs into outcomes in the jobs' order; `ragtune.ingest.ray` is the third."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from ragtune.config import ChunkConfig
from ragtune.ingest.prepare import Failed, Job, Outcome, prepare


def _context() -> multiprocessing.context.BaseContext:
    """Fork where it is safe (Linux): the workers run only parsers, and unlike spawn it does not re-run the
    caller's script, which a script without `if __name__ == "__main__":` would not survive."""
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")


@contextlib.contextmanager
def _quiet_fork() -> Iterator[None]:
    """Forked processes inherit TOKENIZERS_PARALLELISM=false: no warning from each about its parent's threads.
    (A store back-end whose runtime warns about forks silences that itself: the workers never touch the store.)
    The parent's objects are frozen
    out of garbage collection first: a collection in either process would touch every object and so copy
    the pages they share (measured: +130 MB in a 10k-file ingest); `Pool.close` thaws them."""
    before = os.environ.get("TOKENIZERS_PARALLELISM")
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    gc.collect()
    gc.freeze()  # the objects both sides hold are never traversed by the collector, so stay shared
    try:
        yield
    finally:
        if before is None:
            del os.environ["TOKENIZERS_PARALLELISM"]
        else:
            os.environ["TOKENIZERS_PARALLELISM"] = before


# A parsing process keeps what every job needs, sent once when it starts.
_worker: dict = {}


def _start_worker(parent: int, tokenizer, cfg: ChunkConfig, keep_parsed: bool) -> None:
    """Keep what jobs need; die with the parent (a forked worker would otherwise outlive a killed ingest)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before that
            os._exit(1)
    _worker.update(tokenizer=tokenizer, cfg=cfg, keep_parsed=keep_parsed)


def prepare_in_worker(job: Job) -> Outcome:
    """`prepare` with what the worker was started with."""
    return prepare(job, _worker["tokenizer"], _worker["cfg"], _worker["keep_parsed"])


class Pool:
    """Prepares jobs in `workers` processes, a few ahead of the consumer, results in the jobs' order. A job
    whose parser kills its process (a crash, memory) is retried alone once, then reported failed."""

    def __init__(self, workers: int, tokenizer, cfg: ChunkConfig, keep_parsed: bool = False, work=prepare_in_worker):
        self.workers, self.work = workers, work  # work: a module-level function of a Job (importable by workers)
        self.init = (os.getpid(), tokenizer, cfg, keep_parsed)
        self.ahead = 2 * workers  # jobs in flight: bounded memory however many files there are
        self.executor: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self.executor is None:
            self.executor = ProcessPoolExecutor(
                self.workers,
                mp_context=_context(),
                initializer=_start_worker,
                initargs=self.init,
            )
            with _quiet_fork():  # (a forked executor starts its processes at the first submit)
                self.executor.submit(os.getpid).result()
        return self.executor

    def __call__(self, jobs: Iterable[Job]) -> Iterator[tuple[Job, Outcome]]:
        queue: deque[tuple[Job, Future]] = deque()
        jobs = iter(jobs)
        for job in jobs:
            queue.append((job, self._executor().submit(self.work, job)))
            if len(queue) >= self.ahead:
                yield from self._next(queue)
        while queue:
            yield from self._next(queue)

    def _next(self, queue: deque[tuple[Job, Future]]) -> Iterator[tuple[Job, Outcome]]:
        job, future = queue.popleft()
        try:
            yield job, future.result()
        except BrokenProcessPool:  # some job in flight killed a worker: retry each alone
            self.close()
            retry = [job] + [j for j, _ in queue]
            queue.clear()
            for j in retry:
                yield j, self._alone(j)

    def _alone(self, job: Job) -> Outcome:
        try:
            return self._executor().submit(self.work, job).result()
        except BrokenProcessPool:
            self.close()
            return Failed("the parser crashed on this file (its process died)")

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None
            gc.unfreeze()  # what the fork froze is collectable again: a long-lived process (serve) leaks nothing


class Inline:
    """Prepares jobs one after another in this process."""

    def __init__(self, tokenizer, cfg: ChunkConfig, keep_parsed: bool = False):
        self.args = (tokenizer, cfg, keep_parsed)

    def __call__(self, jobs: Iterable[Job]) -> Iterator[tuple[Job, Outcome]]:
        for job in jobs:
            yield job, prepare(job, *self.args)

    def close(self) -> None:
        pass
