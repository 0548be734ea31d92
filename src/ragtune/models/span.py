"""The trained span reader: a small encoder with a start/end head, LoRA-trained on SQuAD (`bench/train_span.py`).

It reads the question with each retrieved passage, scores every span of the passage by its start and end
logits, and scores "no answer" at the [CLS] position, as the SQuAD 2.0 systems do. Its answer is the best
span over the passages; `null - best` is its no-answer score, and a fitted threshold decides abstention.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from ragtune.index.embedders import model_path as encoder_path  # the embedder's weights are the encoder's
from ragtune.index.onnx import INPUTS, files_key, pad, session

MARKER = "span_reader.json"  # what makes a folder a span reader: the encoder it adapts and its settings
MAX_LENGTH = 256
STRIDE = 64
MAX_ANSWER_TOKENS = 30
MAX_QUESTION = 96  # question tokens kept: the rest of the window is the passage
TOP_TOKENS = 20
ONNX_FORMAT = 1  # bumped when the reader's export changes
MAX_WINDOWS = 8  # windows read per passage (~1,200 tokens): a passage is a chunk, normally one or two windows
BATCH_WINDOWS = 32  # windows per forward pass: memory stays bounded whatever was retrieved


@dataclass
class Span:
    """The best span of one passage, with that passage's no-answer score."""

    text: str
    context: int  # index into the passages read
    start: int  # character offsets into that passage
    end: int
    score: float  # start + end logit
    null: float  # the [CLS] start + end logit

    @property
    def no_answer(self) -> float:
        return self.null - self.score

    def overlaps(self, other: Span) -> bool:
        """Do the two spans share characters of the same passage?"""
        return self.context == other.context and self.start < other.end and other.start < self.end


