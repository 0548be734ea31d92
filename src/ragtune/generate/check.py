"""A second reading by a larger model: does the evidence answer exactly the question asked? (`answer.check`)

The span reader matches words: it answers "What meal allowance do drivers get on international trips?" from the
sentence about domestic trips, and withholds "How tall may a pallet be?" from "180 cm high". An instruction-tuned
model asked, yes or no, whether the text states the answer to exactly this question tells these apart far better
(over the wording bench's dev prose answers, Qwen2.5-Coder-1.5B's doubt ranks near misses above answerable
questions with an AUC of 0.96, the span reader's no-answer score 0.74). With a check, its doubt decides whether a
prose or table-row answer stands, in place of the span reader's no-answer threshold; the other near-miss rules
stay. It costs a forward pass of that model per answer and its memory (docs/answers.md), so it is opt-in.

The same model also chooses a table row's field (`choose`): the span reader reads `abv_pct: 5.6` as words and
finds nothing in it for "How strong is Night Heron?"; asked which field of the row holds the answer, the model
names `abv_pct`. And it picks how much of a sentence answers (`pick`): the span reader's best span is often part
of the answer ("0142" of a phone number, "Germany" of three countries); the model, scoring each of the spans
that overlap it as its whole reply, prefers the answer whole.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from ragtune.prompts import render
from ragtune.tables.base import record_text

FITTED = Path(__file__).with_name("check.json")  # per model: the threshold bench/fit_check.py fitted on dev
DEFAULT_THRESHOLD = 0.0  # a model with no fitted threshold: withhold when it says "no" more than "yes"
FIELD_DOUBT = math.log(2)  # −log P(field) over which a chosen field is unsure: the model gave it less than half


class EvidenceCheck:
    """`doubt(question, evidence)`: log P(no) − log P(yes) of `llm`'s reply; over `threshold`, the answer is
    withheld (`why` says so). `choose(question, table, record)`: the field the model names; over `field_doubt`,
    it is unsure."""

    field_doubt = FIELD_DOUBT

    def __init__(self, llm, threshold: float | None = None, adapter: Path | None = None):
        self.llm = llm
        # the view of the model that says yes or no: with `adapter` (bench/train_check.py) on top, else the model
        self.judge = llm.adapted(str(adapter), "check") if adapter else llm
        self.key = f"{llm.name}+{adapter.name}" if adapter else llm.name  # what the threshold was fitted for
        self.threshold = fitted_threshold(self.key) if threshold is None else threshold

    @property
    def name(self) -> str:
        return self.llm.name

    def doubt(self, question: str, evidence: str) -> float:
        prompt = render("check", evidence=evidence.strip(), question=question.strip())
        (yes, _), (cap_yes, _), (no, _), (cap_no, _) = self.judge.score(prompt, ["yes", "Yes", "no", "No"], chat=True)
        return round(float(np.logaddexp(no, cap_no) - np.logaddexp(yes, cap_yes)), 3)

    def choose(self, question: str, table: str, record: dict) -> tuple[float, str] | None:
        """The field of `record` that the model names as holding the answer, as (−log P(the reply is its name),
        field); None for a record without fields. The reply's probability is over every reply, so a question that
        no field answers leaves it low."""
        fields = [k for k, v in record.items() if v not in (None, "")]
        if not fields:
            return None
        prompt = render("choose", table=table, row=record_text(record), question=question.strip())
        logp = [s for s, _ in self.llm.score(prompt, fields, chat=True)]
        best = int(np.argmax(logp))
        return round(-float(logp[best]), 3), fields[best]

    def pick(self, question: str, text: str, options: list[str]) -> tuple[float, int] | None:
        """Which of `options` (spans of `text`) the model gives as its whole reply to the question over `text`:
        (its share of the probability the model gives all of them, its index); None without options. Each option is
        scored up to the end of the reply, so a part of an answer ("0142" of "+31 10 555 0142") does not win by being
        short."""
        if not options:
            return None
        end = getattr(getattr(self.llm, "tokenizer", None), "eos_token", None) or ""
        prompt = render("pick", text=text.strip(), question=question.strip())
        logp = np.array([s for s, _ in self.llm.score(prompt, [o + end for o in options], chat=True)])
        best = int(np.argmax(logp))
        return round(float(np.exp(logp[best] - np.logaddexp.reduce(logp))), 3), best

    def why(self, doubt: float) -> str:
        """ "" when the answer stands, else the reason."""
        if doubt <= self.threshold:
            return ""
        said = f"doubt {doubt:.2f} > {self.threshold:.2f}"
        return f"{self.llm.name} reads the evidence as not answering this question ({said})"


def fitted_threshold(model: str) -> float:
    """The threshold fitted for `model` (generate/check.json), else `DEFAULT_THRESHOLD`."""
    fitted = json.loads(FITTED.read_text()) if FITTED.is_file() else {}
    return float(fitted.get(model, {}).get("threshold", DEFAULT_THRESHOLD))
