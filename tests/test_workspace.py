"""The composition root: each arm gets its answerer with the right model, components share what they should."""

from __future__ import annotations

from types import SimpleNamespace

from ragtune.generate.answer import Answerer, ClosedBook
from ragtune.generate.arms import Arm, for_mode
from tests.fakes import FakeLLM, FakeSpanReader


def test_closed_book_arms_answer_with_their_model_without_the_store(ws):
    answerer = ws.answerer(Arm("base", False))
    assert isinstance(answerer, ClosedBook) and answerer.llm is ws.llm
    assert "store" not in ws.__dict__  # closed-book needs no vector store


def test_an_adapter_arm_loads_the_adapter_once(ws, monkeypatch):
    loaded = []
    tuned = FakeLLM("tuned")
    monkeypatch.setattr(type(ws.adapters), "load", lambda self, name, base=None: loaded.append(name) or tuned)
    first = ws.answerer(Arm("ft", False, "a1"))
    second = ws.answerer(Arm("ft+rag", True, "a1"))
    assert first.llm is tuned and second.llm is tuned and loaded == ["a1"]
    assert isinstance(second, Answerer) and second.base is tuned  # an adapter writes its own SQL


def test_rag_reads_with_the_reader_and_loads_no_local_llm_to_write_sql(ws):
    reader = FakeSpanReader("27 days")
    ws.__dict__["reader"] = reader
    del ws.__dict__["llm"]  # a local model (smollm2) never writes SQL: answering with the reader must not load it
    answerer = ws.answerer(for_mode("rag"))
    assert answerer.llm is reader and answerer.base is None and "llm" not in ws.__dict__
    assert answerer.retriever is ws.retriever and answerer.tables is ws.table_reader


def test_an_endpoint_llm_writes_the_readers_sql(ws):
    ws.__dict__["reader"] = FakeSpanReader("27 days")
    ws.settings.llm = "openai:gpt-4o-mini@http://localhost:1/v1"
    answerer = ws.answerer(for_mode("rag"))
    assert answerer.base is ws.llm


def test_the_retriever_and_the_journal_share_the_workspace_parts(ws):
    r = ws.retriever
    assert r.store is ws.store and r.embedder is ws.embedder and r.catalog is ws.catalog and r.guard is ws.guard
    j = ws.journal
    assert j.store is ws.store and j.tables is ws.tables and j.catalog is ws.catalog


def test_ingest_then_ask_with_fakes(ws, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "leave.md").write_text("# Leave\n\nEvery employee gets 27 days of paid annual leave.\n")
    assert ws.ingest([docs]).ingested == 1
    ws.__dict__["reader"] = FakeSpanReader("27 days")
    ws.settings.answer.min_relevance = -1.0  # the fake embedder's scores are not MiniLM's
    ans = ws.ask("How many days of annual leave do employees get?")
    assert not ans.abstained and ans.text == "27 days" and ans.citations[0].source.endswith("leave.md")


def test_with_a_check_its_model_chooses_table_fields_beside_the_span_reader(ws):
    reader, check = FakeSpanReader("300"), object()
    ws.__dict__["field_reader"] = reader
    assert ws.table_reader.chooser is None and ws.table_reader.reader is reader  # no check: no chooser
    del ws.__dict__["table_reader"]
    ws.__dict__["checker"] = check
    assert ws.table_reader.chooser is check and ws.table_reader.reader is reader


def test_the_llm_weighs_what_a_follow_ups_reference_means(ws):
    history = [{"role": "user", "content": "What is the deposit for a locker?"}]
    assert ws.standalone("Is it refundable?", history) == "Is a locker refundable?"  # an endpoint gives no score

    class Weighing(FakeLLM):  # finds anything likelier after "the deposit"
        def score(self, prefix, options, chat=False):
            return [(-1.0 if "deposit" in prefix else -9.0, 1) for _ in options]

    ws.__dict__["llm"] = Weighing()
    assert ws.standalone("Is it refundable?", history) == "Is the deposit for a locker refundable?"
    ws.__dict__["llm"] = FakeLLM()
    ws.__dict__["checker"] = SimpleNamespace(llm=Weighing())  # a check's model weighs instead where there is one
    assert ws.standalone("Is it refundable?", history) == "Is the deposit for a locker refundable?"


def test_the_store_weighs_whether_a_question_that_names_nothing_is_about_the_topic(ws, monkeypatch):
    history = [{"role": "user", "content": "How much does a locker cost at the Eastgate gym?"}]
    asked: list[str] = []

    def retrieve(questions, top_k=None, filters=None):  # the store finds evidence only with the topic
        asked.extend(questions)
        return [SimpleNamespace(evidence=[SimpleNamespace(score=0.2 if q == questions[0] else 0.8)]) for q in questions]

    monkeypatch.setattr(ws.retriever, "retrieve", retrieve)
    bridged = "Is there a deposit for a locker at the Eastgate gym?"
    assert ws.standalone("Is there a deposit?", history) == bridged
    assert asked == ["Is there a deposit?", bridged]
