"""Hybrid retrieval: BM25 and dense lists fused by weighted reciprocal rank, plus document summaries."""

from __future__ import annotations

import copy
import json
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

from ragtune.index.base import Filter, access_filter
from ragtune.retrieve import answerfit, roles
from ragtune.retrieve import evidence as ev
from ragtune.retrieve.base import Passage, SearchResult
from ragtune.text import sentences

if TYPE_CHECKING:
    from ragtune.catalog import Catalog
    from ragtune.config import RetrieveConfig
    from ragtune.index.base import Embedder, VectorStore
    from ragtune.lock import ReadWriteLock

__all__ = ["Passage", "Retriever", "SearchResult"]

COLUMNS = {"source", "type", "doc_id", "locator", "heading"}
MODES = ("dense", "bm25", "hybrid")
PASSAGE_COLUMNS = ("id", "doc_id", "source", "locator", "text", "heading", "type", "records")
ROW_COLUMNS = [*PASSAGE_COLUMNS, "vector"]
SENTENCE_FETCH = 2  # sentence hits fetched per candidate chunk wanted (several sentences share a chunk); 4 found
# the same hit@1/hit@5/MRR on the SQuAD training subsets
WORD_SIMILAR = 0.7  # embedder cosine at which a question word counts as said by a word of the evidence
POOL = ThreadPoolExecutor(max_workers=3, thread_name_prefix="ragtune-search")  # the three channels of one query


def store_filters(filters: dict | None) -> tuple[list[Filter], dict]:
    """`key=value` filters → store prefilters; record fields also need the exact post-check `record_match`."""
    parts, fields = [], {}
    for key, value in (filters or {}).items():
        if key in COLUMNS:
            parts.append(Filter.eq(key, str(value)))
        else:
            fields[key] = str(value)
            parts.append(Filter("records", "has", key))
    return parts, fields


def record_match(records: list[dict], fields: dict) -> bool:
    return any(all(str(r.get(k, "")).strip().lower() == v.strip().lower() for k, v in fields.items()) for r in records)


def passage(row: dict, score: float, relevance: float, records: list[dict]) -> Passage:
    return Passage(
        row["id"],
        row["doc_id"],
        row["source"],
        row["locator"],
        row["text"],
        score,
        relevance,
        row["heading"],
        row["type"],
        records,
    )


def rrf(lists: dict[str, list], weights: dict[str, float], k: int) -> list[tuple[str, float]]:
    """Weighted reciprocal-rank fusion of ranked id lists → [(id, score)] best first."""
    scores: dict[str, float] = {}
    for name, ids in lists.items():
        w = weights.get(name, 1.0)
        for rank, id_ in enumerate(ids):
            scores[id_] = scores.get(id_, 0.0) + w / (k + rank + 1)
    return sorted(scores.items(), key=lambda kv: -kv[1])