def is_span_folder(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def encode(tokenizer, questions: list[str], contexts: list[str], padding: bool | str = True):
    """Question + context features, long contexts cut into overlapping windows (one row per window)."""
    return tokenizer(
        questions,
        contexts,
        truncation="only_second",
        max_length=MAX_LENGTH,
        stride=STRIDE,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
        padding=padding,
    )


def best_spans(start, end, offsets: list, sequence_ids: list, k: int) -> list[tuple[float, int, int]]:
    """The `k` highest start + end logits over spans inside the context, as (score, first char, last char)."""
    ctx = [t for t, s in enumerate(sequence_ids) if s == 1]
    if not ctx:
        return []
    starts = sorted(ctx, key=lambda t: -float(start[t]))[:TOP_TOKENS]
    ends = sorted(ctx, key=lambda t: -float(end[t]))[:TOP_TOKENS]
    pairs = [(float(start[a] + end[b]), a, b) for a in starts for b in ends if 0 <= b - a < MAX_ANSWER_TOKENS]
    return [(score, offsets[a][0], offsets[b][1]) for score, a, b in sorted(pairs, reverse=True)[:k]]


def whole_words(text: str, a: int, b: int) -> tuple[int, int]:
    """Character offsets widened to whole words and whole numbers: a span never ends inside a word ("Ke" of
    "Kestrel") or a number ("480" of "2,480", "5" of "3.5")."""
    a, b = min(a, len(text)), min(b, len(text))
    while a > 0:
        step = 1 if _joined(text, a - 1, a) else 2 if text[a - 1] in ",." and _digits(text, a - 2, a) else 0
        if not step:
            break
        a -= step
    while b < len(text):
        step = 1 if _joined(text, b - 1, b) else 2 if text[b] in ",." and _digits(text, b - 1, b + 1) else 0
        if not step:
            break
        b += step
    return a, b


def _joined(text: str, i: int, j: int) -> bool:
    return i >= 0 and j < len(text) and text[i].isalnum() and text[j].isalnum()


def _digits(text: str, i: int, j: int) -> bool:
    """Whether the characters at i and j are digits: a comma or point between them is inside a number."""
    return i >= 0 and j < len(text) and text[i].isdigit() and text[j].isdigit()


class SpanReader:
    """A span reader folder loaded for inference: the encoder with its LoRA merged, exported to ONNX in `home`
    (made and checked against PyTorch once, then run by ONNX Runtime without torch), or run by PyTorch when there
    is no home or no export; tokenised by `tokenizers`, as in training. Its fitted thresholds come with it."""

    raft = False

    def __init__(self, folder: Path, home: Path | None = None):
        meta = json.loads((folder / MARKER).read_text())
        self.folder = folder
        self.name = f"span:{folder.name}"
        self.windows = window_tokenizer(meta["encoder"])  # question + passage windows
        self.words = Tokenizer.from_str(self.windows.to_str())  # a question's own tokens
        self.words.no_truncation()
        self._lock = threading.Lock()
        self.logits, self.runtime_note = runtime(folder, meta["encoder"], home)
        fitted = folder / "abstain.json"
        self.abstain_threshold = json.loads(fitted.read_text())["threshold"] if fitted.exists() else None
        records = folder / "records.json"  # the threshold when it reads a table row (bench/fit_abstain_dev.py)
        self.record_threshold = json.loads(records.read_text())["threshold"] if records.exists() else None
        rank = folder / "rank.json"  # bench/fit_span.py: how much the evidence score and the answer fit count
        weights = json.loads(rank.read_text()) if rank.exists() else {}
        self.evidence_weight = weights.get("evidence_weight", 0.0)
        self.kind_weight = weights.get("kind_weight", 0.0)

    def _fit(self, question: str) -> str:
        """A question too long to leave room for a passage is cut to its last MAX_QUESTION tokens (where a long
        prompt puts its question)."""
        ids = self.words.encode(question, add_special_tokens=False).ids
        return question if len(ids) <= MAX_QUESTION else self.words.decode(ids[-MAX_QUESTION:])

    def read(self, question: str, passages: list[str], per_passage: int = 1) -> list[Span]:
        """The best span of each passage (passages without one are left out), best first; with `per_passage` > 1,
        that many different spans of each passage."""
        if not passages:
            return []
        with self._lock:
            question = self._fit(question)
            encodings = self.windows.encode_batch([(question, t) for t in passages])
            rows = [(p, w) for p, e in enumerate(encodings) for w in (e, *e.overflowing[: MAX_WINDOWS - 1])]
            outs = [
                self.logits(pad([w for _, w in rows[i : i + BATCH_WINDOWS]], set(INPUTS)))
                for i in range(0, len(rows), BATCH_WINDOWS)
            ]
            start = [row for out in outs for row in out[0]]
            end = [row for out in outs for row in out[1]]
        found: dict[int, dict[tuple[int, int], float]] = {}
        nulls: dict[int, float] = {}
        for row, (p, window) in enumerate(rows):
            s, e = start[row], end[row]
            best = best_spans(s, e, window.offsets, window.sequence_ids, 4 * per_passage)
            if best:
                nulls[p] = min(nulls.get(p, np.inf), float(s[0] + e[0]))
            for score, a, b in best:
                a, b = whole_words(passages[p], a, b)
                spans = found.setdefault(p, {})
                spans[(a, b)] = max(score, spans.get((a, b), -np.inf))
        out = []
        for p, spans in found.items():
            ranked = sorted(spans.items(), key=lambda kv: -kv[1])[:per_passage]
            out += [Span(passages[p][a:b], p, a, b, score, nulls[p]) for (a, b), score in ranked]
        return sorted(out, key=lambda sp: -sp.score)


Logits = Callable[[dict[str, np.ndarray]], tuple[np.ndarray, np.ndarray]]
PROBE = ("When does the contract end?", "The contract with Nordhavn Polymers runs until 31 March 2029. " * 3)


def runtime(folder: Path, encoder: str, home: Path | None) -> tuple[Logits, str]:
    """Start and end logits of padded windows: the folder's ONNX export in `home` (made on first use), else the
    encoder + adapter in PyTorch."""
    if home is not None:
        path = home / "onnx" / f"span-{export_key(folder, encoder)}.onnx"
        if not path.exists():
            try:
                export(folder, encoder, path)
            except Exception as exc:  # an encoder the exporter cannot trace, or no onnxruntime: PyTorch reads
                return torch_logits(folder, encoder), f"PyTorch: ONNX export failed ({type(exc).__name__}: {exc})"
        run = session(path)
        return lambda feed: tuple(run.run(["start_logits", "end_logits"], feed)), f"ONNX Runtime ({path.stem})"
    return torch_logits(folder, encoder), "PyTorch: no model home given"


def export_key(folder: Path, encoder: str) -> str:
    """An export's name: the reader folder's files and the encoder's (name, size, time)."""
    return files_key(f"span:{ONNX_FORMAT}", folder, Path(encoder_path(encoder)))


def window_tokenizer(encoder: str) -> Tokenizer:
    """The encoder's tokenizer cutting question + passage into the overlapping windows the reader was trained on."""
    tokenizer = Tokenizer.from_file(str(Path(encoder_path(encoder)) / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_LENGTH, stride=STRIDE, strategy="only_second")
    return tokenizer


def torch_model(folder: Path, encoder: str):
    """The encoder with the folder's LoRA adapter merged into it, in PyTorch."""
    from peft import PeftModel
    from transformers import AutoModelForQuestionAnswering

    model = AutoModelForQuestionAnswering.from_pretrained(encoder_path(encoder))
    return PeftModel.from_pretrained(model, str(folder)).merge_and_unload().eval()


def torch_logits(folder: Path, encoder: str) -> Logits:
    import torch

    model = torch_model(folder, encoder)

    def logits(feed: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        with torch.inference_mode():
            out = model(**{k: torch.from_numpy(v) for k, v in feed.items()})
        return out.start_logits.numpy(), out.end_logits.numpy()

    return logits


def export(folder: Path, encoder: str, path: Path) -> None:
    """Export the merged model by `torch.onnx`; kept only if its logits match PyTorch's (within 1e-3) on a probe."""
    import warnings

    import torch

    model = torch_model(folder, encoder)
    feed = pad([window_tokenizer(encoder).encode(*PROBE)], set(INPUTS))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on Python control flow
        torch.onnx.export(
            model,
            tuple(torch.from_numpy(feed[k]) for k in INPUTS),
            str(tmp),
            input_names=list(INPUTS),
            output_names=["start_logits", "end_logits"],
            dynamic_axes={k: {0: "batch", 1: "tokens"} for k in (*INPUTS, "start_logits", "end_logits")},
            opset_version=17,
            dynamo=False,
        )
        want = model(**{k: torch.from_numpy(v) for k, v in feed.items()})
    got = session(tmp).run(["start_logits", "end_logits"], feed)
    pairs = zip(got, (want.start_logits, want.end_logits), strict=True)
    diff = max(float(np.abs(g - w.numpy()).max()) for g, w in pairs)
    if diff > 1e-3:
        tmp.unlink()
        raise ValueError(f"the export's logits differ from PyTorch's by {diff:.4f}")
    tmp.replace(path)  # atomic: a killed export leaves no half file under the final name
