"""A store plus the models that serve it, loaded on first use: the root of the Python API."""

from __future__ import annotations

from functools import cached_property, partial
from pathlib import Path

from ragtune.config import Settings
from ragtune.files import doc_id
from ragtune.lock import ReadWriteLock
from ragtune.manifest import Manifest


class Workspace:
    """`Workspace(Settings(store=...))`: ingest into it, search it, ask it."""

    def __init__(self, settings: Settings | None = None, **overrides):
        self.settings = settings or Settings(**overrides)
        self.manifest = Manifest(self.settings.store)
        self.guard = ReadWriteLock()  # readers in this process never see a write batch half done
        if self.manifest.pending():
            self._recover_if_free()

    @cached_property
    def embedder(self):
        emb = self.embedder_recipe(self.settings.home)()
        self.manifest.check_embedder(emb.name, emb.dim)
        return emb

    def embedder_recipe(self, home=None):
        """A picklable call that makes this store's embedder, here or in a worker on another machine (`home`:
        where it keeps its ONNX export; a worker uses its own)."""
        from ragtune.index.factory import create_embedder

        name = self.settings.embedder
        if self.settings.embedder == Settings.model_fields["embedder"].default:
            name = self.manifest.embedder() or name  # a store keeps the embedder it was built with
        return partial(create_embedder, name, self.settings.device, self.settings.endpoint, home)

    @cached_property
    def store(self):
        from ragtune.index.factory import create_store

        return create_store(
            self.settings.vector_store,
            self.settings.store,
            self.embedder.dim,
            self.settings.retrieve.ann_threshold,
        )

    @cached_property
    def tables(self):
        """The ingested tables as SQL tables (DuckDB), for questions over whole tables."""
        from ragtune.index.tables import TableStore

        return TableStore(self.settings.store / "tables.duckdb")

    @cached_property
    def table_reader(self):
        """Answers table questions; keeps what it learnt of the tables' columns until the next ingest."""
        from ragtune.generate.structured import TableReader

        return TableReader(self)

    @cached_property
    def llm(self):
        from ragtune.generate.factory import create_llm

        return create_llm(self.settings.llm, self.settings)

    @cached_property
    def reader(self):
        """The model that reads retrieved evidence: the LLM with its trained reader adapter (`answer.adapter`)."""
        from ragtune.generate.factory import create_reader
        from ragtune.generate.models import is_reader_folder

        spec = self.settings.answer.adapter
        if spec == "none":
            return self.llm
        if spec == "bundled":
            return create_reader(self.settings, self.llm)
        if is_reader_folder(folder := Path(spec).expanduser()):  # else a name in the store's adapter registry
            return create_reader(self.settings, self.llm, folder)
        from ragtune.finetune.adapters import Adapters

        return Adapters(self).load(spec, base=self.llm)

    doc_id = staticmethod(doc_id)

    def summarize(self, doc) -> str:
        """A document's summary written by the SLM (`chunk.summarizer = "llm"`); the extractive one is made with
        the file's rows (`ingest/prepare.py`)."""
        from ragtune.generate.summary import summarize_with

        return summarize_with(self.llm, doc, self.settings.chunk.summary_sentences)

    def ingest(self, paths, quiet: bool = True, on_error=None, on_warning=None, ray: str | None = None):
        """Bring the store in line with files and folders; `ray`: a Ray cluster's address (or `auto`) whose
        workers parse and embed."""
        from ragtune.ingest.pipeline import ingest
        from ragtune.lock import write_lock

        with write_lock(self.settings.store, "ingest"):
            self.recover()
            paths = [Path(p) for p in paths]
            return ingest(self, paths, quiet=quiet, on_error=on_error, on_warning=on_warning, ray=ray)

    def remove(self, doc_ids: list[str]) -> list[dict]:
        """Delete documents (by id) from the vector store, the tables and the manifest; returns those removed."""
        from ragtune.lock import write_lock

        with write_lock(self.settings.store, "remove"), self.guard.write():
            known = {d["doc_id"]: d for d in self.manifest.documents()}
            gone = [known[i] for i in doc_ids if i in known]
            if gone:
                self.drop([d["doc_id"] for d in gone])
                self.store.refresh()
            return gone

    def drop(self, doc_ids: list[str]) -> None:
        """Delete documents everywhere, journaled (hold the write lock): a crash midway is undone by `recover`."""
        self.manifest.begin(doc_ids)
        self.store.replace(doc_ids, [])
        self.tables.remove(doc_ids)
        self.manifest.forget(doc_ids)

    def recover(self) -> list[str]:
        """Undo the write batch a killed writer left half done (hold the write lock); the next ingest redoes it."""
        pending = sorted(self.manifest.pending())
        if pending:
            with self.guard.write():
                self.drop(pending)
        return pending

    def _recover_if_free(self) -> None:
        """On open: a batch left by a dead writer is undone now, unless a live writer holds the store."""
        from ragtune.errors import RagtuneError
        from ragtune.lock import write_lock

        try:
            with write_lock(self.settings.store, "recover"):
                self.recover()
        except RagtuneError:
            pass  # a writer is at work: its batch is in flight, and readers skip it

    def search(self, query: str, top_k: int | None = None, filters: dict | None = None, mode: str | None = None):
        from ragtune.retrieve.retriever import Retriever

        return Retriever(self).search(query, top_k=top_k, filters=filters, mode=mode)

    def ask(self, question: str, **kwargs):
        from ragtune.generate.answer import Answerer

        return Answerer(self).ask(question, **kwargs)
