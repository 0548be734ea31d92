"""The composition root: a store plus the models that serve it, wired here and loaded on first use.

Every component below receives what it uses (a retriever gets a store and an embedder, an answerer a retriever
and a reader); this is the one place that builds them from the settings, and nothing below imports it.
"""

from __future__ import annotations

from functools import cached_property, partial
from pathlib import Path

from ragtune.catalog import Catalog, Journal, recover_if_free
from ragtune.config import Settings
from ragtune.files import doc_id
from ragtune.generate import arms
from ragtune.generate.arms import Arm
from ragtune.lock import ReadWriteLock, write_lock


class Workspace:
    """`Workspace(Settings(store=...))`: ingest into it, search it, ask it, train on it, evaluate it."""

    def __init__(self, settings: Settings | None = None, **overrides):
        self.settings = settings or Settings(**overrides)
        self.catalog = Catalog(self.settings.store)
        self.guard = ReadWriteLock()  # readers in this process never see a write batch half done
        self._tuned: dict[str, object] = {}  # adapters loaded for answering, by name
        if self.catalog.pending():
            recover_if_free(self.settings.store, lambda: self.journal)

    # -- the store ------------------------------------------------------------------------------------------
    @cached_property
    def embedder(self):
        emb = self.embedder_recipe(self.settings.home)()
        self.catalog.check_embedder(emb.name, emb.dim)
        return emb

    def on_store(self, store: Path) -> Workspace:
        """A workspace over another store with these settings, sharing the models this one has loaded (a
        comparison's work store)."""
        other = Workspace(self.settings.model_copy(update={"store": Path(store)}))
        other.__dict__["embedder"] = emb = self.embedder  # the same vectors as this store's
        other.catalog.check_embedder(emb.name, emb.dim)
        for name in ("llm", "reader", "field_reader"):
            if name in self.__dict__:
                other.__dict__[name] = self.__dict__[name]
        return other

    def embedder_recipe(self, home=None):
        """A picklable call that makes this store's embedder, here or in a worker on another machine (`home`:
        where it keeps its ONNX export; a worker uses its own)."""
        from ragtune.index.factory import create_embedder

        name = self.settings.embedder
        if self.settings.embedder == Settings.model_fields["embedder"].default:
            name = self.catalog.embedder() or name  # a store keeps the embedder it was built with
        return partial(create_embedder, name, self.settings.device, self.settings.endpoint, home)

    @cached_property
    def store(self):
        from ragtune.index.factory import create_store, preload

        s = self.settings
        preload(s.vector_store)  # the backend's libraries load while the embedder does (0.3 s of a cold search)
        return create_store(s.vector_store, s.store, self.embedder.dim, s.retrieve.ann_threshold)

    @cached_property
    def tables(self):
        """The ingested tables as SQL tables (DuckDB), for questions over whole tables."""
        from ragtune.tables.store import TableStore

        return TableStore.in_folder(self.settings.store)

    @cached_property
    def journal(self) -> Journal:
        """The one journaled write over the catalogue, the vectors and the tables."""
        return Journal(self.catalog, self.store, self.tables, self.guard)

    # -- models ---------------------------------------------------------------------------------------------
    @cached_property
    def llm(self):
        from ragtune.models.factory import create_llm

        return create_llm(self.settings.llm, self.settings)

    @cached_property
    def reader(self):
        """The model that reads retrieved evidence: the LLM with its trained reader adapter (`answer.adapter`)."""
        from ragtune.models.bundled import is_reader_folder
        from ragtune.models.factory import create_reader

        spec = self.settings.answer.adapter
        if spec == "none":
            return self.llm
        if spec == "bundled":
            return create_reader(self.settings, lambda: self.llm)
        if is_reader_folder(folder := Path(spec).expanduser()):  # else a name in the store's adapter registry
            return create_reader(self.settings, lambda: self.llm, folder)
        return self.adapters.load(spec, base=self.llm)

    def model(self, name: str):
        """An arm's model: `base` (the LLM), `reader` (the trained reader) or an adapter (loaded once)."""
        if name == arms.BASE:
            return self.llm
        if name == arms.READER:
            return self.reader
        if name not in self._tuned:
            self._tuned[name] = self.adapters.load(name, base=self.llm)
        return self._tuned[name]

    def reader_available(self) -> bool:
        from ragtune.models.factory import reader_available

        return reader_available(self.settings)

    # -- fine-tuning ----------------------------------------------------------------------------------------
    @cached_property
    def adapters(self):
        from ragtune.finetune.adapters import Adapters

        s = self.settings
        return Adapters(self.catalog, s.store / "adapters", s.home, s.device)

    @cached_property
    def datasets(self):
        from ragtune.finetune.data import Datasets

        return Datasets(self.catalog, self.settings.store / "datasets")

    def finetune(self, data: str | None = None, base: str | None = None, parent: str | None = None, **kwargs) -> dict:
        """Train a LoRA adapter on a dataset version (see `finetune.train.finetune`)."""
        from ragtune.finetune.train import finetune

        return finetune(
            self.datasets, self.adapters, self.settings.llm, lambda: self.retriever, data, base, parent, **kwargs
        )

    def train_span_reader(self, data: str | None, name: str | None, params, quiet: bool = False):
        """A span reader trained on a dataset version into STORE/readers/NAME."""
        from ragtune.finetune.span import train_span_reader

        return train_span_reader(self.datasets, self.settings.store / "readers", data, name, params, quiet=quiet)

    def generate_data(self, llm=None, paraphrases: int = 3, max_prose: int = 200) -> list[dict]:
        """Question/answer pairs from the ingested corpus (records by template, prose by `llm`)."""
        from ragtune.finetune.synth import from_corpus

        return from_corpus(self.store, llm, paraphrases=paraphrases, max_prose=max_prose)

    # -- reading and answering ------------------------------------------------------------------------------
    @cached_property
    def retriever(self):
        from ragtune.retrieve.retriever import Retriever

        s = self.settings
        return Retriever(self.store, self.embedder, self.catalog, s.retrieve, self.guard, s.answer.evidence_sentences)

    @cached_property
    def table_reader(self):
        """Answers table questions; keeps what it learnt of the tables' columns until the next ingest."""
        from ragtune.tables.fields import FieldMatcher
        from ragtune.tables.reader import TableReader

        return TableReader(self.tables, FieldMatcher(self.embedder), self.field_reader)

    @cached_property
    def field_reader(self):
        """The span reader that picks a table row's field (`answer.field_reader`: span), or None (words only)."""
        from ragtune.models.bundled import bundled_span_reader
        from ragtune.models.factory import load_span_reader

        folder = bundled_span_reader() if self.settings.answer.field_reader == "span" else None
        return load_span_reader(folder, self.settings.home) if folder else None

    def reading_with(self, llm):
        """An answerer over this store whose evidence `llm` reads. Where a model must write SQL, an endpoint model
        does (`llm`, or the LLM when `llm` is the trained reader or a span reader; a local model never writes it,
        so it is not loaded for it). An adapter trained to write (`TrainParams.write`) writes over the trained
        reader's answers instead, verified against their evidence."""
        from ragtune.generate.answer import Answerer
        from ragtune.models.factory import is_endpoint
        from ragtune.models.span import SpanReader

        writer = llm if getattr(llm, "writes", False) else None
        llm = self.reader if writer is not None else llm
        sql = llm  # (the table reader lets only a model that cannot score spans, an endpoint's, write SQL)
        if isinstance(llm, SpanReader) or llm is self.__dict__.get("reader"):
            sql = self.llm if is_endpoint(self.settings.llm) else None
        return Answerer(self.retriever, llm, self.settings.answer, self.guard, self.table_reader, sql, writer)

    def answerer(self, arm: Arm | None = None):
        """The one dispatch from an arm to its answerer (CLI, server and evaluation): closed-book with the arm's
        model, or over this store's evidence read by it. Default: RAG with the trained reader."""
        from ragtune.generate.answer import ClosedBook
        from ragtune.index.factory import preload

        arm = arm or arms.for_mode("rag")
        if arm.retrieve and "store" not in self.__dict__:
            preload(self.settings.vector_store)  # the store's libraries load while the model does
        llm = self.model(arm.model)
        return self.reading_with(llm) if arm.retrieve else ClosedBook(llm, self.settings.answer)

    def search(self, query: str, top_k: int | None = None, filters: dict | None = None, mode: str | None = None):
        return self.retriever.search(query, top_k=top_k, filters=filters, mode=mode)

    @cached_property
    def rewriter(self):
        """Makes follow-up questions standalone: names are the tables' row values and capitalised runs, and word
        likeness is the embedder's."""
        from ragtune.generate.conversation import Rewriter

        return Rewriter(self.table_reader.named, self.table_reader.matcher.closest)

    def standalone(self, question: str, history: list[dict] | None = None) -> str:
        """`question` made standalone from the earlier turns (OpenAI-style messages: role, content)."""
        from ragtune.generate.conversation import turns

        with self.guard.read():
            return self.rewriter.standalone(question, turns(history or []))

    def ask(self, question: str, history: list[dict] | None = None, arm: Arm | None = None, **kwargs):
        """The answer to `question`, a follow-up of the conversation `history` (messages) when given one."""
        standalone = self.standalone(question, history) if history else question.strip()
        ans = self.answerer(arm).ask(standalone, **kwargs)
        ans.standalone_question = standalone
        return ans

    def evaluate(self, questions: list, arm_list: list[Arm], progress=None, judge_llm=None, step=None) -> dict:
        """Every arm on the same questions (see `evaluate.run.evaluate`); the results document."""
        import json

        from ragtune.endpoint import redact
        from ragtune.evaluate.run import evaluate

        adapter = next((a.adapter for a in arm_list if a.adapter), None)
        about = {"model": redact(self.settings.llm), "adapter": adapter, "train_s": None}
        if adapter:
            about["train_s"] = json.loads(self.adapters.get(adapter)["metrics"])["train_seconds"]
        elif any(a.model == arms.READER for a in arm_list):
            about["adapter"] = self.reader.name
        retriever = self.retriever if any(a.retrieve and not a.gold for a in arm_list) else None
        return evaluate(questions, arm_list, self.answerer, retriever, about, progress, judge_llm, step)

    # -- writing --------------------------------------------------------------------------------------------
    doc_id = staticmethod(doc_id)

    def summarize(self, doc) -> str:
        """A document's summary written by the SLM (`chunk.summarizer = "llm"`); the extractive one is made with
        the file's rows (`ingest/prepare.py`)."""
        from ragtune.generate.summary import summarize_with

        return summarize_with(self.llm, doc, self.settings.chunk.summary_sentences)

    def ingest(self, paths, quiet: bool = True, on_error=None, on_warning=None, ray: str | None = None):
        """Bring the store in line with files and folders; `ray`: a Ray cluster's address (or `auto`) whose
        workers parse and embed."""
        from ragtune.ingest.pipeline import Ingester

        with write_lock(self.settings.store, "ingest"):
            self.journal.recover()
            ingester = Ingester(
                self.catalog,
                self.journal,
                self.embedder,
                self.settings.chunk,
                self.summarize,
                self.embedder_recipe() if ray is not None else None,
            )
            return ingester([Path(p) for p in paths], quiet=quiet, on_error=on_error, on_warning=on_warning, ray=ray)

    def remove(self, doc_ids: list[str]) -> list[dict]:
        """Delete documents (by id) from the vector store, the tables and the catalogue; returns those removed."""
        with write_lock(self.settings.store, "remove"):
            return self.journal.remove(doc_ids)

    def recover(self) -> list[str]:
        """Undo the write batch a killed writer left half done (hold the write lock); the next ingest redoes it."""
        return self.journal.recover()
