"""Does an answer's value fit what the question asks for? A small learned model over the embedder's vectors.

"What is Dr Ellery's email address?" answered with `site: Church Street`, or "What does the roadwork cost?" with
`contractor: AquaNet`: the field reader found the right row and picked a field of the wrong kind. Word rules
("cost" → a money field) break on the next wording, so this is learned: a few one-hidden-layer networks over the
question's vector `q`, the answer's vector `v` (`field words: value` for a table answer, the answer's words
otherwise) and `q * v`, trained by bench/fit_answerfit.py on synthetic table rows (the record generator's attribute
bank, its values and wordings) and SQuAD *training* answers, never on bench/wording. A table answer below its
`floor` is withheld (`evidence.NearMiss.why`). As a feature of the near-miss model it was tried and dropped: its
leave-one-organisation-out scores fell. Prose and SQL answers are not gated: read without a field, the model
tells SQuAD answers from other answers of their article only at AUC 0.71.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ragtune.index.base import Embedder

MODEL = Path(__file__).with_name("answerfit.npz")
LAYERS = ("w1", "b1", "w2", "b2")


@dataclass
class AnswerFit:
    """An ensemble of networks: layer weights `w1` (n, 3d, h), `b1` (n, h), `w2` (n, h), `b2` (n,). Below `floor`
    a table field does not answer the question: the probability under which a set budget of right fields scored,
    in a fit that had not seen their attributes (bench/fit_answerfit.py). It reads the vectors of one `embedder`
    (its spec, as `create_embedder` takes it) and serves no other."""

    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    floor: float = 0.0
    embedder: str = "minilm"

    @classmethod
    def load(cls, path: Path) -> AnswerFit | None:
        if not Path(path).is_file():
            return None
        with np.load(path) as z:
            return cls(*(z[k].astype(np.float32) for k in LAYERS), float(z["floor"]), str(z["embedder"]))

    def save(self, path: Path) -> None:
        layers = {k: getattr(self, k).astype(np.float16) for k in LAYERS}
        np.savez_compressed(path, floor=self.floor, embedder=self.embedder, **layers)

    def serves(self, embedder: Embedder) -> bool:
        """Whether it reads this embedder's vectors: the one it was trained on (a fake, another model or its int8
        export gets no answer-fit check)."""
        return embedder.name == self.embedder and 3 * embedder.dim == self.w1.shape[1]

    @staticmethod
    def inputs(q: np.ndarray, v: np.ndarray) -> np.ndarray:
        """The networks' input for question vectors `q` and answer vectors `v` (rows, unit length)."""
        q, v = np.atleast_2d(q), np.atleast_2d(v)
        return np.hstack([q, v, q * v]).astype(np.float32)

    def probability(self, q: np.ndarray, v: np.ndarray) -> np.ndarray:
        """P(the answer is of the kind the question asks for), the ensemble's mean, one per row."""
        return self.forward(self.inputs(q, v))

    def forward(self, x: np.ndarray) -> np.ndarray:
        """`probability` of prepared inputs (`inputs`)."""
        hidden = np.maximum(np.einsum("nd,edh->enh", x, self.w1) + self.b1[:, None, :], 0.0)
        logits = np.einsum("enh,eh->en", hidden, self.w2) + self.b2[:, None]
        return (1.0 / (1.0 + np.exp(-logits))).mean(axis=0)


@cache
def shipped() -> AnswerFit | None:
    """The package's fitted model (retrieve/answerfit.npz), read once per process; None without one."""
    return AnswerFit.load(MODEL)
