"""The trained span reader: a small encoder with a start/end head, LoRA-trained on SQuAD (`bench/train_span.py`).

It reads the question with each retrieved passage, scores every span of the passage by its start and end
logits, and scores "no answer" at the [CLS] position, as the SQuAD 2.0 systems do. Its answer is the best
span over the passages; `null - best` is its no-answer score, and a fitted threshold decides abstention.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from ragtune.index.embedders import model_path as encoder_path  # the embedder's weights are the encoder's

MARKER = "span_reader.json"  # what makes a folder a span reader: the encoder it adapts and its settings
MAX_LENGTH = 256
STRIDE = 64
MAX_ANSWER_TOKENS = 30
MAX_QUESTION = 96  # question tokens kept: the rest of the window is the passage
TOP_TOKENS = 20


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


def best_span(start, end, offsets: list, sequence_ids: list) -> tuple[float, int, int] | None:
    """The highest start + end logit over spans inside the context, as (score, first char, last char)."""
    ctx = [k for k, s in enumerate(sequence_ids) if s == 1]
    if not ctx:
        return None
    starts = sorted(ctx, key=lambda k: -float(start[k]))[:TOP_TOKENS]
    ends = sorted(ctx, key=lambda k: -float(end[k]))[:TOP_TOKENS]
    pairs = [(float(start[a] + end[b]), a, b) for a in starts for b in ends if 0 <= b - a < MAX_ANSWER_TOKENS]
    if not pairs:
        return None
    score, a, b = max(pairs)
    return score, offsets[a][0], offsets[b][1]


def whole_words(text: str, a: int, b: int) -> tuple[int, int]:
    """Character offsets widened to whole words: a span never ends inside a word ("Ke" of "Kestrel")."""
    while a > 0 and text[a - 1].isalnum() and text[a].isalnum():
        a -= 1
    while b < len(text) and text[b].isalnum() and text[b - 1].isalnum():
        b += 1
    return a, b


class SpanReader:
    """A span reader folder loaded for inference: tokenizer, encoder + LoRA adapter, fitted threshold."""

    raft = False

    def __init__(self, folder: Path):
        import torch
        from peft import PeftModel
        from transformers import AutoModelForQuestionAnswering, AutoTokenizer

        meta = json.loads((folder / MARKER).read_text())
        base = encoder_path(meta["encoder"])
        self.folder = folder
        self.name = f"span:{folder.name}"
        self.tokenizer = AutoTokenizer.from_pretrained(base)
        model = AutoModelForQuestionAnswering.from_pretrained(base)
        self.model = PeftModel.from_pretrained(model, str(folder)).eval()
        self._torch = torch
        self._lock = threading.Lock()
        fitted = folder / "abstain.json"
        self.abstain_threshold = json.loads(fitted.read_text())["threshold"] if fitted.exists() else None
        records = folder / "records.json"  # bench/fit_records.py: the threshold when it reads a table row
        self.record_threshold = json.loads(records.read_text())["threshold"] if records.exists() else None
        rank = folder / "rank.json"  # bench/fit_span.py: how much the evidence score counts beside the span's
        self.evidence_weight = json.loads(rank.read_text())["evidence_weight"] if rank.exists() else 0.0

    def _fit(self, question: str) -> str:
        """A question too long to leave room for a passage is cut to its last MAX_QUESTION tokens (where a long
        prompt puts its question)."""
        ids = self.tokenizer(question, add_special_tokens=False)["input_ids"]
        return question if len(ids) <= MAX_QUESTION else self.tokenizer.decode(ids[-MAX_QUESTION:])

    def read(self, question: str, passages: list[str]) -> list[Span]:
        """The best span of each passage (passages without one are left out), best first."""
        if not passages:
            return []
        question = self._fit(question)
        enc = encode(self.tokenizer, [question] * len(passages), passages)
        batch = {k: self._torch.tensor(enc[k]) for k in ("input_ids", "attention_mask", "token_type_ids") if k in enc}
        with self._lock, self._torch.inference_mode():
            out = self.model(**batch)
        found: dict[int, Span] = {}
        for row, p in enumerate(enc["overflow_to_sample_mapping"]):
            s, e = out.start_logits[row], out.end_logits[row]
            null = float(s[0] + e[0])
            best = best_span(s, e, enc["offset_mapping"][row], enc.sequence_ids(row))
            if best is None:
                continue
            score, a, b = best
            a, b = whole_words(passages[p], a, b)
            old = found.get(p)
            if old is None or score > old.score:
                found[p] = Span(passages[p][a:b], p, a, b, score, min(null, old.null) if old else null)
            else:
                old.null = min(old.null, null)
        return sorted(found.values(), key=lambda sp: -sp.score)
