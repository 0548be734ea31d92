"""Background evaluations for `POST /eval`: one at a time, progress readable while they run, results kept on disk."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

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

    def to_dict(self) -> dict:
        return asdict(self) | {"progress": round(self.done / self.total, 3) if self.total else 0.0}


class EvalJobs:
    """Runs evaluations on their own thread; their files live under `store/evals/<id>/`."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        self.folder = ws.settings.store / "evals"
        self.jobs: dict[str, EvalJob] = {}
        self._one = threading.Lock()

    def start(self, questions_file: Path, arms: list[str], adapter: str | None, limit: int | None) -> EvalJob:
        """Check the request now (bad arms or questions fail here), then run it in the background."""
        from ragtune.evaluate.questions import load, sample
        from ragtune.generate.arms import parse

        parse(arms, adapter, self.ws.reader_available())
        if adapter and adapter not in {a["name"] for a in self.ws.adapters.list()}:
            raise RagtuneError(f"unknown adapter {adapter!r}")
        qs = load(questions_file)
        if not qs:
            raise RagtuneError(f"{questions_file.name}: no questions")
        qs = sample(qs, limit)
        job = EvalJob(uuid.uuid4().hex[:12], arms, adapter, len(qs), total=len(qs) * len(arms))
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
                results = self.ws.evaluate(qs, arm_list, step=step)
                report.keep(results, self.ws.settings.store, folder=self.folder / job.id)
                job.summary = {
                    a: {k: m[k] for k in ("f1", "em", "abstained") if k in m} for a, m in results["arms"].items()
                }
                job.status = "done"
            except Exception as exc:  # the job reports it; the server goes on
                job.status, job.error = "failed", str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            job.finished = time.time()
