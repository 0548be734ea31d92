"""The model queue: a client that has its answer may ask again at once without being told the queue is full."""

from __future__ import annotations

import asyncio

from ragtune.serve.batcher import Batcher, Busy


def test_an_answered_client_may_ask_again_at_once():
    queue = Batcher(lambda model, questions: [q.upper() for q in questions], limit=1, window_s=0)

    async def one_client() -> list[str]:
        return [await queue.ask("m", f"q{i}") for i in range(300)]

    try:
        assert asyncio.run(one_client()) == [f"Q{i}" for i in range(300)]
    finally:
        queue.close()


def test_a_failed_batch_fails_every_question_in_it_and_frees_the_queue():
    def broken(model, questions):
        raise ValueError("model crashed")

    queue = Batcher(broken, limit=2, window_s=0.05)

    async def two() -> list:
        return await asyncio.gather(queue.ask("m", "a"), queue.ask("m", "b"), return_exceptions=True)

    try:
        errors = asyncio.run(two())
        assert [str(e) for e in errors] == ["model crashed", "model crashed"] and queue.pending == 0
    finally:
        queue.close()


def test_a_full_queue_refuses_at_once():
    import threading

    release = threading.Event()
    queue = Batcher(lambda model, questions: release.wait(10) and questions, limit=1, window_s=0)

    async def two() -> list:
        first = asyncio.ensure_future(queue.ask("m", "a"))
        await asyncio.sleep(0.05)
        try:
            await queue.ask("m", "b")
        except Busy:
            release.set()
            return [await first, "busy"]
        return []

    try:
        assert asyncio.run(two()) == ["a", "busy"]
    finally:
        release.set()
        queue.close()
