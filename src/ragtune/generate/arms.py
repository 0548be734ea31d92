"""Arms: the ways a question can be answered, named once for the CLI, the server's models and the evaluation.

An arm says where the evidence comes from (nothing: closed-book; retrieval; the question's gold passage) and which
model reads it: `base` (the model untrained), `reader` (the trained reader, `answer.adapter`) or an adapter name.
`Workspace.answerer(arm)` is the one place that turns an arm into its answerer.
"""

from __future__ import annotations

from dataclasses import dataclass

from ragtune.errors import RagtuneError

ARMS = ("base", "rag", "ft", "ft+rag", "oracle")
BASE, READER = "base", "reader"  # the two models that are not adapters
PREFIX_FT, PREFIX_FT_RAG = "ragtune-ft:", "ragtune-ft-rag:"


@dataclass(frozen=True)
class Arm:
    """`name`: how results call it; `retrieve`: answers from evidence (else closed-book); `model`: who reads;
    `gold`: the evidence is the question's gold passage (the oracle: an upper bound for the same reader)."""

    name: str
    retrieve: bool
    model: str = BASE
    gold: bool = False

    @property
    def adapter(self) -> str | None:
        """The adapter this arm answers with, if any."""
        return None if self.model in (BASE, READER) else self.model


def parse(names: str | list[str], adapter: str | None = None, reader: bool = False) -> list[Arm]:
    """Evaluation arms from `base,rag,ft,ft+rag,oracle`: base and rag use the untrained model, ft and ft+rag the
    adapter (ft+rag: else the trained reader, when `reader` says there is one), oracle the untrained model on the
    gold passage. Unknown names, or an ft arm without its model, are one clear error."""
    wanted = [a.strip() for a in names.split(",") if a.strip()] if isinstance(names, str) else list(names)
    unknown = [a for a in wanted if a not in ARMS]
    if unknown or not wanted:
        raise RagtuneError(f"unknown arm(s) {', '.join(unknown) or '(none)'} (choose from {', '.join(ARMS)})")
    if "ft" in wanted and not adapter:
        raise RagtuneError("the ft arm needs --adapter NAME")
    if "ft+rag" in wanted and not (adapter or reader):
        raise RagtuneError("the ft+rag arm needs --adapter NAME (this model has no trained reader)")
    arms = {
        "base": Arm("base", False),
        "rag": Arm("rag", True),
        "ft": Arm("ft", False, adapter or BASE),
        "ft+rag": Arm("ft+rag", True, adapter or READER),
        "oracle": Arm("oracle", True, gold=True),
    }
    return [arms[a] for a in wanted]


def for_mode(mode: str, adapter: str | None = None) -> Arm:
    """`ragtune ask --mode rag | closed-book | ft+rag [--adapter NAME]`: rag reads with the trained reader."""
    if mode == "ft+rag":
        if not adapter:
            raise RagtuneError("--mode ft+rag needs --adapter NAME")
        return Arm("ft+rag", True, adapter)
    if mode == "closed-book":
        return Arm("ft", False, adapter) if adapter else Arm("base", False)
    return Arm("rag", True, READER)


def served(model: str, adapters: list[str]) -> Arm:
    """A model name of the server (`GET /v1/models`) → its arm; an unknown name is an error."""
    if model == "ragtune-rag":
        return Arm("rag", True, READER)
    if model == "ragtune-base":
        return Arm("base", False)
    for prefix, arm in ((PREFIX_FT_RAG, "ft+rag"), (PREFIX_FT, "ft")):
        if model.startswith(prefix) and model.removeprefix(prefix) in adapters:
            return Arm(arm, arm == "ft+rag", model.removeprefix(prefix))
    raise RagtuneError(f"unknown model {model!r}; GET /v1/models lists them")


def served_names(adapters: list[str]) -> list[str]:
    """The server's model names: the RAG and base arms, then closed-book and RAG per adapter."""
    out = ["ragtune-rag", "ragtune-base"]
    for name in adapters:
        out += [f"{PREFIX_FT}{name}", f"{PREFIX_FT_RAG}{name}"]
    return out
