"""Background evaluations for `POST /eval`: one at a time, progress readable while they run, results kept on disk."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ragtune.access import ADMIN, Principal
from ragtune.errors import RagtuneError

if TYPE_CHECKING:
    from ragtune.workspace import Workspace


@dataclass
class EvalJob:
    id: str
    arms: list[str]
    adapter: str | None
    questions: int
    status: str = "queued"  # queued | running | done | failed
    arm: str | None = None
    done: int = 0  # questions answered, over all arms
    total: int = 0
    error: str | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None
    summary: dict | None = None  # per arm: f1, em, abstained (results.json and report.html: STORE/evals/<id>/)
    owner: Principal = ADMIN  # who started it: it runs over what they may see, and only they (or the admin) see it

    def to_dict(self) -> dict:
        out = asdict(self) | {"progress": round(self.done / self.total, 3) if self.total else 0.0}
        return out | {"owner": self.owner.name}


class EvalJobs:
    """Runs evaluations on their own thread; their files live under `store/evals/<id>/`."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        self.folder = ws.settings.store / "evals"
        self.jobs: dict[str, EvalJob] = {}
        self._one = threading.Lock()

    def start(
        self, questions_file: Path, arms: list[str], adapter: str | None, limit: int | None, owner: Principal = ADMIN
    ) -> EvalJob:
        """Check the request now (bad arms or questions fail here), then run it in the background, over what
        `owner` may see."""
        from ragtune.evaluate.questions import load, sample
        from ragtune.generate.arms import parse

        parse(arms, adapter, self.ws.reader_available())
        if adapter and adapter not in {a["name"] for a in self.ws.usable_adapters(owner)}:
            raise RagtuneError(f"unknown adapter {adapter!r}")
        qs = load(questions_file)
        if not qs:
            raise RagtuneError(f"{questions_file.name}: no questions")
        qs = sample(qs, limit)
        job = EvalJob(uuid.uuid4().hex[:12], arms, adapter, len(qs), total=len(qs) * len(arms), owner=owner)
        self.jobs[job.id] = job
        threading.Thread(target=self._run, args=(job, qs), name=f"ragtune-eval-{job.id}", daemon=True).start()
        return job

    def _run(self, job: EvalJob, qs: list) -> None:
        from ragtune.evaluate import report
        from ragtune.generate.arms import parse

        def step(arm: str, n: int, total: int) -> None:
            job.arm = arm
            job.done += 1

        with self._one:
            job.status = "running"
            try:
                arm_list = parse(job.arms, job.adapter, self.ws.reader_available())
                results = self.ws.evaluate(qs, arm_list, step=step, principal=job.owner)
                labels = self.ws.labels(job.owner)
                if labels is not None:  # the report may be read only by callers who see all it was made over
                    (self.folder / job.id).mkdir(parents=True, exist_ok=True)
                    (self.folder / job.id / report.ACCESS).write_text(json.dumps(labels))
                report.keep(results, self.ws.settings.store, folder=self.folder / job.id)
                job.summary = {
                    a: {k: m[k] for k in ("f1", "em", "abstained") if k in m} for a, m in results["arms"].items()
                }
                job.status = "done"
            except Exception as exc:  # the job reports it; the server goes on
                job.status, job.error = "failed", str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            job.finished = time.time()


@dataclass
class CompareJob:
    id: str
    folder: str  # STORE/compare/<id>: progress.json, questions.jsonl, comparison.json, report.html
    status: str = "running"  # running | done | failed
    steps: list[dict] = field(default_factory=list)
    verdict: dict | None = None
    error: str | None = None

    def to_dict(self) -> dict:
        """What a client sees: the run's folder relative to the store (a server path is never shown)."""
        return asdict(self) | {"folder": f"compare/{self.id}"}


class CompareJobs:
    """Runs `ragtune compare` on the store's documents on its own thread, one at a time; its steps are read
    back from the run's progress.json."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        self.jobs: dict[str, CompareJob] = {}
        self._one = threading.Lock()

    def start(self, log: Path | None, changes: int, shares: tuple[float, ...]) -> CompareJob:
        if not self.ws.catalog.documents():
            raise RagtuneError("the store has no documents to compare on: upload some first")
        if not self._one.acquire(blocking=False):
            raise RagtuneError("a comparison is already running; wait for it to finish")
        job_id = uuid.uuid4().hex[:12]
        job = CompareJob(job_id, str(self.ws.settings.store / "compare" / job_id))
        self.jobs[job.id] = job
        threading.Thread(
            target=self._run, args=(job, log, changes, shares), name=f"ragtune-compare-{job.id}", daemon=True
        ).start()
        return job

    def _run(self, job: CompareJob, log: Path | None, changes: int, shares: tuple[float, ...]) -> None:
        from ragtune.compare.run import Options, compare

        try:
            doc = compare(self.ws, [], Path(job.folder), log, Options(shares=shares, changes=changes), say=_quiet)
            job.verdict, job.status = doc["verdict"], "done"
        except Exception as exc:  # the job reports it; the server goes on
            job.status, job.error = "failed", str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        finally:
            self._one.release()

    def status(self, job_id: str) -> dict:
        """The job with the steps its run has written so far."""
        import json

        job = self.jobs[job_id]
        with contextlib.suppress(OSError, ValueError, KeyError):
            job.steps = json.loads((Path(job.folder) / "progress.json").read_text())["steps"]
        return job.to_dict()


def _quiet(message: str) -> None:
    """A server's comparison says its steps in progress.json only."""
