"""The composition root: a store plus the models that serve it, wired here and loaded on first use.

Every component below receives what it uses (a retriever gets a store and an embedder, an answerer a retriever
and a reader); this is the one place that builds them from the settings, and nothing below imports it.
"""

from __future__ import annotations

from functools import cached_property, partial
from pathlib import Path

from ragtune.access import ADMIN, Principal
from ragtune.catalog import Catalog, Journal, recover_if_free
from ragtune.config import Settings
from ragtune.files import doc_id, printable
from ragtune.generate import arms
from ragtune.generate.arms import Arm
from ragtune.lock import ReadWriteLock, write_lock


class Workspace:
    """`Workspace(Settings(store=...))`: ingest into it, search it, ask it, train on it, evaluate it.

    Reads take a `principal` (default: the admin, who sees everything): a caller sees only documents whose groups
    it holds (and public ones), and uses only adapters trained on documents it may see."""

    def __init__(self, settings: Settings | None = None, **overrides):
        self.settings = settings or Settings(**overrides)
        self.catalog = Catalog(self.settings.store)
        self.guard = ReadWriteLock()  # readers in this process never see a write batch half done
        self._tuned: dict[str, object] = {}  # adapters loaded for answering, by name
        if self.catalog.pending():
            recover_if_free(self.settings.store, lambda: self.journal)

    # -- access ---------------------------------------------------------------------------------------------
    def labels(self, principal: Principal = ADMIN) -> list[str] | None:
        """The access labels of the documents `principal` may see (None: all; the admin, without a query)."""
        return None if principal.admin else principal.visible(self.catalog.labels())

    def visible_ids(self, principal: Principal = ADMIN) -> set[str] | None:
        """The ids of the documents `principal` may see (None: all)."""
        return self._ids(self.labels(principal))

    def _ids(self, labels: list[str] | None) -> set[str] | None:
        return None if labels is None else self.catalog.doc_ids(labels)

    def principal(self, key: str, admin_key: str | None = None) -> Principal:
        """The caller an API key stands for: the admin for `admin_key`, else a live key of `ragtune keys add`; every
        comparison constant-time. RagtuneError for any other key (the CLI's --key and the server's header alike)."""
        import hmac

        from ragtune.access import key_hash
        from ragtune.errors import RagtuneError

        if admin_key and hmac.compare_digest(key.encode(), admin_key.encode()):
            return ADMIN
        digest = key_hash(key)
        found = self.catalog.key_by_hash(digest) if key else None
        if found is None or not hmac.compare_digest(found["hash"], digest):
            raise RagtuneError("unknown or revoked API key (ragtune keys list)")
        return Principal(found["name"], frozenset(found["groups"]))

    def writable_ids(self, principal: Principal = ADMIN) -> set[str] | None:
        """The ids of the documents `principal` may delete or replace (None: all): those of its groups. Public
        documents are the admin's to change."""
        labels = self.labels(principal)
        return self._ids(None if labels is None else [x for x in labels if x])

    def documents(self, principal: Principal = ADMIN) -> list[dict]:
        """The catalogue's records of the documents `principal` may see."""
        return self.catalog.documents(self.labels(principal))

    def usable_adapters(self, principal: Principal = ADMIN) -> list[dict]:
        """The adapters `principal` may use: those trained only on documents it may see."""
        return [a for a in self.adapters.list() if principal.may_use(a["groups"])]

    def check_model(self, arm: Arm, principal: Principal = ADMIN) -> None:
        """Refuse an adapter's arm to a caller who may not see all it learnt from, as if it did not exist."""
        from ragtune.errors import RagtuneError

        if principal.admin or not arm.adapter:
            return  # (an adapter that does not exist fails as it loads)
        if arm.adapter not in {a["name"] for a in self.usable_adapters(principal)}:
            raise RagtuneError(f"no adapter {arm.adapter!r} (ragtune adapters list)")

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
        """Answers table questions; keeps what it learnt of the tables' columns until the next ingest. With a
        check (`answer.check`), its model chooses a row's field where the words and the span reader find none."""
        from ragtune.tables.fields import FieldMatcher
        from ragtune.tables.reader import TableReader

        threshold = self.settings.answer.record_threshold
        return TableReader(self.tables, FieldMatcher(self.embedder), self.field_reader, threshold, self.checker)

    @cached_property
    def field_reader(self):
        """The span reader that picks a table row's field (`answer.field_reader`: span), or None (words only)."""
        from ragtune.models.bundled import bundled_span_reader
        from ragtune.models.factory import load_span_reader

        folder = bundled_span_reader() if self.settings.answer.field_reader == "span" else None
        return load_span_reader(folder, self.settings.home) if folder else None

    def reading_with(self, llm, principal: Principal = ADMIN):
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
        labels = self.labels(principal)
        retriever, tables = self.retriever.scoped(labels), self.table_reader.scoped(self._ids(labels))
        return Answerer(retriever, llm, self.settings.answer, self.guard, tables, sql, writer, self.checker)

    @cached_property
    def checker(self):
        """The second reading that `answer.check` names (generate/check.py), or None."""
        spec = self.settings.answer.check
        if spec == "none":
            return None
        from ragtune.errors import RagtuneError
        from ragtune.generate.check import EvidenceCheck
        from ragtune.models.factory import create_llm

        adapter = self._check_adapter(spec)
        bf16 = self.settings.answer.check_precision == "auto"
        llm = self.llm if spec == self.settings.llm else create_llm(spec, self.settings, cpu_bf16=bf16)
        if not hasattr(llm, "score"):
            raise RagtuneError(f"answer.check: model {spec} cannot score a yes or no reply; use a local model")
        if adapter and not hasattr(llm, "adapted"):
            raise RagtuneError(f"answer.check_adapter: model {spec} cannot take a LoRA adapter; set it to none")
        return EvidenceCheck(llm, self.settings.answer.check_threshold, adapter)

    def _check_adapter(self, spec: str) -> Path | None:
        """The adapter `answer.check_adapter` names for the check's model `spec` (None: the model zero-shot)."""
        from ragtune.errors import RagtuneError
        from ragtune.models.bundled import bundled_check_adapter, is_reader_folder

        name = self.settings.answer.check_adapter
        if name in ("bundled", "none"):
            return bundled_check_adapter(spec) if name == "bundled" else None
        if not is_reader_folder(Path(name)):
            raise RagtuneError(f"answer.check_adapter: '{name}' is not a LoRA adapter folder (no adapter_config.json)")
        return Path(name)

    def answerer(self, arm: Arm | None = None, principal: Principal = ADMIN):
        """The one dispatch from an arm to its answerer (CLI, server and evaluation): closed-book with the arm's
        model, or over the evidence `principal` may see, read by it. Default: RAG with the trained reader."""
        from ragtune.generate.answer import ClosedBook
        from ragtune.index.factory import preload

        arm = arm or arms.for_mode("rag")
        self.check_model(arm, principal)
        if arm.retrieve and "store" not in self.__dict__:
            preload(self.settings.vector_store)  # the store's libraries load while the model does
        llm = self.model(arm.model)
        return self.reading_with(llm, principal) if arm.retrieve else ClosedBook(llm, self.settings.answer)

    def search(
        self,
        query: str,
        top_k: int | None = None,
        filters: dict | None = None,
        mode: str | None = None,
        principal: Principal = ADMIN,
    ):
        """Passages and summaries for `query`, from the documents `principal` may see."""
        retriever = self.retriever.scoped(self.labels(principal))
        return retriever.search(query, top_k=top_k, filters=filters, mode=mode)

    @cached_property
    def rewriter(self):
        """Makes follow-up questions standalone: names are the tables' row values and capitalised runs, word
        likeness is the embedder's, which of two things a reference means is weighed by a language model, and
        whether a question that names nothing is about the previous topic by the store's evidence."""
        return self._rewriter(self.table_reader, self.retriever)

    def _rewriter(self, tables, retriever):
        from ragtune.generate.conversation import Rewriter

        def relevance(questions: list[str]) -> list[float]:
            return [f.evidence[0].score if f.evidence else 0.0 for f in retriever.retrieve(questions)]

        weak = self.settings.answer.route_relevance
        return Rewriter(tables.named, tables.matcher.closest, self._likelihood, relevance, weak)

    def _likelihood(self, prefix: str, rest: str) -> float | None:
        """The log-probability of `rest` after `prefix` by the check's model where there is one (it reads meaning
        better), else the LLM's; None for a model that gives none (an endpoint)."""
        score = getattr(self.checker.llm if self.checker else self.llm, "score", None)
        return score(prefix, [rest])[0][0] if score else None

    def standalone(self, question: str, history: list[dict] | None = None, principal: Principal = ADMIN) -> str:
        """`question` made standalone from the earlier turns (OpenAI-style messages: role, content), naming only
        table values that `principal` may see."""
        from ragtune.generate.conversation import turns

        with self.guard.read():
            rewriter = self.rewriter
            if not principal.admin:
                labels = self.labels(principal)
                tables = self.table_reader.scoped(self._ids(labels))
                rewriter = self._rewriter(tables, self.retriever.scoped(labels))
            return rewriter.standalone(question, turns(history or []))

    def ask(
        self,
        question: str,
        history: list[dict] | None = None,
        arm: Arm | None = None,
        principal: Principal = ADMIN,
        **kwargs,
    ):
        """The answer to `question`, a follow-up of the conversation `history` (messages) when given one, from
        what `principal` may see."""
        standalone = self.standalone(question, history, principal) if history else question.strip()
        ans = self.answerer(arm, principal).ask(standalone, **kwargs)
        ans.standalone_question = standalone
        return ans

    def evaluate(
        self,
        questions: list,
        arm_list: list[Arm],
        progress=None,
        judge_llm=None,
        step=None,
        principal: Principal = ADMIN,
    ) -> dict:
        """Every arm on the same questions (see `evaluate.run.evaluate`), over what `principal` may see; the
        results document."""
        import json

        from ragtune.endpoint import redact
        from ragtune.evaluate.run import evaluate

        adapter = next((a.adapter for a in arm_list if a.adapter), None)
        about = {"model": redact(self.settings.llm), "adapter": adapter, "train_s": None}
        about["check"] = self.settings.answer.check  # a second reading of each answer (generate/check.py)
        if adapter:
            about["train_s"] = json.loads(self.adapters.get(adapter)["metrics"])["train_seconds"]
        elif any(a.model == arms.READER for a in arm_list):
            about["adapter"] = self.reader.name
        for arm in arm_list:
            self.check_model(arm, principal)
        retriever = self.retriever.scoped(self.labels(principal))
        retriever = retriever if any(a.retrieve and not a.gold for a in arm_list) else None
        answerer = partial(self.answerer, principal=principal)
        return evaluate(questions, arm_list, answerer, retriever, about, progress, judge_llm, step)

    # -- writing --------------------------------------------------------------------------------------------
    doc_id = staticmethod(doc_id)

    def summarize(self, doc) -> str:
        """A document's summary written by the SLM (`chunk.summarizer = "llm"`); the extractive one is made with
        the file's rows (`ingest/prepare.py`)."""
        from ragtune.generate.summary import summarize_with

        return summarize_with(self.llm, doc, self.settings.chunk.summary_sentences)

    def ingest(
        self,
        paths,
        quiet: bool = True,
        on_error=None,
        on_warning=None,
        ray: str | None = None,
        groups: tuple[str, ...] | None = None,
        assign: dict[Path, tuple[str, ...]] | None = None,
    ):
        """Bring the store in line with files and folders; `ray`: a Ray cluster's address (or `auto`) whose
        workers parse and embed; `groups`: the access groups of these files where no rules file gives theirs
        (None: as they were; `()`: public); `assign`: groups of particular files, before any rule."""
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
                groups,
                {printable(str(Path(k).resolve())): v for k, v in (assign or {}).items()},
            )
            return ingester([Path(p) for p in paths], quiet=quiet, on_error=on_error, on_warning=on_warning, ray=ray)

    def remove(self, doc_ids: list[str], principal: Principal = ADMIN) -> list[dict]:
        """Delete documents (by id) that `principal` may change (`writable_ids`) from the vector store, the tables
        and the catalogue; returns those removed."""
        writable = self.writable_ids(principal)
        doc_ids = [i for i in doc_ids if writable is None or i in writable]
        with write_lock(self.settings.store, "remove"):
            return self.journal.remove(doc_ids)

    def recover(self) -> list[str]:
        """Undo the write batch a killed writer left half done (hold the write lock); the next ingest redoes it."""
        return self.journal.recover()
