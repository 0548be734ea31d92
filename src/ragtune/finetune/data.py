"""Training data: validated JSONL in three common shapes, stored as immutable, hashed, versioned datasets."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ragtune.errors import RagtuneError
from ragtune.files import read_utf8

if TYPE_CHECKING:
    from ragtune.catalog import Catalog

SHAPES = '{"question","answer"}, {"instruction","input","output"} or {"messages": [...]}'


class DataError(RagtuneError):
    """A training file with a bad line; the message names the file and the line."""


def normalize(record: object, where: str) -> dict:
    """Any accepted shape → {"question", "answer", "context"?}; raises DataError naming `where`."""
    if not isinstance(record, dict):
        raise DataError(f"{where}: expected a JSON object, got {type(record).__name__}")
    if "messages" in record:
        msgs = record["messages"]
        if not isinstance(msgs, list) or not all(isinstance(m, dict) and {"role", "content"} <= set(m) for m in msgs):
            raise DataError(f'{where}: "messages" must be a list of {{"role", "content"}} objects')
        users = [m["content"] for m in msgs if m["role"] == "user"]
        answers = [m["content"] for m in msgs if m["role"] == "assistant"]
        if not users or not answers:
            raise DataError(f'{where}: "messages" needs a user and an assistant message')
        out = {"question": users[-1], "answer": answers[-1]}
    elif "instruction" in record:
        if "output" not in record:
            raise DataError(f'{where}: "instruction" needs an "output"')
        extra = record.get("input") or ""
        out = {"question": f"{record['instruction']}\n{extra}".strip(), "answer": record["output"]}
    elif "question" in record:
        return _question_record(record, where)
    else:
        raise DataError(f"{where}: unknown shape (fields {sorted(record)}); expected {SHAPES}")
    _check(out, where)
    return out


def _question_record(record: dict, where: str) -> dict:
    """{"question", "answer", "context"?, "source"?}; `"unanswerable": true` (its context lacks the answer) needs
    no answer: RAFT trains the reader to abstain on it."""
    unanswerable = record.get("unanswerable") is True
    if "answer" not in record and not unanswerable:
        raise DataError(f'{where}: "question" needs an "answer" (or "unanswerable": true)')
    out = {"question": record["question"], "answer": "" if unanswerable else record["answer"]}
    out |= {k: record[k] for k in ("context", "source") if isinstance(record.get(k), str) and record[k]}
    if unanswerable:
        out["unanswerable"] = True
    _check(out, where, ("question",) if unanswerable else ("question", "answer"))
    return out


def _check(out: dict, where: str, keys: tuple[str, ...] = ("question", "answer")) -> None:
    for key in keys:
        if not isinstance(out[key], str) or not out[key].strip():
            raise DataError(f'{where}: "{key}" must be a non-empty string')


def read_jsonl(path: Path) -> list[dict]:
    """Every line validated; the first bad one raises with its line number (nothing is skipped silently)."""
    if not path.exists():
        raise DataError(f"{path}: no such file")
    rows = []
    for n, line in enumerate(read_utf8(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}:{n}: invalid JSON ({exc.msg} at column {exc.colno})") from None
        rows.append(normalize(record, f"{path}:{n}"))
    if not rows:
        raise DataError(f"{path}: no training examples")
    return rows


def content_hash(rows: list[dict]) -> str:
    return hashlib.sha256("\n".join(json.dumps(r, sort_keys=True) for r in rows).encode()).hexdigest()


class Datasets:
    """Versions `v0001`, `v0002`, … under `store/datasets`, each with train.jsonl, heldout.jsonl and meta.json."""

    def __init__(self, catalog: Catalog, root: Path):
        self.catalog, self.root = catalog, root

    def add(self, rows: list[dict], source: str, kind: str = "user", heldout: float = 0.1, seed: int = 0) -> dict:
        """A new immutable version (or the existing one with the same content)."""
        digest = content_hash(rows)
        existing = self.catalog.dataset_by_hash(digest)
        if existing:
            return existing
        version = self.catalog.next_dataset_version()
        order = list(range(len(rows)))
        random.Random(seed).shuffle(order)
        k = int(len(rows) * heldout) if len(rows) >= 10 else 0
        held, train = [rows[i] for i in order[:k]], [rows[i] for i in order[k:]]
        tmp = self.root / f".{version}.part"
        tmp.mkdir(parents=True, exist_ok=True)
        for name, part in (("train", train), ("heldout", held)):
            (tmp / f"{name}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part))
        meta = {
            "version": version,
            "hash": digest,
            "rows": len(train),
            "heldout": len(held),
            "source": source,
            "kind": kind,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "groups": sorted({r.get("access") or "" for r in rows} - {""}),  # the access labels it came from
        }
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2))
        tmp.replace(self.root / version)
        self.catalog.record_dataset(meta)
        return meta

    def list(self) -> list[dict]:
        return self.catalog.datasets()

    def labels(self, version: str) -> list[str]:
        """The access labels of the documents a version was generated from (a model trained on it inherits them)."""
        return next((d["groups"] for d in self.list() if d["version"] == version), [])

    def rows(self, version: str, split: str = "train") -> list[dict]:
        path = self.root / version / f"{split}.jsonl"
        if not path.exists():
            raise DataError(f"no dataset version '{version}' (see `ragtune data list`)")
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def resolve(self, spec: str | None) -> str:
        """A version name, a JSONL file (added as a new version), or None for the newest version."""
        if spec and Path(spec).suffix in (".jsonl", ".json") and Path(spec).exists():
            return self.add(read_jsonl(Path(spec)), source=str(spec))["version"]
        versions = [d["version"] for d in self.list()]
        if spec is None:
            if not versions:
                raise DataError("no training data yet: `ragtune data add FILE.jsonl` or `ragtune data generate`")
            return versions[-1]
        if spec not in versions:
            raise DataError(f"no dataset version '{spec}' (have: {', '.join(versions) or 'none'})")
        return spec
