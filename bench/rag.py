"""Issue-2 benchmark on the SQuAD subsets: ingest throughput, search latency and hit@k, answer accuracy.

    python bench/rag.py                       # Super Bowl 50 (dev), 200 answered questions, ~8 min on 2 cores
    python bench/rag.py --subset notre-dame --questions 0   # all questions

Prints tables and writes bench/results/rag-<subset>.json. The answer section puts ragtune's full RAG
answer beside the naive baseline: SmolLM2 given the *gold* paragraph in a plain Context/Question/Answer
prompt, cut at the first newline.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import squad
from common import percentile, save, squad_workspace, table

from ragtune.evaluate.metrics import exact_match, f1, gold_rank, retrieval_scores
from ragtune.prompts import render


def retrieval(ws, names: list[str], questions: list[dict]) -> list[dict]:
    retriever = ws.retriever
    rows = []
    for mode in ("bm25", "dense", "hybrid"):
        ranks, times = [], []
        for q in questions:
            t = time.perf_counter()
            result = retriever.search(q["question"], top_k=10, mode=mode)
            times.append(1000 * (time.perf_counter() - t))
            ranks.append(gold_rank([Path(p.source).name for p in result.passages], names[q["paragraph"]]))
        scores = retrieval_scores(ranks)
        del scores["n"]
        rows.append({"mode": mode, **scores, "p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95)})
    return rows


def answers(ws, paragraphs: list[str], questions: list[dict], batch: int) -> list[dict]:
    naive, rag, times_naive, times_rag = [], [], [], []
    answerer = ws.answerer()
    for i in range(0, len(questions), batch):
        chunk = questions[i : i + batch]
        prompts = [render("naive", context=paragraphs[q["paragraph"]], question=q["question"]) for q in chunk]
        t = time.perf_counter()
        naive += ws.llm.complete(prompts, 32, ["\n"])
        times_naive.append((time.perf_counter() - t) / len(chunk))
        t = time.perf_counter()
        rag += answerer.ask_many([q["question"] for q in chunk])
        times_rag.append((time.perf_counter() - t) / len(chunk))
    rows = []
    rag_preds = [a.text for a in rag]
    for arm, preds, times in (
        ("naive + gold paragraph", naive, times_naive),
        ("ragtune RAG (retrieved)", rag_preds, times_rag),
    ):
        rows.append(
            {
                "arm": arm,
                "n": len(questions),
                "EM": statistics.mean(exact_match(p, q["answers"]) for p, q in zip(preds, questions, strict=True)),
                "F1": statistics.mean(f1(p, q["answers"]) for p, q in zip(preds, questions, strict=True)),
                "abstained": sum(not p for p in preds) / len(preds),
                "s/question": statistics.mean(times),
            }
        )
    cited_gold = [
        a.citations[0].source.endswith(f"p{q['paragraph']:04d}.txt")
        for a, q in zip(rag, questions, strict=True)
        if not a.abstained
    ]
    rows[1]["citation_precision"] = sum(cited_gold) / max(len(cited_gold), 1)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--subset", default="super-bowl-50", choices=sorted(squad.SUBSETS))
    ap.add_argument("--questions", type=int, default=200, help="answered questions, evenly sampled (0: all)")
    ap.add_argument("--batch", type=int, default=8)
    args = ap.parse_args()
    ws, names, questions, ingest = squad_workspace(args.subset)
    rows = ws.store.count()
    print(
        f"\n## Ingest ({args.subset}): {ingest['paragraphs']} files, {ingest['chunks']} chunks ({rows} stored rows "
        f"with sentences and summaries) in {ingest['ingest_s']:.1f} s = {ingest['chunks'] / ingest['ingest_s']:.1f} "
        f"chunks/s, {rows / ingest['ingest_s']:.0f} rows/s"
    )
    ret = retrieval(ws, names, questions)
    print(f"\n## Retrieval of the gold paragraph, {len(questions)} questions\n")
    print(table(ret, ["mode", "hit@1", "hit@5", "mrr@10", "p50_ms", "p95_ms"]))
    print("(LlamaIndex on the same questions: python bench/peers.py)")
    paragraphs, _ = squad.load(args.subset)
    step = max(1, len(questions) // args.questions) if args.questions else 1
    sample = questions[::step][: args.questions or None]
    ans = answers(ws, paragraphs, sample, args.batch)
    print(f"\n## Answers, {len(sample)} questions (every {step}th), SmolLM2-135M\n")
    print(table(ans, ["arm", "n", "EM", "F1", "abstained", "s/question"]))
    print(f"citation precision (cited source is the gold paragraph): {ans[1]['citation_precision']:.3f}")
    path = save(
        f"rag-{args.subset}",
        {
            "subset": args.subset,
            "ingest": ingest | {"rows": rows},
            "retrieval": ret,
            "answers": ans,
            "questions_step": step,
        },
    )
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
