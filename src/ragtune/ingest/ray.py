"""`ragtune ingest --ray ADDRESS`: Ray workers parse and embed; this process walks, hashes and writes.

Each worker is a Ray actor holding the store's embedder (2 CPUs each: as many as the cluster has room for).
It gets files in groups, with their bytes (no shared file system needed), and returns their rows with
vectors. This process keeps a few groups in flight and takes results in order, so batches, the manifest's
journal and crash recovery work as in a local ingest; with a server vector store (PostgreSQL, Milvus) the
store is shared by everyone who searches it.
"""

from __future__ import annotations

import os
import socket
from collections import deque
from collections.abc import Callable, Iterable, Iterator

from ragtune.config import ChunkConfig
from ragtune.errors import RagtuneError
from ragtune.ingest.prepare import Failed, Job, Outcome, Prepared, embed_rows, prepare

CPUS_PER_WORKER = 2
AUTH_HINT = " (a cluster with token authentication also needs RAY_AUTH_MODE=token and its token)"
FILES_PER_TASK = 16


class _Worker:
    """A Ray actor: the embedder loaded once, then groups of files → outcomes with vectors."""

    def __init__(self, make_embedder: Callable, cfg: ChunkConfig, keep_parsed: bool):
        self.embedder = make_embedder()
        self.cfg, self.keep_parsed = cfg, keep_parsed

    def prepare(self, jobs: list[Job]) -> list[Outcome]:
        outcomes = [prepare(job, self.embedder.tokenizer, self.cfg, self.keep_parsed) for job in jobs]
        embed_rows([r for o in outcomes if isinstance(o, Prepared) for r in o.rows], self.embedder.embed)
        return outcomes


class RayPreparer:
    """Jobs → (job, outcome) in order, worked by actors on the Ray cluster at `address` (`auto`: the one this
    machine belongs to; `local`: a new one on this machine)."""

    def __init__(self, address: str, make_embedder: Callable, cfg: ChunkConfig, keep_parsed: bool = False):
        try:
            import ray
        except ImportError:
            raise RagtuneError("--ray needs Ray: pip install 'ragtune[ray]'") from None
        self.ray = ray
        _check_reachable(address)  # Ray itself retries a dead address for minutes
        _check_token(address)  # …and a refused token for 20 s, then says only that it could not connect
        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "error")  # not a line per connection retry
        try:
            ray.init(address=address, ignore_reinit_error=True, log_to_driver=False, include_dashboard=False)
        except (ConnectionError, RuntimeError, ValueError, ray.exceptions.RayError) as exc:
            hint = "" if os.environ.get("RAY_AUTH_MODE") else AUTH_HINT
            first = str(exc).split(". ")[0]  # Ray's messages go on for lines
            raise RagtuneError(f"cannot reach the Ray cluster at '{address}': {first}{hint}") from None
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.actor_class = ray.remote(num_cpus=min(CPUS_PER_WORKER, cpus))(_Worker)
        self.args = (make_embedder, cfg, keep_parsed)
        self.actors = [self.actor_class.remote(*self.args) for _ in range(max(1, cpus // CPUS_PER_WORKER))]

    def __call__(self, jobs: Iterable[Job]) -> Iterator[tuple[Job, Outcome]]:
        flight: deque = deque()  # (actor index, jobs, result ref), oldest first
        group: list[Job] = []
        turn = 0
        for job in jobs:
            group.append(job)
            if len(group) == FILES_PER_TASK:
                flight.append((turn, group, self.actors[turn].prepare.remote(group)))
                group, turn = [], (turn + 1) % len(self.actors)
                if len(flight) >= 2 * len(self.actors):
                    yield from self._take(flight.popleft())
        if group:
            flight.append((turn, group, self.actors[turn].prepare.remote(group)))
        while flight:
            yield from self._take(flight.popleft())

    def _take(self, task: tuple) -> Iterator[tuple[Job, Outcome]]:
        turn, group, ref = task
        try:
            outcomes = self.ray.get(ref)
        except self.ray.exceptions.RayError as exc:  # the worker died (its node, memory): its files fail
            self.actors[turn] = self.actor_class.remote(*self.args)
            reason = f"the Ray worker died ({type(exc).__name__})"
            outcomes = [Failed(reason) for _ in group]
        yield from zip(group, outcomes, strict=True)

    def close(self) -> None:
        for actor in self.actors:
            self.ray.kill(actor)
        self.ray.shutdown()


def _check_token(address: str) -> None:
    """A RagtuneError at once when the cluster at `host:port` refuses this process's authentication token. One
    probe through Ray's own GCS client (a private class: where it is missing or fails otherwise, `ray.init` has
    the last word)."""
    if address in ("auto", "local") or address.startswith("ray://"):
        return
    try:
        from ray._raylet import GcsClient
        from ray.exceptions import AuthenticationError
    except ImportError:
        return
    try:
        GcsClient(address=address, cluster_id=None)
    except AuthenticationError:
        why = "it refused this process's authentication token (RAY_AUTH_MODE=token, and the cluster's token in"
        raise RagtuneError(f"cannot reach the Ray cluster at '{address}': {why} RAY_AUTH_TOKEN)") from None
    except Exception:  # anything else is ray.init's to report
        return


def _check_reachable(address: str) -> None:
    """A RagtuneError at once when nothing listens at `host:port` (or `ray://host:port`)."""
    if address in ("auto", "local"):
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=10).close()
    except ValueError:
        raise RagtuneError(f"'{address}' is not a Ray address (host:port, ray://host:port, auto or local)") from None
    except OSError as exc:
        raise RagtuneError(f"cannot reach the Ray cluster at '{address}': {exc.strerror or exc}") from None
