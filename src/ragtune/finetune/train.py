"""LoRA fine-tuning with PEFT + TRL's SFTTrainer: closed-book or RAFT examples, continual from a parent adapter.

Each run trains in `store/adapters/<name>.training/` (checkpoints every N steps, so `--resume` continues a
killed run) and, when done, moves the adapter to `store/adapters/<name>/` with its lineage, and records it
in the manifest: parent adapter, data versions, hyper-parameters, metrics, time.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from transformers import TrainerCallback

from ragtune.console import progress as progress_bar
from ragtune.errors import RagtuneError
from ragtune.files import write_atomic
from ragtune.memory import peak_rss_mb, reset_peak
from ragtune.prompts import render

if TYPE_CHECKING:
    from ragtune.finetune.adapters import Adapters
    from ragtune.finetune.data import Datasets
    from ragtune.retrieve.retriever import Retriever

LORA_TARGETS = {
    "llama": ["q_proj", "k_proj", "v_proj", "o_proj"],
    "gemma3_text": ["q_proj", "k_proj", "v_proj", "o_proj"],
    "qwen2": ["q_proj", "k_proj", "v_proj", "o_proj"],
    "gpt2": ["c_attn", "c_proj"],
}


@dataclass
class TrainParams:
    """Hyper-parameters of one run (saved with the adapter)."""

    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: list[str] | None = None  # None: per architecture (LORA_TARGETS), else all linear layers
    top_layers: int | None = None  # LoRA on the last N layers only: no backward pass below them (faster on CPU)
    learning_rate: float = 1e-3
    epochs: float = 3.0
    max_steps: int = -1
    batch_size: int = 4
    grad_accum: int = 1
    max_length: int = 384
    save_steps: int = 20
    replay: float = 0.2  # share of earlier data versions mixed in when continuing from a parent
    qlora: bool = False  # 4-bit base (bitsandbytes, CUDA only)
    raft: bool = False
    raft_p_oracle: float = 0.8
    # also learn to write answers from the evidence in the data's words (Answerer.write): from the rows marked
    # `house` (a log of the house's answers), else from all rows
    write: bool = False
    seed: int = 0


def examples(
    rows: list[dict], params: TrainParams, chat: bool = False, retriever: Retriever | None = None
) -> list[dict]:
    """prompt/completion pairs: the closed-book prompt, or (RAFT) the reader's RAG prompt over the evidence that
    `retriever` finds.

    With `chat` (the model has a chat template) they are conversations, so training sees what answering sees.
    """
    if params.raft:
        from ragtune.finetune.synth import raft

        if retriever is None:
            raise RagtuneError("RAFT training needs a retriever over the ingested corpus")
        pairs = [(r["prompt"], r["target"]) for r in raft(retriever, rows, params.raft_p_oracle, params.seed)]
    else:
        pairs = [(render("closed-book", question=r["question"]), r["answer"]) for r in rows if r["answer"]]
    if params.write:
        if retriever is None:
            raise RagtuneError("training a writer needs a retriever over the ingested corpus")
        house = [r for r in rows if r["answer"] and r.get("house")]  # the house's own answers teach its phrasing
        pairs += writing(retriever, house or [r for r in rows if r["answer"]])
    if chat:
        return [
            {"prompt": [{"role": "user", "content": p}], "completion": [{"role": "assistant", "content": c}]}
            for p, c in pairs
        ]
    return [{"prompt": p, "completion": " " + c} for p, c in pairs]


def writing(retriever: Retriever, rows: list[dict]) -> list[tuple[str, str]]:
    """Writer examples: the question over its evidence (the row's own context, else the retrieved sentence that
    shares most words with the answer) → the answer in the data's words."""
    from ragtune.generate.answer import Answerer
    from ragtune.generate.support import overlap

    out = []
    for r, found in zip(rows, retriever.retrieve([r["question"] for r in rows]), strict=True):
        best = max(found.evidence, key=lambda e: overlap(r["answer"], e.text), default=None)
        quotes = [r["context"]] if r.get("context") else [best.text] if best else []
        out.append((Answerer.write_prompt(r["question"], quotes), r["answer"]))
    return out


def _targets(model, params: TrainParams):
    if params.target_modules:
        return params.target_modules
    return LORA_TARGETS.get(model.config.model_type, "all-linear")


