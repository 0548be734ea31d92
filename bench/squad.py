"""Load the SQuAD subsets in ../shared/data and lay their paragraphs out as a corpus of text files."""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SUBSETS = {"super-bowl-50": "squad1-dev-super-bowl-50.json", "notre-dame": "squad1-train-notre-dame.json"}


def load(name: str) -> tuple[list[str], list[dict]]:
    """Paragraphs, and questions as {"question", "answers", "paragraph"} (index into paragraphs)."""
    data = json.loads((DATA / SUBSETS[name]).read_text())
    paragraphs, questions = [], []
    for article in data["data"]:
        for para in article["paragraphs"]:
            for qa in para["qas"]:
                answers = [a["text"] for a in qa.get("answers", [])]
                questions.append(
                    {
                        "id": qa["id"],
                        "question": qa["question"],
                        "answers": answers,
                        "paragraph": len(paragraphs),
                        "impossible": qa.get("is_impossible", False),
                    }
                )
            paragraphs.append(para["context"])
    return paragraphs, questions


def write_corpus(paragraphs: list[str], folder: Path) -> list[str]:
    """One text file per paragraph; returns the file names in paragraph order."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for i, text in enumerate(paragraphs):
        name = f"p{i:04d}.txt"
        (folder / name).write_text(text + "\n")
        names.append(name)
    return names
