"""The SQuAD subsets in ../shared/data, read by ragtune's own loader, laid out as a corpus of text files."""

from __future__ import annotations

from pathlib import Path

from ragtune.evaluate import questions as squad_questions

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SUBSETS = {
    "super-bowl-50": "squad1-dev-super-bowl-50.json",
    "notre-dame": "squad1-train-notre-dame.json",
    "ten-articles": "squad2-train-10-articles.json",
}


def load(name: str) -> tuple[list[str], list[dict]]:
    """Paragraphs, and questions as {"id", "question", "answers", "paragraph" (index), "impossible"}."""
    path = DATA / SUBSETS[name]
    rows = [
        {
            "id": q.id,
            "question": q.question,
            "answers": q.answers,
            "paragraph": int(Path(q.source or "p0").stem[1:]),
            "impossible": q.impossible,
        }
        for q in squad_questions.load(path)
    ]
    return squad_questions.paragraphs(path), rows


def write_corpus(paragraphs: list[str], folder: Path) -> list[str]:
    """One text file per paragraph (`p0000.txt`, …, the names `questions.squad` gives as sources)."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for i, text in enumerate(paragraphs):
        name = f"p{i:04d}.txt"
        (folder / name).write_text(text + "\n")
        names.append(name)
    return names