def _layers(model, params: TrainParams) -> list[int] | None:
    n = model.config.num_hidden_layers
    return list(range(max(0, n - params.top_layers), n)) if params.top_layers else None


def _load_base(path: str, device: str, qlora: bool = False):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    model = _load_4bit(path, device) if qlora else AutoModelForCausalLM.from_pretrained(path, dtype=dtype).to(device)
    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


def _load_4bit(path: str, device: str):
    """QLoRA: the base quantised to 4-bit NF4 with bitsandbytes, prepared for k-bit training."""
    import importlib.util

    if device != "cuda" or importlib.util.find_spec("bitsandbytes") is None:
        raise RagtuneError("QLoRA needs a CUDA GPU and the bitsandbytes package; train without --qlora here")
    from peft import prepare_model_for_kbit_training
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    quant = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16)
    model = AutoModelForCausalLM.from_pretrained(path, quantization_config=quant, device_map={"": 0})
    return prepare_model_for_kbit_training(model)


def finetune(
    datasets: Datasets,
    adapters: Adapters,
    default_base: str,
    retriever: Callable[[], Retriever] | None = None,
    data: str | None = None,
    base: str | None = None,
    parent: str | None = None,
    params: TrainParams | None = None,
    name: str | None = None,
    resume: bool = False,
    quiet: bool = False,
) -> dict:
    """Train an adapter on a version of `datasets` into `adapters`; returns its catalogue record. The base model is
    `base`, else the parent's, else `default_base`; `retriever()` gives the retriever RAFT examples are made with.
    `resume` continues the unfinished run `name` (or the only one).

    Under `accelerate launch` every process runs this (data parallel: each trains on its shard, gradients are
    averaged); only the main process saves the adapter, and the others return an empty record."""
    from transformers.trainer_callback import PrinterCallback
    from trl import SFTTrainer

    from ragtune.models.bundled import resolve
    from ragtune.models.hf import pick_device

    if resume:
        name, run = adapters.unfinished(name)
        data, base, parent, params = run["data"], run["base"], run["parent"], TrainParams(**run["params"])
    params = params or TrainParams()
    version = datasets.resolve(data)
    parent_rec = adapters.get(parent) if parent else None
    base = base or (parent_rec["base"] if parent_rec else default_base)
    if parent_rec and parent_rec["base"] != base:
        raise RagtuneError(f"adapter '{parent}' was trained on {parent_rec['base']}, not {base}")
    name = name or adapters.next_name()
    work = adapters.root / f"{name}.training"
    if not resume and (adapters.root / name).exists():
        raise RagtuneError(f"adapter '{name}' exists; pick another --name or `ragtune adapters rm {name}`")
    work.mkdir(parents=True, exist_ok=True)
    run = {"data": version, "base": base, "parent": parent, "params": asdict(params)}
    write_atomic(work / "run.json", json.dumps(run, indent=2))

    rows, lineage_data = _with_replay(datasets, version, parent_rec, params)
    inherited = set(datasets.labels(version)) | set(parent_rec["groups"] if parent_rec else [])
    run["groups"] = sorted(inherited)  # who may use the adapter: whoever may see every document it learnt from
    device = pick_device(adapters.device)
    model, tokenizer = _load_base(resolve(base, adapters.home), device, params.qlora)
    evidence = params.raft or params.write  # examples over retrieved evidence: chat-formatted, as answering is
    chat = bool(tokenizer.chat_template) and evidence
    found = retriever().scoped(["", *inherited]) if evidence and retriever else None  # no other group's text
    train = examples(rows, params, chat, found)
    if not train:
        raise RagtuneError(
            f"dataset {version} gives no training examples" + (" with contexts for RAFT" if params.raft else "")
        )
    model = _adapted(model, parent_rec, params)

    from datasets import Dataset

    config = _sft_config(work, params, device)
    trainer = SFTTrainer(model=model, args=config, train_dataset=Dataset.from_list(train), processing_class=tokenizer)
    trainer.remove_callback(PrinterCallback)  # no raw {'loss': ...} dict per step: one bar with the loss instead
    checkpoint = last_complete_checkpoint(work / "checkpoints") if resume else None
    t0 = time.perf_counter()
    reset_peak()
    main_process = trainer.is_world_process_zero()  # under `accelerate launch`, one of several
    with progress_bar(quiet or not main_process) as bar:
        trainer.add_callback(LossBar(bar, name))
        result = trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    seconds = time.perf_counter() - t0
    losses = [{"step": h["step"], "loss": h["loss"]} for h in trainer.state.log_history if "loss" in h]
    metrics = {
        "train_seconds": round(seconds, 1),
        "steps": result.global_step,
        "examples": len(train),
        "final_loss": losses[-1]["loss"] if losses else None,
        "device": device,
        "peak_memory_mb": _peak_memory_mb(device),
        "resumed_from_step": int(checkpoint.name.split("-")[1]) if checkpoint else None,
        "processes": config.world_size,
    }
    if not main_process:
        return {}  # the main process saves and records the adapter
    return adapters.finish(name, work, model, run | {"data": lineage_data}, metrics, losses)


