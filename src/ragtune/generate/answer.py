"""Grounded answers: retrieve → pick evidence sentences → prompt the SLM → snap to evidence → cite or abstain."""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ragtune.errors import RagtuneError
from ragtune.generate.reader import candidates, choose, complete, trim
from ragtune.generate.support import best_span, new_information, overlap
from ragtune.models.span import Span, SpanReader
from ragtune.prompts import render
from ragtune.retrieve.base import Passage
from ragtune.retrieve.evidence import Evidence, NearMiss, field_phrase, instruction_like, missing_terms
from ragtune.tables.base import answer_field, row_quote
from ragtune.tables.reader import TableReader
from ragtune.text import CITATION, sentences

if TYPE_CHECKING:
    from ragtune.config import AnswerConfig
    from ragtune.generate.check import EvidenceCheck
    from ragtune.lock import ReadWriteLock
    from ragtune.retrieve.retriever import Retriever

__all__ = ["ABSTAIN", "NOT_FOUND", "Answer", "Answerer", "Citation", "ClosedBook", "Evidence", "declines"]

ABSTAIN = "I could not find this in the indexed documents."
SPANS_PER_PASSAGE = 3  # candidate spans a passage offers when the answer fit weighs in
PICK_SPANS = 5  # candidate spans a passage offers a check's model to pick from (`Answerer.picked`)
CHECKED = ("prose", "records")  # the routes a check reads again (an SQL answer is a query's result, not a text's)
NOT_FOUND = "not found"  # the generate prompt's reply when the sources lack the answer
_PREAMBLE = re.compile(r"^(the )?(correct )?answer( to the question)? is:?\s*", re.I)
_NOT_FOUND = re.compile(r"\b(not (found|mentioned|given|stated|in the)|unknown|no answer|cannot|can't)\b", re.I)


def declines(reply: str) -> bool:
    """Does the model's reply say it has no answer (or say nothing)?"""
    return not reply.strip() or bool(_NOT_FOUND.search(reply))


@dataclass
class Candidate:
    """A span reader's candidate answer: its span, the sentence holding it, its text, its answer fit and its
    passage's no-answer score."""

    span: Span
    evidence: Evidence
    text: str
    fit: float
    no_answer: float

    def score(self, evidence_weight: float, kind_weight: float) -> float:
        """Span score + `evidence_weight` × its sentence's evidence score + `kind_weight` × log(answer fit)."""
        return self.span.score + evidence_weight * self.evidence.score + kind_weight * np.log(max(self.fit, 1e-3))


@dataclass
class Citation:
    source: str
    locator: str
    quote: str
    score: float


@dataclass
class Answer:
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    reason: str = ""
    raw: str = ""
    summaries: list[dict] = field(default_factory=list)
    route: str = "prose"  # prose | records | sql: how the answer was found (see generate/structured.py)
    sql: str = ""  # the SQL that ran, for table answers
    no_answer: float | None = None  # the reader's log-odds of "not found" over its own answer (see `abstain`); for a
    # table row's field, the field reader's, when the answer rests on it alone
    withheld: str = ""  # the answer the no-answer threshold held back
    standalone_question: str = ""  # the question as answered: a follow-up made standalone from the conversation
    coverage: dict = field(default_factory=dict)  # the question's terms its evidence leaves out (retrieve/evidence.py)
    written: str = ""  # with a writer: kept (its sentence, verified) | fell back (to the extracted answer) | abstained

    @property
    def text(self) -> str:
        """The answer without its [n] citation markers; empty when the system abstained."""
        return "" if self.abstained else CITATION.sub("", self.answer).strip()

    def to_dict(self) -> dict:
        return asdict(self)


def answered(ans: Answer) -> str:
    """What a table answer says, as the answer-fit model reads it: its row's field ("phone ext: 210"), else its
    words; "" for a prose or SQL answer, which the model does not check (no vector to embed for it)."""
    if ans.route != "records":
        return ""
    found = answer_field(ans.citations[0].quote, ans.raw or ans.text) if ans.citations else None
    return field_phrase(*found) if found else ans.text


