"""Train a span reader (generate/span.py): LoRA on a small encoder with a start/end head, on question-answer pairs.

Each example is a question, its context and the answer's character offset, or no answer (an unanswerable
question: its target is the [CLS] position, which is how the reader learns to score "no answer"). By default half
the answerable ones also train once as a no-answer copy with a question term swapped (`span_examples.py`: the
topic is there, the answer is not, as in SQuAD 2.0). Training checkpoints every `save_every` steps beside the
output folder and resumes from there after an interruption; the finished folder appears in one rename.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from ragtune.console import progress as progress_bar
from ragtune.errors import RagtuneError
from ragtune.finetune.span_examples import SpanExample, span_examples, with_negatives
from ragtune.models.span import MARKER, encode, encoder_path

if TYPE_CHECKING:
    from ragtune.finetune.data import Datasets


@dataclass
class SpanParams:
    epochs: float = 3.0
    batch_size: int = 16
    learning_rate: float = 5e-4
    rank: int = 32
    alpha: int = 64
    dropout: float = 0.05
    warmup: float = 0.1
    seed: int = 0
    save_every: int = 100
    negatives: float = 0.5  # this share of answerable examples also trains once as a no-answer copy
    negative_kind: str = "swap"  # how the copy is made: "swap" a question term, or "cut" the answer's sentence


def train_span_reader(
    datasets: Datasets,
    readers: Path,
    data: str | None,
    name: str | None,
    params: SpanParams,
    encoder: str = "minilm",
    quiet=False,
) -> tuple[Path, dict]:
    """A span reader trained on a version of `datasets` (rows with a context) into the folder `readers`/NAME."""
    version = datasets.resolve(data)
    examples = span_examples(datasets.rows(version))
    if not examples:
        raise RagtuneError(f"dataset {version}: no row has a context holding its answer (a span reader needs them)")
    folder = readers / (name or f"span-{version}")
    meta = train_span(examples, folder, params, encoder, quiet)
    (folder / "lineage.json").write_text(json.dumps({"data": version, "params": meta["params"]}, indent=2))
    return folder, meta


def labels(enc, examples: list[SpanExample]) -> tuple[list[int], list[int]]:
    """Start and end token of each window's answer; 0 ([CLS]) where the window holds no answer."""
    starts, ends = [], []
    for row, n in enumerate(enc["overflow_to_sample_mapping"]):
        ex, offsets, seq = examples[n], enc["offset_mapping"][row], enc.sequence_ids(row)
        ctx = [k for k, s in enumerate(seq) if s == 1]
        first = ex.start if ex.start is not None else ex.context.find(ex.answer or "")
        if ex.answer is None or first < 0 or not ctx:
            starts.append(0), ends.append(0)
            continue
        last = first + len(ex.answer)
        if offsets[ctx[0]][0] > first or offsets[ctx[-1]][1] < last:
            starts.append(0), ends.append(0)
            continue
        starts.append(next(k for k in ctx if offsets[k][1] > first))
        ends.append(max(k for k in ctx if offsets[k][0] < last))
    return starts, ends


