"""`ragtune finetune` under `accelerate launch`: two real CPU processes (gloo), data parallel."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import make_workspace
from tests.finetune.test_train import FACTS


def test_finetune_trains_data_parallel_on_two_processes(tmp_path, embedder, llm):
    ws = make_workspace(tmp_path / "store", embedder, llm)
    ws.datasets.add(FACTS, source="facts.jsonl")
    # --multi_gpu is accelerate's multi-process launcher (torchrun); with no GPU the trainer joins with gloo
    launch = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2"]
    launch += ["--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no"]
    train = ["--store", str(ws.settings.store), "finetune", "--data", "v0001", "--name", "ddp", "--json"]
    train += ["--max-steps", "4", "--batch-size", "2", "--save-steps", "2"]
    env = dict(os.environ, OMP_NUM_THREADS="1")  # two processes on two cores
    done = subprocess.run([*launch, "-m", "ragtune.cli", *train], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    printed = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert [p["name"] for p in printed] == ["ddp"]  # only the main process reports
    rec = ws.adapters.get("ddp")
    metrics = json.loads(rec["metrics"])
    assert metrics["processes"] == 2 and metrics["steps"] == 4
    assert (ws.settings.store / "adapters" / "ddp" / "adapter_model.safetensors").exists()
    assert not (ws.settings.store / "adapters" / "ddp.training").exists()