def _fence(text: str) -> str:
    """Quoted text on one line, without anything that could close the <sources> block or fake a citation."""
    text = re.sub(r"</?\s*sources\s*>", " ", " ".join(text.split()), flags=re.I)
    return CITATION.sub(" ", text)


def _data_only(text: str) -> str:
    """The text without its sentences that talk to the model."""
    return " ".join(s for s in sentences(text) if not instruction_like(s))


def _brief(summary: str, words: int = 20) -> str:
    """A summary's data-only opening, short enough for a small model's prompt."""
    cut = _fence(_data_only(summary)).split()
    return " ".join(cut[:words]) + (" …" if len(cut) > words else "")


def _support(texts: list[str], passages: list[Passage], summaries: list[dict], sources: set[str] | None = None) -> str:
    """`texts` with the first of `passages`' section headings, and the titles and file names of their documents
    (`sources`, default: the passages')."""
    sources = {p.source for p in passages} if sources is None else sources
    headings = [p.heading for p in passages][:1]
    titles = [s.get("title") or "" for s in summaries if s["source"] in sources]
    names = [Path(src).stem.replace("-", " ").replace("_", " ") for src in sources]
    return " ".join([*texts, *headings, *titles, *names])


def _withhold_for(ans: Answer, why: str) -> None:
    """Abstain, keeping the answer as `withheld` and saying `why`, with the evidence it stood on."""
    quote = ans.citations[0].quote if ans.citations else ""
    ans.withheld = ans.text
    ans.answer, ans.abstained, ans.citations = ABSTAIN, True, []
    ans.reason = f"{why}; the evidence found: {_fence(quote)[:160]}"


def _around(found) -> str:
    """What was retrieved at all, as text (a name the question gives is covered when any passage gives it)."""
    return " ".join(p.text for p in found.passages if not p.records)


class ClosedBook:
    """The model's own answer without retrieval (the base and fine-tuned arms): nothing to cite."""

    def __init__(self, llm, cfg: AnswerConfig):
        self.llm, self.cfg = llm, cfg

    def ask(self, question: str, top_k: int | None = None, filters: dict | None = None) -> Answer:
        return self.ask_many([question])[0]

    def ask_many(self, questions: list[str], top_k: int | None = None, filters: dict | None = None) -> list[Answer]:
        """One batched generation; `top_k` and `filters` are for retrieval and do not apply."""
        t0 = time.perf_counter()
        prompts = [render("closed-book", question=q.strip()) for q in questions]
        chat = getattr(self.llm, "writes", False)  # a writer learnt its closed-book answers as a chat too
        outputs = self.llm.complete(prompts, self.cfg.max_new_tokens, ["\n"], chat=chat)
        ms = round(1000 * (time.perf_counter() - t0) / len(questions), 1)
        return [
            Answer(
                o.strip() or ABSTAIN,
                not o.strip(),
                raw=o,
                timings={"retrieve_ms": 0.0, "generate_ms": ms},
                reason="" if o.strip() else "the model gave no answer",
            )
            for o in outputs
        ]


