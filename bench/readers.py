"""Where the bench's trained readers and their data live, how their results files are named, and the machine a
result was measured on; light (no ragtune import), so that `bench/train_span.py --from` runs on a machine that
has only the training dependencies."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FILES = ("squad1-train-notre-dame.json", "squad2-train-10-articles.json")
READERS = Path(__file__).resolve().parents[1] / "src" / "ragtune" / "models" / "readers"
CALIBRATION_EVERY = 7  # every 7th paragraph's questions fit the abstention threshold instead of training


def tag(title: str) -> str:
    """A results-file tag for an article: Spectre_(2015_film) → spectre, The_Legend_of_Zelda:_… → zelda."""
    return title.split(":")[0].split("_(")[0].split("_")[-1].lower()


def variant(reader: Path) -> str:
    """A results-file suffix for a span reader trained other than the shipped way (swapped-question negatives):
    "-none" without made-up negatives, "-cut" with answer-cut ones; "" for the shipped recipe and RAFT readers."""
    marker = reader / "span_reader.json"
    if not marker.is_file():
        return ""
    params = json.loads(marker.read_text())["params"]
    kind = params.get("negative_kind", "cut") if params.get("negatives") else "none"  # "cut" came before "swap"
    return "" if kind == "swap" else f"-{kind}"


def machine() -> dict:
    return {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()}
