"""Adapter versions: where they live, their lineage, merging and exporting."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ragtune.errors import RagtuneError

if TYPE_CHECKING:
    from ragtune.catalog import Catalog


class Adapters:
    """`store/adapters/<name>/` folders, recorded in the manifest's `adapters` table."""

    def __init__(self, catalog: Catalog, root: Path, home: Path, device: str | None = None):
        """`root`: the adapters' folder; `home` and `device`: where base models are kept and run (a base other than
        the loaded model's is loaded from there)."""
        self.catalog, self.root, self.home, self.device = catalog, root, home, device

    def list(self) -> list[dict]:
        return self.catalog.adapters()

    def get(self, name: str) -> dict:
        row = self.catalog.adapter(name)
        if row is None:
            have = ", ".join(a["name"] for a in self.list()) or "none"
            raise RagtuneError(f"no adapter '{name}' (have: {have})")
        return row

    def next_name(self) -> str:
        n = self.catalog.adapter_count()
        while (self.root / f"a{n + 1:03d}").exists() or (self.root / f"a{n + 1:03d}.training").exists():
            n += 1
        return f"a{n + 1:03d}"

    def unfinished(self, name: str | None) -> tuple[str, dict]:
        runs = sorted(self.root.glob("*.training")) if self.root.exists() else []
        if name:
            runs = [r for r in runs if r.name == f"{name}.training"]
        if len(runs) != 1:
            found = ", ".join(r.name.removesuffix(".training") for r in runs) or "none"
            raise RagtuneError(f"--resume needs exactly one unfinished run (found: {found}); name it with --name")
        name = runs[0].name.removesuffix(".training")
        if not (runs[0] / "run.json").exists():
            raise RagtuneError(f"run {name} was stopped before it began; start it again without --resume")
        return name, json.loads((runs[0] / "run.json").read_text())

    def finish(self, name: str, work: Path, model, run: dict, metrics: dict, losses: list[dict]) -> dict:
        """Save the adapter and its lineage, then record it; the training folder goes last."""
        final = self.root / name
        tmp = self.root / f".{name}.part"
        shutil.rmtree(tmp, ignore_errors=True)
        if final.exists() and self.catalog.adapter(name) is None:
            shutil.rmtree(final)  # saved by a run killed before it was recorded: this run saves it again
        model.save_pretrained(tmp)
        record = {
            "name": name,
            "parent": run["parent"],
            "base": run["base"],
            "data": json.dumps(run["data"]),
            "params": json.dumps(run["params"]),
            "metrics": json.dumps(metrics),
            "path": str(final),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "groups": run.get("groups", []),  # access labels inherited from its data and its parent
        }
        (tmp / "lineage.json").write_text(json.dumps(record | {"loss": losses}, indent=2))
        (tmp / "loss.json").write_text(json.dumps(losses))
        _plot_loss(losses, tmp / "loss.png", name)
        tmp.replace(final)
        self.catalog.record_adapter(record)
        shutil.rmtree(work, ignore_errors=True)
        return record

    def remove(self, name: str) -> None:
        self.get(name)
        children = [a["name"] for a in self.list() if a["parent"] == name]
        if children:
            raise RagtuneError(f"adapter '{name}' is the parent of {', '.join(children)}; remove those first")
        self.catalog.remove_adapter(name)
        shutil.rmtree(self.root / name, ignore_errors=True)

    def load(self, name: str, base=None):
        """The base model with this adapter applied, for answering; a view of `base` (sharing its weights) when
        `base` is that model loaded locally."""
        from ragtune.models.bundled import resolve
        from ragtune.models.hf import HFModel

        rec = self.get(name)
        if isinstance(base, HFModel) and base.name == rec["base"]:
            key = hashlib.sha1(f"{rec['path']}:{rec['created_at']}".encode()).hexdigest()[:12]  # a retrained name
            llm = base.adapted(rec["path"], f"a{key}")
        else:
            llm = HFModel(resolve(rec["base"], self.home), "", self.device, rec["path"])
        llm.name = f"{rec['base']}+{name}"
        params = json.loads(rec["params"])
        llm.raft = params.get("raft", False)  # a RAFT reader: answers through the generate path
        llm.writes = params.get("write", False)  # trained to write answers from evidence (Answerer.write)
        return llm

    def merge(self, name: str, out: Path) -> Path:
        """A standalone model folder: base weights with the adapter merged in."""
        llm = self.load(name)
        merged = llm.model.merge_and_unload()
        merged.save_pretrained(out)
        llm.tokenizer.save_pretrained(out)
        return out

    def export(self, name: str, out: Path) -> Path:
        """The PEFT adapter files (safetensors + adapter_config.json) and lineage, usable by PEFT anywhere."""
        rec = self.get(name)
        out.mkdir(parents=True, exist_ok=True)
        for f in Path(rec["path"]).iterdir():
            if f.is_file():
                shutil.copy2(f, out / f.name)
        return out


def _plot_loss(losses: list[dict], path: Path, name: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot([x["step"] for x in losses], [x["loss"] for x in losses], color="#2b6cb0")
    ax.set(xlabel="step", ylabel="training loss", title=f"adapter {name}")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