class Retriever:
    """Searches a store with an embedder: hybrid passages, the documents' summaries from the catalogue, and the
    `evidence_k` best evidence sentences of what it found. `guard` keeps a write batch in this process out of a
    search. `labels`: the access labels of the documents it may see (None: all), a filter inside every store query
    (`scoped` makes one for a caller)."""

    def __init__(
        self,
        store: VectorStore,
        embedder: Embedder,
        catalog: Catalog,
        cfg: RetrieveConfig,
        guard: ReadWriteLock,
        evidence_k: int = 5,
    ):
        self.store, self.embedder, self.catalog, self.cfg, self.guard = store, embedder, catalog, cfg, guard
        self.evidence_k = evidence_k
        self.labels: list[str] | None = None
        self._words: dict[str, np.ndarray] = {}  # word vectors for coverage checks

    def scoped(self, labels: list[str] | None) -> Retriever:
        """This retriever seeing only documents with these access labels (None: all of them)."""
        if labels is None:
            return self
        view = copy.copy(self)
        view.labels = list(labels)
        return view

    @property
    def access(self) -> list[Filter]:
        """The filter every store query of this retriever carries."""
        return access_filter(self.labels)

    def search(
        self,
        query: str,
        top_k: int | None = None,
        filters: dict | None = None,
        mode: str | None = None,
        vector: np.ndarray | None = None,
    ) -> SearchResult:
        with self.guard.read():  # never a write batch half done
            return self._search(query, top_k, filters, mode, vector)

    def _search(self, query, top_k, filters, mode, vector) -> SearchResult:
        """The channels run at once: keyword search while the query is embedded, then both vector searches.
        The chunk channels bring whole rows, so that only sentence-channel chunks are looked up afterwards. Hits of
        equal score are ordered by id: LanceDB's full-text search returns ties in an order that varies when other
        searches run beside it, which changed the fused top 5 of one query in eight from one run to the next."""
        mode = mode or self.cfg.mode
        if mode not in MODES:
            raise ValueError(f"unknown search mode '{mode}' (use one of {', '.join(MODES)})")
        top_k = top_k or self.cfg.top_k
        where, fields = store_filters(filters)
        where = [*self.access, *where]
        n = max(self.cfg.candidates, top_k * 4) * (4 if fields else 1)
        store, chunks = self.store, [Filter.eq("kind", "chunk"), *where]
        keyword = POOL.submit(store.bm25, query, n, chunks, ROW_COLUMNS) if mode != "dense" else None
        qv = self.embedder.embed([query])[0] if vector is None else vector
        dense = POOL.submit(store.dense, qv, n, chunks, ROW_COLUMNS) if mode != "bm25" else None
        sentences = [Filter.eq("kind", "sentence"), *where]
        sentence = POOL.submit(store.dense, qv, n * SENTENCE_FETCH, sentences, ["parent"]) if mode == "hybrid" else None
        lists: dict[str, list[str]] = {}
        rows: dict[str, dict] = {}
        for name, future in (("dense", dense), ("bm25", keyword)):
            if future:
                hits = sorted(future.result(), key=lambda h: (-h.score, h.row["id"]))  # ties: the same order every time
                lists[name] = [h.row["id"] for h in hits]
                rows.update((h.row["id"], h.row) for h in hits)
        if sentence:
            hits = sorted(sentence.result(), key=lambda h: (-h.score, h.row["parent"]))
            lists["sentence"] = list(dict.fromkeys(h.row["parent"] for h in hits))[:n]
        scores = dict(rrf(lists, self.cfg.weights, self.cfg.rrf_k))  # best first
        passages = self._passages(list(scores), scores, rows, qv, fields, top_k)
        return SearchResult(query, passages, self._summaries(passages))

    def _passages(
        self, fused: list[str], scores: dict, rows: dict[str, dict], qv: np.ndarray, fields: dict, top_k: int
    ) -> list[Passage]:
        """The first `top_k` fused ids that pass the checks; rows the channels did not bring are looked up in
        windows (at most one round trip unless checks drop many)."""
        passages: list[Passage] = []
        in_flight = self.catalog.pending()  # a write batch under way (another process) or left by a crash
        window = top_k * 4 if fields else top_k + 2
        for start in range(0, len(fused), window):
            ids = fused[start : start + window]
            if missing := [i for i in ids if i not in rows]:
                lookup = [Filter.eq("kind", "chunk"), Filter.isin("id", missing), *self.access]
                rows.update((r["id"], r) for r in self.store.rows(lookup, columns=ROW_COLUMNS))
            for id_ in ids:
                row = rows.get(id_)
                if row is None or row["doc_id"] in in_flight:  # gone, or its batch not yet whole
                    continue
                records = json.loads(row["records"] or "[]")
                if fields and not record_match(records, fields):
                    continue
                relevance = float(np.dot(qv, np.asarray(row["vector"], dtype=np.float32)))
                passages.append(passage(row, scores[id_], relevance, records))
                if len(passages) == top_k:
                    return passages
        return passages

    def _summaries(self, passages: list[Passage]) -> list[dict]:
        ids = list(dict.fromkeys(p.doc_id for p in passages))
        if not ids:
            return []
        by_id = self.catalog.summaries(ids, self.labels)  # the manifest keeps them: no store round trip
        return [{"doc_id": i, **by_id[i]} for i in ids if i in by_id]

    def retrieve(
        self, questions: list[str], top_k: int | None = None, filters: dict | None = None
    ) -> list[SearchResult]:
        """Each question's passages and summaries, with its best evidence sentences (one batch of question
        embeddings)."""
        vectors = self.embedder.embed(questions)
        out = []
        for q, v in zip(questions, vectors, strict=True):
            found = self.search(q, top_k=top_k, filters=filters, vector=v)
            found.evidence = self.evidence(found, v)
            out.append(found)
        return out

    def evidence(self, found: SearchResult, qvec: np.ndarray) -> list[ev.Evidence]:
        """The sentences of the found passages most like the question, best first."""
        if not found.passages:
            return []
        wanted = [Filter.eq("kind", "sentence"), Filter.isin("parent", [p.id for p in found.passages]), *self.access]
        rows = self.store.rows(wanted, columns=["parent", "text", "locator", "vector"])
        return ev.from_sentences(found, rows, qvec, self.evidence_k) if rows else []

    def coverage(self, question: str, support: str, context: str = "", answer: str = "") -> ev.Coverage:
        """The question's specific terms that `support` (the answer's sentence or row, with its heading and title)
        leaves out; a name also counts as covered when the passage around (`context`) gives it. A word counts as
        covered by the same stem or by a word the embedder puts close to it; a missing
        word is `elsewhere` when some other passage of the store uses it (the documents speak of it, not here).
        Given the `answer` (`field words: value` for a row), how well it fits what the question asks for
        (retrieve/answerfit.py); and whether the support says it of the question's other party (retrieve/roles.py)."""
        names, words = ev.specific_terms(question)
        have = ev.tokens(ev.field_words(support))
        around = have + ev.tokens(context)  # a name may stand in the sentences around ("the game" of "Super Bowl 50")
        missing_names = [n for n in names if not ev.name_covered(n, around)]
        likeness = {w: self._likeness(w, have) for w in words}
        missing = [w for w in words if likeness[w] < WORD_SIMILAR]
        elsewhere = [w for w in missing if self._used(w)]
        unseen = [w for w in missing if w not in elsewhere]
        q, sup, *said = self.embedder.embed([question, support, *([answer] if answer else [])])
        weakest = min((likeness[w] for w in missing), default=1.0)
        similarity, rivals = round(float(np.dot(q, sup)), 3), ev.rivals(question, support)
        model = answerfit.shipped() if said else None
        fit = round(float(model.probability(q, said[0])[0]), 3) if model and model.serves(self.embedder) else 1.0
        swapped = roles.swapped(question, support)
        weakest = round(weakest, 3)
        return ev.Coverage(missing_names, elsewhere, unseen, similarity, weakest, rivals, fit, answer, swapped)

    def answer_fit(self, question: str, answers: list[str]) -> list[float]:
        """How well each answer's value fits what the question asks for (retrieve/answerfit.py); 1.0 each where
        no fitted model reads this embedder's vectors."""
        model = answerfit.shipped()
        if not answers or not model or not model.serves(self.embedder):
            return [1.0] * len(answers)
        q, *said = self.embedder.embed([question, *answers])
        return [round(float(p), 3) for p in model.probability(np.repeat(q[None, :], len(said), 0), np.array(said))]

    def _likeness(self, word: str, have: list[str]) -> float:
        """1 for the same word (stem, a shared start, an abbreviation: "ext" of "extension"), else the embedder's
        best cosine to a word of the support."""
        if any(ev.same_word(word, h) for h in have):
            return 1.0
        candidates = [h for h in dict.fromkeys(have) if h not in ev.STOPWORDS and not h.isdigit()]
        if not candidates:
            return 0.0
        vectors = self._word_vectors([word, *candidates])
        return max(float(np.dot(vectors[word], vectors[h])) for h in candidates)

    def _word_vectors(self, words: list[str]) -> dict[str, np.ndarray]:
        new = [w for w in dict.fromkeys(words) if w not in self._words]
        if new:
            self._words.update(zip(new, self.embedder.embed(new), strict=True))
        return self._words

    def _used(self, word: str) -> bool:
        """Does any chunk of the store use this word (keyword search)?"""
        try:
            return bool(self.store.bm25(word, 1, [Filter.eq("kind", "chunk"), *self.access], ["id"]))
        except Exception:
            return False

    def context_evidence(self, question: str, passage: Passage) -> list[ev.Evidence]:
        """The best sentences of a given passage (the oracle arm's gold context), scored as retrieved ones are."""
        texts = sentences(passage.text)
        vecs = self.embedder.embed([question, *texts])
        q_words = ev.question_words(question)
        scored = [
            ev.Evidence(t, passage, ev.score(q_words, t, v, vecs[0], 0)) for t, v in zip(texts, vecs[1:], strict=True)
        ]
        return ev.best(scored, self.evidence_k)