def batches(lengths: list[int], size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of windows of similar length (less padding), in shuffled order."""
    order = rng.sample(range(len(lengths)), len(lengths))
    groups = [sorted(order[i : i + size * 50], key=lambda k: lengths[k]) for i in range(0, len(order), size * 50)]
    out = [g[i : i + size] for g in groups for i in range(0, len(g), size)]
    rng.shuffle(out)
    return out


def train_span(
    examples: list[SpanExample],
    out: Path,
    params: SpanParams | None = None,
    encoder: str = "minilm",
    quiet=False,
    extra: list[SpanExample] | None = None,
    init: Path | None = None,
    device: str | None = None,
) -> dict:
    """Train a span reader on `examples` into the folder `out`; returns its metadata (also in out/span_reader.json).

    `extra` examples join after the no-answer copies are made (they bring their own, as record examples do);
    `init` is a span reader folder whose adapter training continues from (else a fresh one). `device`: where to
    train (default: a CUDA GPU when torch sees one, else the CPU); the saved adapter is the same either way.
    """
    from peft import LoraConfig, PeftModel, get_peft_model
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    params = params or SpanParams()
    if not examples:
        raise RagtuneError("span reader: no training examples")
    given = len(examples)
    examples = with_negatives(examples, params.negatives, params.negative_kind, params.seed) + list(extra or [])
    torch.manual_seed(params.seed)
    base = encoder_path(encoder)
    tok = AutoTokenizer.from_pretrained(base)
    enc = encode(tok, [e.question for e in examples], [e.context for e in examples], padding=False)
    starts, ends = labels(enc, examples)
    model = AutoModelForQuestionAnswering.from_pretrained(base)
    lora = LoraConfig(
        r=params.rank,
        lora_alpha=params.alpha,
        lora_dropout=params.dropout,
        target_modules=["query", "key", "value", "dense"],
        modules_to_save=["qa_outputs"],
    )
    model = PeftModel.from_pretrained(model, str(init), is_trainable=True) if init else get_peft_model(model, lora)
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    model.to(device)
    lengths = [len(x) for x in enc["input_ids"]]
    steps = max(1, int(params.epochs * -(-len(lengths) // params.batch_size)))
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], params.learning_rate, weight_decay=0.01)
    warm = max(1, int(params.warmup * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (steps - s) / steps))
    plan = [len(lengths), steps, asdict(params), encoder, str(init or "")]
    state = _Checkpoint(out.with_name(out.name + ".training"), plan)
    step, losses, seconds = state.restore(model, opt, sched)
    order = _schedule(lengths, steps, params)
    model.train()
    t0 = time.time() - seconds
    with progress_bar(quiet) as bar:
        task = bar.add_task("training span reader", total=steps, completed=step, info="")
        while step < steps:
            loss = _step(model, tok, enc, order[step], starts, ends, device)
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step(), sched.step(), opt.zero_grad()
            losses.append(round(loss, 4))
            step += 1
            bar.update(task, advance=1, info=f"loss {sum(losses[-20:]) / len(losses[-20:]):.3f}")
            if step % params.save_every == 0 and step < steps:
                state.save(model, opt, sched, step, losses, time.time() - t0)
    meta = {
        "encoder": encoder,
        "params": asdict(params),
        "examples": len(examples),
        "unanswerable": sum(e.answer is None for e in examples),
        "made_negatives": len(examples) - given - len(extra or []),  # no-answer copies (SpanParams.negatives)
        "extra": len(extra or []),
        "init": str(init or ""),
        "windows": len(starts),
        "steps": steps,
        "device": torch.cuda.get_device_name() if device.startswith("cuda") else "cpu",
        "train_seconds": round(time.time() - t0, 1),
        "loss": losses,
    }
    _publish(model, tok, out, meta)
    state.clear()
    return meta


def _schedule(lengths: list[int], steps: int, params: SpanParams) -> list[list[int]]:
    """The batches of every step: epoch after epoch, each shuffled with its own seed (the same plan on resume)."""
    order, epoch = [], 0
    while len(order) < steps:
        order += batches(lengths, params.batch_size, random.Random(params.seed + epoch))
        epoch += 1
    return order[:steps]


def _step(model, tok, enc, batch: list[int], starts: list[int], ends: list[int], device: str = "cpu") -> float:
    rows = [{k: enc[k][i] for k in ("input_ids", "attention_mask", "token_type_ids") if k in enc} for i in batch]
    inputs = {k: v.to(device) for k, v in tok.pad(rows, return_tensors="pt").items()}
    out = model(
        **inputs,
        start_positions=torch.tensor([starts[i] for i in batch], device=device),
        end_positions=torch.tensor([ends[i] for i in batch], device=device),
    )
    out.loss.backward()
    return float(out.loss.detach())


def _publish(model, tok, out: Path, meta: dict) -> None:
    tmp = out.with_name(out.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(str(tmp))
    (tmp / "README.md").unlink(missing_ok=True)  # PEFT's blank model card
    config = json.loads((tmp / "adapter_config.json").read_text())
    config["base_model_name_or_path"] = meta["encoder"]  # the spec, not this machine's path
    (tmp / "adapter_config.json").write_text(json.dumps(config, indent=2))
    (tmp / MARKER).write_text(json.dumps(meta))
    shutil.rmtree(out, ignore_errors=True)
    tmp.replace(out)


class _Checkpoint:
    """Trainable weights, optimizer and schedule every few steps, written atomically; gone once training ends."""

    def __init__(self, folder: Path, plan: list):
        self.folder = folder
        self.file = folder / "state.pt"
        self.plan = json.dumps(plan, sort_keys=True)  # another run's checkpoint (other data, settings) is not resumed

    def save(self, model, opt, sched, step: int, losses: list[float], seconds: float) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        trainable = {k: v for k, v in model.state_dict().items() if "lora_" in k or "modules_to_save" in k}
        state = {"model": trainable, "opt": opt.state_dict(), "sched": sched.state_dict()}
        tmp = self.file.with_suffix(".tmp")
        torch.save(state | {"plan": self.plan, "step": step, "loss": losses, "seconds": seconds}, tmp)
        tmp.replace(self.file)  # one file, one rename: never weights of one step with the count of another

    def restore(self, model, opt, sched) -> tuple[int, list[float], float]:
        if not self.file.exists():
            return 0, [], 0.0
        state = torch.load(self.file, map_location="cpu", weights_only=True)
        if state.get("plan") != self.plan:
            self.clear()
            return 0, [], 0.0
        model.load_state_dict(state["model"], strict=False)
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        return state["step"], state["loss"], state["seconds"]

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