def _with_replay(datasets: Datasets, version: str, parent: dict | None, params: TrainParams) -> tuple[list, list]:
    """The rows to train on (the version's, plus a `replay` share of the parent's earlier data, so that what it
    learnt stays) and the data versions the adapter's lineage records."""
    rows = datasets.rows(version)
    if not parent:
        return rows, [version]
    earlier = json.loads(parent["data"])
    pool = [r for v in earlier for r in datasets.rows(v)]
    random.Random(params.seed).shuffle(pool)
    return rows + pool[: int(len(rows) * params.replay)], [*earlier, version]


def _adapted(model, parent: dict | None, params: TrainParams):
    """The base model with trainable LoRA weights: the parent adapter's, to continue it, else new ones."""
    from peft import LoraConfig, PeftModel, get_peft_model

    if parent:
        return PeftModel.from_pretrained(model, parent["path"], is_trainable=True)
    lora = LoraConfig(
        r=params.r,
        lora_alpha=params.alpha,
        lora_dropout=params.dropout,
        target_modules=_targets(model, params),
        layers_to_transform=_layers(model, params),
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, lora)


def _sft_config(work: Path, params: TrainParams, device: str):
    """TRL's settings for one run: checkpoints in `work`, the loss on the answer tokens only."""
    from trl import SFTConfig

    return SFTConfig(
        output_dir=str(work / "checkpoints"),
        per_device_train_batch_size=params.batch_size,
        gradient_accumulation_steps=params.grad_accum,
        num_train_epochs=params.epochs,
        max_steps=params.max_steps,
        learning_rate=params.learning_rate,
        lr_scheduler_type="constant",
        logging_steps=1,
        save_steps=params.save_steps,
        save_total_limit=2,
        report_to=[],
        bf16=device == "cuda",
        use_cpu=device == "cpu",
        max_length=params.max_length,
        completion_only_loss=True,
        seed=params.seed,
        train_sampling_strategy="group_by_length" if params.write else "random",  # short and long examples apart
        dataloader_num_workers=0,
        save_only_model=False,
        disable_tqdm=True,
    )


class LossBar(TrainerCallback):
    """Moves one progress bar on stderr, with the latest loss in its postfix."""

    def __init__(self, bar, name: str):
        self.bar, self.name, self.task = bar, name, None

    def on_train_begin(self, args, state, control, **kwargs):
        self.task = self.bar.add_task(
            f"fine-tune {self.name}", total=state.max_steps, completed=state.global_step, info=""
        )

    def on_log(self, args, state, control, logs=None, **kwargs):
        if self.task is not None and logs and "loss" in logs:
            self.bar.update(self.task, info=f"loss {float(logs['loss']):.3f}")

    def on_step_end(self, args, state, control, **kwargs):
        if self.task is not None:
            self.bar.update(self.task, completed=state.global_step)


def last_complete_checkpoint(folder: Path) -> Path | None:
    """The newest checkpoint whose trainer_state.json (written last by the Trainer) is whole.

    Checkpoints cut off mid-write by a crash are deleted, so training redoes those steps.
    """
    for ckpt in sorted(folder.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1]), reverse=True):
        try:
            json.loads((ckpt / "trainer_state.json").read_text())
            return ckpt
        except (OSError, ValueError):
            shutil.rmtree(ckpt, ignore_errors=True)
    return None


def _peak_memory_mb(device: str) -> float:
    """The training's peak: GPU memory allocated, or on a CPU this process's resident memory since training began
    (`reset_peak`; the models a comparison loaded earlier stay in it, the peaks of its earlier steps do not)."""
    if device == "cuda":
        return round(torch.cuda.max_memory_allocated() / 2**20, 1)
    return peak_rss_mb()
