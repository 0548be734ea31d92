"""Is a question word that its evidence swaps for a word the embedder finds alike a contrast (a near miss) or a
paraphrase? Tried in session 28 and not shipped (docs/answers.md, "Tried in session 28").

Dev's near misses that are still answered without the check often have a word the evidence swaps for another of
its kind before the same noun: "*part-time* staff" / "*full-time* staff", "*frozen* goods" / "*chilled* goods",
"*international* trips" / "*domestic* trips". Session 25 tried any such swapped modifier as a rival and it fired
on 317 of SQuAD's answerable training questions. Here a pair counts only when MiniLM's word vectors find the two
words alike (cosine ≥ t), as co-hyponyms are. Counted, for each t: dev answers (`wording-dev.json`'s recorded
rows, without the check) that are near misses against right answers, and SQuAD training questions (the sentence of
the answer, or of the plausible answer for SQuAD 2.0's unanswerable ones): unanswerable caught against answerable
fired on. Never the test part.

    python bench/contrast.py     # ~1 min → bench/results/contrast.json
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import squad
from common import RESULTS, save, table
from probe_check import sentence_at

from ragtune import Settings, Workspace
from ragtune.retrieve.evidence import _words, same_word, value_kind
from ragtune.text import STOPWORDS

SQUAD = ("squad1-train-notre-dame.json", "squad2-train-10-articles.json")
THRESHOLDS = (0.4, 0.45, 0.5, 0.55, 0.6)
COUNTING = frozenset(
    "many much few several more most less least one per each every other another first last next new old".split()
)


def plain(word: str) -> bool:
    return word not in STOPWORDS and word not in COUNTING and not value_kind(word) and word.replace("-", "").isalpha()


def likeness(question: str, support: str, vectors) -> float:
    """The highest cosine between a question word the support lacks and a support word the question lacks, in the
    same place: before the same content word. -1 when there is no such pair."""
    q, s = [w.lower() for w in _words(question)], [w.lower() for w in _words(support)]
    best = -1.0
    for i in range(len(q) - 1):
        if not plain(q[i]) or any(same_word(q[i], x) for x in s) or q[i + 1] in STOPWORDS:
            continue
        for j in range(len(s) - 1):
            if plain(s[j]) and not any(same_word(s[j], y) for y in q) and same_word(q[i + 1], s[j + 1]):
                best = max(best, vectors(q[i], s[j]))
    return best


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        matcher = Workspace(Settings(store=Path(tmp))).table_reader.matcher

        def vectors(a: str, b: str) -> float:
            matcher.load([a, b])
            return float(np.dot(matcher._vectors[a], matcher._vectors[b]))

        dev = json.loads((RESULTS / "wording-dev.json").read_text())["rows"]
        answered = [r for r in dev if not r["abstained"] and r.get("quote")]
        scored = {"dev near misses": [], "dev right answers": [], "SQuAD unanswerable": [], "SQuAD answerable": []}
        for r in answered:
            if r["kind"].startswith("miss") or r["right"]:
                key = "dev near misses" if r["kind"].startswith("miss") else "dev right answers"
                scored[key].append(likeness(r["standalone"], r["quote"], vectors))
        for name in SQUAD:
            for article in json.loads((squad.DATA / name).read_text())["data"]:
                for p in article["paragraphs"]:
                    for qa in p["qas"]:
                        found = qa["answers"] or qa.get("plausible_answers") or []
                        if found:
                            key = "SQuAD unanswerable" if qa.get("is_impossible") else "SQuAD answerable"
                            text = sentence_at(p["context"], found[0]["answer_start"]) or ""
                            scored[key].append(likeness(qa["question"], text, vectors))
    rows = [{"set": k, "n": len(v)} | {f"≥{t}": sum(x >= t for x in v) for t in THRESHOLDS} for k, v in scored.items()]
    print(table(rows, ["set", "n", *(f"≥{t}" for t in THRESHOLDS)]))
    print(f"wrote {save('contrast', {'command': 'python bench/contrast.py', 'rows': rows})}")


if __name__ == "__main__":
    main()
