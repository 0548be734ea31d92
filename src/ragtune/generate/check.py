"""A second reading by a larger model: does the evidence answer exactly the question asked? (`answer.check`)

The span reader matches words: it answers "What meal allowance do drivers get on international trips?" from the
sentence about domestic trips, and withholds "How tall may a pallet be?" from "180 cm high". An instruction-tuned
model asked, yes or no, whether the text states the answer to exactly this question tells these apart far better
(over the wording bench's dev prose answers, Qwen2.5-Coder-1.5B's doubt ranks near misses above answerable
questions with an AUC of 0.96, the span reader's no-answer score 0.74). With a check, its doubt decides whether a
prose or table-row answer stands, in place of the span reader's no-answer threshold; the other near-miss rules
stay. It costs a forward pass of that model per answer and its memory (docs/answers.md), so it is opt-in.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ragtune.prompts import render

FITTED = Path(__file__).with_name("check.json")  # per model: the threshold bench/fit_check.py fitted on dev
DEFAULT_THRESHOLD = 0.0  # a model with no fitted threshold: withhold when it says "no" more than "yes"


class EvidenceCheck:
    """`doubt(question, evidence)`: log P(no) − log P(yes) of `llm`'s reply; over `threshold`, the answer is
    withheld (`why` says so)."""

    def __init__(self, llm, threshold: float | None = None):
        self.llm = llm
        self.threshold = fitted_threshold(llm.name) if threshold is None else threshold

    def doubt(self, question: str, evidence: str) -> float:
        prompt = render("check", evidence=evidence.strip(), question=question.strip())
        (yes, _), (cap_yes, _), (no, _), (cap_no, _) = self.llm.score(prompt, ["yes", "Yes", "no", "No"], chat=True)
        return round(float(np.logaddexp(no, cap_no) - np.logaddexp(yes, cap_yes)), 3)

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
