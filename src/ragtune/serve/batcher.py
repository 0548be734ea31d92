"""Model calls off the event loop: one worker thread, a bounded queue, and questions batched per model.

Questions for the same model that are waiting together (or arrive within `window_s`) are answered in one
call of `answer_batch(model, questions)`, i.e. one query-embedding pass and one generation pass for all.
Other calls (search, embeddings) run one by one on the same thread. When `limit` calls are waiting or
running, `submit` raises Busy at once (the server answers 503 with Retry-After).
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field


class Busy(Exception):
    """The model queue is full."""


@dataclass
class _Job:
    future: Future = field(default_factory=Future)
    model: str | None = None  # set: a question for this model (batchable)
    question: str = ""
    fn: Callable | None = None  # else: a plain call


class Batcher:
    def __init__(
        self,
        answer_batch: Callable[[str, list[str]], list],
        limit: int = 8,
        window_s: float = 0.005,
        max_batch: int = 8,
    ):
        self.answer_batch = answer_batch
        self.limit, self.window_s, self.max_batch = limit, window_s, max_batch
        self.pending = 0
        self.batches: deque[int] = deque(maxlen=1000)  # sizes of the latest batches (for tests)
        self._count = threading.Lock()
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._held: deque[_Job] = deque()
        self._thread = threading.Thread(target=self._loop, name="ragtune-model", daemon=True)
        self._thread.start()

    async def ask(self, model: str, question: str):
        return await self._submit(_Job(model=model, question=question))

    async def run(self, fn: Callable, *args):
        return await self._submit(_Job(fn=lambda: fn(*args)))

    async def _submit(self, job: _Job):
        with self._count:
            if self.pending >= self.limit:
                raise Busy
            self.pending += 1
        self._queue.put(job)
        return await asyncio.wrap_future(job.future)

    def close(self) -> None:
        self._queue.put(None)

    def _next(self, timeout: float | None = None) -> _Job | None:
        if self._held:
            return self._held.popleft()
        return self._queue.get(timeout=timeout)

    def _loop(self) -> None:
        while (job := self._next()) is not None:
            if job.model is None:
                self._finish([job], lambda: [job.fn()])
                continue
            batch = self._gather(job)
            questions = [j.question for j in batch]
            self._finish(batch, lambda m=job.model, q=questions: self.answer_batch(m, q))

    def _gather(self, first: _Job) -> list[_Job]:
        """`first` and the questions for its model already waiting or arriving within the window."""
        batch, others = [first], []
        deadline = time.monotonic() + self.window_s
        while len(batch) < self.max_batch:
            try:
                nxt = self._next(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if nxt is None:
                others.append(nxt)
                break
            (batch if nxt.model == first.model else others).append(nxt)
        self._held.extendleft(reversed(others))
        return batch

    def _finish(self, jobs: list[_Job], call: Callable[[], list]) -> None:
        """Run `call` and hand each job its result, or every job the error. The jobs leave the count first: an
        answered client may ask again at once, and must not find its own finished call still counted."""
        try:
            results = call()
            if len(results) != len(jobs):
                raise RuntimeError(f"{len(results)} results for {len(jobs)} calls")
            error = None
        except BaseException as exc:
            results, error = [], exc
        if len(jobs) > 1 or jobs[0].model is not None:
            self.batches.append(len(jobs))
        with self._count:
            self.pending -= len(jobs)
        for j, r in zip(jobs, results or [None] * len(jobs), strict=True):
            if error is None:
                j.future.set_result(r)
            else:
                j.future.set_exception(error)