class Answerer:
    """Answers from retrieved evidence: `retriever` finds it, `llm` reads it (a span reader, an extractive or a
    generating model), `tables` answers table questions, with `base` (an endpoint model, or None) writing SQL
    where a model must. `guard` keeps a write batch in this process out of one answer."""

    def __init__(
        self,
        retriever: Retriever,
        llm,
        cfg: AnswerConfig,
        guard: ReadWriteLock,
        tables: TableReader | None = None,
        base=None,
        writer=None,
        check: EvidenceCheck | None = None,
    ):
        self.retriever, self.llm, self.cfg, self.guard = retriever, llm, cfg, guard
        self.tables = tables
        self.base = base
        self.writer = writer  # a fine-tuned model that writes the answer in its words, verified against the evidence
        self.check = check  # a larger model's second reading: its doubt decides whether an answer stands

    def ask(self, question: str, top_k: int | None = None, filters: dict | None = None) -> Answer:
        return self.ask_many([question], top_k=top_k, filters=filters)[0]

    def ask_many(self, questions: list[str], top_k: int | None = None, filters: dict | None = None) -> list[Answer]:
        """Answer a batch: one retrieval each, then one batched generation for those with evidence."""
        with self.guard.read():  # the store does not change under one answer
            return self._ask_many(questions, top_k, filters)

    def _ask_many(self, questions: list[str], top_k: int | None, filters: dict | None) -> list[Answer]:
        t0 = time.perf_counter()
        found = self.retriever.retrieve(questions, top_k, filters)
        evidence = [f.evidence for f in found]
        t1 = time.perf_counter()
        tabled = [self.from_tables(q, ev, filters) for q, ev in zip(questions, evidence, strict=True)]
        answers = {i: a for i, a in enumerate(tabled) if isinstance(a, Answer)}
        routed = {i: a for i, a in enumerate(tabled) if isinstance(a, str)}  # why a table answer gave way to text
        ready = [
            i for i, ev in enumerate(evidence) if i not in answers and ev and ev[0].score >= self.cfg.min_relevance
        ]
        summaries = [found[i].summaries for i in ready]
        read = self.read([questions[i] for i in ready], [evidence[i] for i in ready], summaries)
        answers.update(zip(ready, read, strict=True))
        for i in ready:
            if i in routed:
                answers[i].reason = answers[i].reason or routed[i]
            elif self._has_tables() and TableReader.is_aggregate(questions[i]):
                answers[i].reason = answers[i].reason or "no table question the parser could map; answered from text"
        for i, ans in answers.items():
            if not ans.abstained:
                self.check_coverage(questions[i], ans, found[i])
            elif ans.withheld and ans.route == "prose":
                self.name_missing(questions[i], ans, found[i])
            if self.check is not None and not ans.abstained and ans.route in CHECKED:
                self.double_check(questions[i], ans, found[i])
        if self.writer is not None:
            self.write([questions[i] for i in answers], list(answers.values()), [found[i] for i in answers])
        t2 = time.perf_counter()
        per_q = {"retrieve_ms": 1000 * (t1 - t0) / len(questions), "generate_ms": 1000 * (t2 - t1) / len(questions)}
        out = []
        for i in range(len(questions)):
            ans = answers.get(i) or Answer(ABSTAIN, True, reason="no relevant passage retrieved")
            ans.summaries = found[i].summaries
            ans.timings = {k: round(v, 1) for k, v in per_q.items()}
            out.append(ans)
        return out

    def write(self, questions: list[str], answers: list[Answer], found: list) -> None:
        """Generate, then verify: the writer restates each answer in its words from the cited evidence; the written
        sentence replaces the extracted answer only when every fact it states is in that evidence
        (`generate/verify.py`), else the extracted answer stands (`written`: kept | fell back | abstained)."""
        from ragtune.generate.verify import unsupported

        todo = [n for n, a in enumerate(answers) if not a.abstained]
        for a in answers:
            a.written = "abstained" if a.abstained else ""
        quotes = [[c.quote for c in answers[n].citations] for n in todo]
        prompts = [self.write_prompt(questions[n], q) for n, q in zip(todo, quotes, strict=True)]
        outputs = self.writer.complete(prompts, self.cfg.max_new_tokens, ["\n"], chat=True) if prompts else []
        for n, out in zip(todo, outputs, strict=True):
            ans, text = answers[n], _PREAMBLE.sub("", CITATION.sub("", out)).strip()
            missing = unsupported(text, self.support(ans, found[n]), questions[n], ans.text)
            if declines(text) or missing:
                ans.written = "fell back"
                why = "declined" if declines(text) else "states " + ", ".join(repr(m) for m in missing[:3])
                ans.reason = ans.reason or f"the written answer {why}, which the cited evidence does not; extracted"
                continue
            marks = "".join(f"[{k}]" for k in range(1, len(ans.citations) + 1))
            ans.answer, ans.written = f"{text} {marks}".strip(), "kept"

    @staticmethod
    def write_prompt(question: str, quotes: list[str]) -> str:
        """The writer's prompt (answering and training alike): the evidence, numbered, and the question."""
        lines = "\n".join(f"[{n}] {_fence(q)}" for n, q in enumerate(quotes[:1], 1))  # the cited one: short
        return render("write", evidence=lines, question=question.strip())

    def check_coverage(self, question: str, ans: Answer, found) -> None:
        """Record which of the question's specific terms the answer's evidence leaves out; abstain, naming
        them, when the near-miss rule says the evidence is about something else (`near_miss`)."""
        support = self.support(ans, found)
        ans.coverage = self.retriever.coverage(question, support, _around(found), answered(ans)).as_dict()
        model = NearMiss.shipped() if self.cfg.near_miss == "model" else None
        checked = self.check is not None and ans.route in CHECKED
        why = model.why(ans.coverage, ans.route, ans.no_answer, checked) if model else ""
        if why:
            _withhold_for(ans, why)

    def double_check(self, question: str, ans: Answer, found) -> None:
        """The check's second reading of what the answer stands on (`support`): withheld, with the check's reason,
        when its doubt is over its threshold; the doubt is kept in `coverage`."""
        doubt = self.check.doubt(question, self.support(ans, found))
        ans.coverage = {**ans.coverage, "doubt": doubt}
        if why := self.check.why(doubt):
            _withhold_for(ans, why)

    def name_missing(self, question: str, ans: Answer, found) -> None:
        """Name, in the reason of an answer the reader's no-answer score withheld, the question's terms that the
        passage it came from leaves out ("the evidence does not cover 'Polartex'"), when there are any."""
        held = [p for p in found.passages if ans.withheld in p.text][:1]
        if not held:
            return
        support = _support([held[0].text], held, found.summaries)
        ans.coverage = self.retriever.coverage(question, support, _around(found), "").as_dict()
        if terms := missing_terms(ans.coverage):
            ans.reason = f"the evidence does not cover {', '.join(repr(t) for t in terms)}; {ans.reason}"

    @staticmethod
    def support(ans: Answer, found) -> str:
        """What the answer stands on: its cited sentences or rows (and SQL), with their sections' headings and
        their documents' titles and file names."""
        sources = {c.source for c in ans.citations}
        passages = [p for p in found.passages if p.source in sources]
        return _support([*(c.quote for c in ans.citations), ans.sql], passages, found.summaries, sources)

    def _has_tables(self) -> bool:
        return self.tables is not None and self.tables.has_tables()

    def from_tables(self, question: str, evidence: list[Evidence], filters: dict | None = None) -> Answer | str | None:
        """A table answer, a table abstention, or None (answer from text); a string when SQL could answer but a
        retrieved sentence covers the question better (the reason; answer from text). The table rule is in
        tables/reader.py."""
        if filters or not self._has_tables():
            return None
        doc_ids = {e.passage.doc_id for e in evidence}
        found = self.tables.answer(question, self.base, doc_ids)
        top_is_row = bool(evidence) and evidence[0].is_row and evidence[0].score >= self.cfg.route_relevance
        no_prose = not evidence or evidence[0].score < self.cfg.route_relevance  # no sentence to answer instead
        if found is not None and found.text is not None:
            why = self.prose_answers_better(question, evidence, found)
            if why:
                return why
            cites = [Citation(r.source, r.locator, r.quote, 1.0) for r in found.rows]
            marks = "".join(f"[{n}]" for n in range(1, len(cites) + 1))
            text = f"{found.text} {marks}".strip()
            return Answer(
                text,
                False,
                cites,
                raw=found.value,
                route=found.route,
                sql=found.sql,
                no_answer=found.read,
                reason=found.reason,  # how a chooser chose the field; "" otherwise
            )
        if found is not None and (found.route == "sql" or top_is_row or no_prose):
            return Answer(ABSTAIN, True, reason=found.reason, route=found.route, sql=found.sql)
        if top_is_row:
            read = self.tables.read_rows(question, self._rows(evidence))
            if read is not None:
                cites = [Citation(r.source, r.locator, r.quote, 1.0) for r in read.rows]
                return Answer(
                    f"{read.text} [1]",
                    False,
                    cites,
                    raw=read.value,
                    route="records",
                    reason=read.reason,
                    no_answer=read.read,
                )
            why = "the best evidence is a table row, but no field of the rows found answers the question"
            return Answer(ABSTAIN, True, reason=why, route="records")
        return None

    def prose_answers_better(self, question: str, evidence: list[Evidence], found) -> str:
        """Why a retrieved sentence, not the SQL, should answer ("" when the SQL should): the question's specific
        terms that the table (its name, columns and the rows the SQL used) leaves out, against those the best
        sentence leaves out. "What's the deepest a diver without a permit may go?" maps onto a depth column by its
        superlative alone; the policy sentence about divers and permits covers it better."""
        prose = next((e for e in evidence if not e.is_row and e.score >= self.cfg.route_relevance), None)
        if prose is None:
            return ""
        table = " ".join([*(r.quote for r in found.rows), found.sql])
        by_table = self.retriever.coverage(question, table)
        by_text = self.retriever.coverage(question, f"{prose.text} {prose.passage.heading}")
        if len(by_text.missing) >= len(by_table.missing):
            return ""
        left_out = ", ".join(repr(t) for t in by_table.missing[:3])
        return f"answered from text: the table leaves out {left_out}, which {prose.passage.source} covers"

    def _rows(self, evidence: list[Evidence]) -> list[tuple[str, str, str, dict]]:
        """The retrieved table rows, best first: (source, locator, table, record)."""
        out = []
        for e in evidence:
            if not e.is_row or e.score < self.cfg.route_relevance:
                continue
            table = e.passage.heading.split(" — ")[0]
            record = next((r for r in e.passage.records if row_quote(table, r) == e.text), None)
            if record is not None:
                out.append((e.passage.source, e.locator or e.passage.locator, table, record))
        return out[:3]

    @property
    def extractive(self) -> bool:
        reader = self.cfg.reader
        if reader == "auto":  # a RAFT-trained reader or a large model writes its answer; small ones pick a span
            small = getattr(self.llm, "parameters", 0) < self.cfg.generate_from
            return hasattr(self.llm, "score") and not getattr(self.llm, "raft", False) and small
        if reader == "extract" and not hasattr(self.llm, "score"):
            raise RagtuneError(f"model {self.llm.name} cannot score spans (reader 'extract'); use reader 'generate'")
        return reader == "extract"

    def extract(self, question: str, evidence: list[Evidence]) -> Answer:
        """The evidence span the model rates most likely to answer, cited to its sentence."""
        cands = candidates(question, [(e.text, e.score) for e in evidence], self.cfg.candidates)
        prefix = self.prompt(question, evidence)
        best = choose(self.llm, prefix, question, cands)
        if best is None:
            return Answer(ABSTAIN, True, reason="no answer-like span in the retrieved text")
        sentence = evidence[best.evidence].text
        return self.cite(complete(best.text, sentence), evidence[best.evidence], raw=best.text)

    def cite(self, text: str, ev: Evidence, raw: str) -> Answer:
        cite = Citation(ev.passage.source, ev.locator or ev.passage.locator, ev.text, round(ev.score, 3))
        return Answer(f"{text} [1]", False, [cite], raw=raw)

    def read(
        self, questions: list[str], evidence: list[list[Evidence]], summaries: list[list[dict]] | None = None
    ) -> list[Answer]:
        """Answers from given evidence: a span reader, the extractive reader, or one batched generation snapped to
        the evidence."""
        if isinstance(self.llm, SpanReader):
            return [self.read_spans(q, ev) for q, ev in zip(questions, evidence, strict=True)]
        if self.extractive:
            return [self.extract(q, ev) for q, ev in zip(questions, evidence, strict=True)]
        summaries = summaries or [[] for _ in questions]
        prompts = [self.generate_prompt(q, ev, s) for q, ev, s in zip(questions, evidence, summaries, strict=True)]
        outputs = self.llm.complete(prompts, self.cfg.max_new_tokens, ["\n"], chat=True) if prompts else []
        scored = hasattr(self.llm, "score") and self.threshold is not None
        if scored:
            outputs = self.best_answers(prompts, outputs)
        answers = [self.ground(o, ev, q) for o, ev, q in zip(outputs, evidence, questions, strict=True)]
        if scored:
            for ans, prompt in zip(answers, prompts, strict=True):
                self.abstain(ans, prompt)
        return answers

    def best_answers(self, prompts: list[str], outputs: list[str]) -> list[str]:
        """Where the reader declined, its best answer all the same: the threshold decides, not the first token."""
        declined = [i for i, o in enumerate(outputs) if declines(o)]
        if not declined:
            return outputs
        again = self.llm.complete(
            [prompts[i] for i in declined], self.cfg.max_new_tokens, ["\n"], chat=True, avoid=NOT_FOUND
        )
        out = list(outputs)
        for i, o in zip(declined, again, strict=True):
            out[i] = o
        return out

    def read_spans(self, question: str, evidence: list[Evidence]) -> Answer:
        """The span reader's best candidate over the passages holding the best evidence, cited to its sentence: the
        highest span score plus the reader's `evidence_weight` times its sentence's evidence score plus its
        `kind_weight` times the log of how well the span's value fits what the question asks for (answer fit);
        withheld when the passage's no-answer score is over the threshold. With a check, its model picks how much
        of the sentence answers (`picked`), and its doubt decides instead of the threshold."""
        found = self.candidates(question, evidence, PICK_SPANS if self.check is not None else None)
        if not found:
            return Answer(ABSTAIN, True, reason="no answer-like span in the retrieved text")
        weights = getattr(self.llm, "evidence_weight", 0.0), getattr(self.llm, "kind_weight", 0.0)
        found.sort(key=lambda c: -c.score(*weights))
        best, why = self.picked(question, found) if self.check is not None else (found[0], "")
        ans = self.cite(best.text, best.evidence, raw=best.span.text)
        ans.no_answer, ans.reason = round(best.no_answer, 3), why
        if self.threshold is not None and self.check is None:  # a check's doubt decides instead (`double_check`)
            self._withhold(ans, self.threshold)
        return ans

    def picked(self, question: str, found: list[Candidate]) -> tuple[Candidate, str]:
        """Of the spans that overlap the reader's best (first in `found`), the one the check's model gives
        likeliest as its whole reply to the question over their sentence, and why: the reader finds the answer,
        the larger model how much of the sentence it is ("+31 10 555 0142", not "0142"). The best when there is
        nothing to choose."""
        best = found[0].span
        options: dict[str, Candidate] = {}
        for c in found:
            if c.span.overlaps(best):
                options.setdefault(c.text.strip().rstrip(".,;:"), c)
        text = found[0].evidence.text
        got = self.check.pick(question, text, list(options)) if len(options) > 1 else None
        if got is None:
            return found[0], ""
        share, i = got
        name, chosen = list(options.items())[i]
        return chosen, f"{self.check.name} picked {name!r} of {len(options)} spans (probability {share:.2f})"

    def candidates(self, question: str, evidence: list[Evidence], per: int | None = None) -> list[Candidate]:
        """The span reader's candidate answers: each read passage's best span, or with a `kind_weight` its best
        few (or `per`), each with its sentence, its answer text, its answer fit (1 when only the best is read) and
        its passage's no-answer score (the passage's null score against its best span, whichever span is chosen)."""
        per = per or (SPANS_PER_PASSAGE if getattr(self.llm, "kind_weight", 0.0) else 1)
        held = self.spans(question, evidence, per)
        texts = [complete(trim(sp.text, question), ev.text) for sp, ev in held]
        fits = self.retriever.answer_fit(question, texts) if per > 1 else [1.0] * len(held)
        top: dict[int, float] = {}
        for sp, _ in held:
            top[sp.context] = max(sp.score, top.get(sp.context, -np.inf))
        return [
            Candidate(sp, ev, text, fit, sp.null - top[sp.context])
            for (sp, ev), text, fit in zip(held, texts, fits, strict=True)
        ]

    def spans(self, question: str, evidence: list[Evidence], per_passage: int = 1) -> list[tuple[Span, Evidence]]:
        """Each read passage's best span (or best `per_passage`) with the sentence holding it (the passages holding
        the best evidence)."""
        passages = list({id(e.passage): e.passage for e in evidence}.values())[: self.cfg.span_passages]
        spans = self.llm.read(question, [p.text for p in passages], per_passage=per_passage)
        return [(sp, self._sentence_of(sp, passages[sp.context], evidence)) for sp in spans]

    @staticmethod
    def _sentence_of(span: Span, passage: Passage, evidence: list[Evidence]) -> Evidence:
        """The passage's sentence that holds the span, as evidence (with its own locator when it was retrieved)."""
        cursor, holder = 0, passage.text
        for s in sentences(passage.text):
            at = passage.text.find(s, cursor)
            if at < 0:
                continue
            cursor = at + len(s)
            if at <= span.start < cursor:
                holder = passage.text[at : max(cursor, span.end)]
                break
        found = next((e for e in evidence if e.passage is passage and e.text in holder), None)
        return Evidence(holder, passage, found.score if found else 0.0, found.locator if found else passage.locator)

    @property
    def threshold(self) -> float | None:
        """Abstain when the no-answer score is above this: the setting, else the reader's fitted value."""
        fitted = getattr(self.llm, "abstain_threshold", None)
        return self.cfg.abstain_threshold if self.cfg.abstain_threshold is not None else fitted

    def abstain(self, ans: Answer, prompt: str) -> None:
        """The SQuAD 2.0 decision: the reader's score for "not found" against its best answer, over a threshold.

        Sets `ans.no_answer` (log P("not found") - log P(answer), both as the model's reply to `prompt`) and
        abstains when it is above the threshold. A reply that still declines scores 0.
        """
        reply = ans.raw.strip()
        if declines(reply):
            ans.no_answer = 0.0
            return
        (said, _), (declined, _) = self.llm.score(prompt, [reply, NOT_FOUND], chat=True)
        ans.no_answer = round(declined - said, 3)
        self._withhold(ans, self.threshold)

    @staticmethod
    def _withhold(ans: Answer, limit: float) -> None:
        """Abstain, keeping the answer as `withheld`, when the no-answer score is over `limit`."""
        if not ans.abstained and ans.no_answer is not None and ans.no_answer > limit:
            why = f'the reader rates "not found" close to its answer ({ans.no_answer:.2f} > {limit:.2f})'
            ans.withheld = ans.text
            ans.answer, ans.abstained, ans.reason, ans.citations = ABSTAIN, True, why, []

    @staticmethod
    def generate_prompt(question: str, evidence: list[Evidence], summaries: list[dict]) -> str:
        """The generate path's prompt: numbered sources a model can cite, the documents' summaries, data fenced off."""
        lines = "\n".join(f"[{n}] ({e.passage.source}) {_fence(e.text)}" for n, e in enumerate(evidence, 1))
        sources = {e.passage.source for e in evidence}
        about = [f"- {s['source']}: {_brief(s['summary'])}" for s in summaries if s["source"] in sources]
        about_text = "\n".join(about[:2]) or "- (none)"
        return render("generate", summaries=about_text, evidence=lines, question=question.strip())

    def ask_with_context(self, question: str, passage: Passage) -> Answer:
        """Answer from a given passage instead of retrieval (the oracle arm: gold context, same reader)."""
        evidence = self.retriever.context_evidence(question, passage)
        return self.read([question], [evidence])[0]

    def prompt(self, question: str, evidence: list[Evidence]) -> str:
        lines = "\n".join(e.text for e in evidence)
        return render(self.cfg.prompt, evidence=lines, question=question.strip())

    def ground(self, raw: str, evidence: list[Evidence], question: str) -> Answer:
        """Keep only what the evidence supports: snap the answer to an evidence span and cite that evidence."""
        text = _PREAMBLE.sub("", CITATION.sub("", raw).strip()).rstrip(".")
        text = new_information(text, question) or text
        if declines(text):
            return Answer(ABSTAIN, True, reason="the model found no answer in the evidence", raw=raw)
        claimed = {int(n) - 1 for n in CITATION.findall(raw) if 0 < int(n) <= len(evidence)}
        spans = [(best_span(text, e.text), n) for n, e in enumerate(evidence)]
        span, n = max(spans, key=lambda s: (s[0].f1, s[1] in claimed, -s[1]))
        if span.f1 < self.cfg.min_support or overlap(span.text, evidence[n].text) < 1.0:
            return Answer(ABSTAIN, True, reason="the answer is not supported by the retrieved text", raw=raw)
        return self.cite(complete(span.text, evidence[n].text), evidence[n], raw)
