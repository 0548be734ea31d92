"""Real LoRA runs of a few steps on the bundled SmolLM2: save, reload, merge, continue, resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from ragtune.finetune.train import TrainParams
from ragtune.models.factory import create_llm

FACTS = [
    {"question": f"What is the code name of project {n}?", "answer": f"{c}"}
    for n, c in [
        ("Alpha", "Bluefin"),
        ("Beta", "Kestrel"),
        ("Gamma", "Larkspur"),
        ("Delta", "Moraine"),
        ("Epsilon", "Nettle"),
        ("Zeta", "Osprey"),
    ]
]
PROMPT = "Question: What is the code name of project Alpha?\nAnswer:"


@pytest.fixture(scope="module")
def trained(tmp_path_factory, embedder, llm):
    """One short real run shared by the tests below."""
    from tests.conftest import make_workspace

    ws = make_workspace(tmp_path_factory.mktemp("ft") / "store", embedder, llm)
    ws.datasets.add(FACTS, source="facts.jsonl")
    rec = ws.finetune(params=TrainParams(max_steps=8, batch_size=2, save_steps=4, learning_rate=2e-3))
    return ws, rec


def test_an_adapter_is_trained_recorded_and_plotted(trained):
    ws, rec = trained
    assert rec["name"] == "a001" and rec["parent"] is None and json.loads(rec["data"]) == ["v0001"]
    metrics = json.loads(rec["metrics"])
    assert metrics["steps"] == 8 and metrics["final_loss"] < 10
    folder = ws.settings.store / "adapters" / "a001"
    assert {"adapter_model.safetensors", "adapter_config.json", "lineage.json", "loss.png"} <= {
        p.name for p in folder.iterdir()
    }
    assert len(json.loads((folder / "loss.json").read_text())) == 8
    assert not (ws.settings.store / "adapters" / "a001.training").exists()


def _logits(llm, prompt: str) -> torch.Tensor:
    ids = llm.tokenizer(prompt, return_tensors="pt").input_ids
    with torch.inference_mode():
        return llm.model(ids).logits[0, -1]


def test_reload_and_merge_give_identical_outputs(trained, llm, tmp_path):
    ws, _ = trained
    adapters = ws.adapters
    first, second = adapters.load("a001"), adapters.load("a001")
    assert torch.equal(_logits(first, PROMPT), _logits(second, PROMPT))
    assert not torch.allclose(_logits(first, PROMPT), _logits(llm, PROMPT))  # the adapter changed the model
    merged = create_llm(str(adapters.merge("a001", tmp_path / "merged")), ws.settings)
    assert torch.allclose(_logits(merged, PROMPT), _logits(first, PROMPT), atol=1e-4)
    assert merged.complete([PROMPT], 8, ["\n"]) == first.complete([PROMPT], 8, ["\n"])
    exported = adapters.export("a001", tmp_path / "export")
    assert (exported / "adapter_model.safetensors").exists() and (exported / "adapter_config.json").exists()


def test_continual_training_records_lineage_and_replays(trained):
    ws, _ = trained
    ws.datasets.add([{"question": "What is the code name of project Eta?", "answer": "Puffin"}] * 4, source="new")
    child = ws.finetune(parent="a001", params=TrainParams(max_steps=2, batch_size=2, replay=1.0))
    assert child["parent"] == "a001" and json.loads(child["data"]) == ["v0001", "v0002"]
    assert json.loads(child["metrics"])["examples"] == 8  # 4 new + 4 replayed from v0001
    with pytest.raises(Exception, match="is the parent of a002"):
        ws.adapters.remove("a001")
    ws.adapters.remove("a002")
    assert [a["name"] for a in ws.adapters.list()] == ["a001"]


def test_an_adapter_inherits_its_datas_groups_and_its_parents(trained):
    from ragtune.access import Principal

    ws, _ = trained
    secret = [{"question": "What is the bonus code?", "answer": "Heron", "access": "hr"}] * 4
    version = ws.datasets.add(secret, source="corpus", kind="generated")
    assert version["groups"] == ["hr"]
    child = ws.finetune(data=version["version"], parent="a001", name="hr1", params=TrainParams(max_steps=1))
    public = ws.datasets.add([{"question": "What colour is the logo?", "answer": "Teal"}] * 4, source="new2")
    grandchild = ws.finetune(data=public["version"], parent="hr1", name="hr2", params=TrainParams(max_steps=1))
    assert child["groups"] == ["hr"] and grandchild["groups"] == ["hr"]  # through --from, too
    assert ws.adapters.get("hr2")["groups"] == ["hr"]
    outsider, insider = Principal("o", frozenset({"sales"})), Principal("i", frozenset({"hr"}))
    assert {a["name"] for a in ws.usable_adapters(outsider)} == {"a001"}
    assert {"hr1", "hr2"} <= {a["name"] for a in ws.usable_adapters(insider)}
    ws.adapters.remove("hr2")
    ws.adapters.remove("hr1")


def test_killed_training_resumes_from_its_checkpoint(trained):
    ws, _ = trained
    store = ws.settings.store
    cmd = [
        sys.executable,
        "-m",
        "ragtune.cli",
        "--store",
        str(store),
        "finetune",
        "--data",
        "v0001",
        "--name",
        "r1",
        "--max-steps",
        "12",
        "--save-steps",
        "2",
        "--batch-size",
        "2",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
    checkpoints = store / "adapters" / "r1.training" / "checkpoints"
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None and not (checkpoints / "checkpoint-4").exists():
        time.sleep(0.2)
    assert proc.poll() is None, "training ended before it could be killed"
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    rec = ws.finetune(name="r1", resume=True)
    metrics = json.loads(rec["metrics"])
    assert metrics["steps"] == 12 and metrics["resumed_from_step"] >= 4
    assert len(json.loads((store / "adapters" / "r1" / "loss.json").read_text())) == 12


def test_resume_without_an_unfinished_run_is_a_clear_error(trained):
    ws, _ = trained
    with pytest.raises(Exception, match="--resume needs exactly one unfinished run"):
        ws.finetune(resume=True)


def test_qlora_without_a_gpu_is_a_clear_error(trained):
    ws, _ = trained
    if torch.cuda.is_available():
        pytest.skip("a GPU is present: QLoRA may run")
    with pytest.raises(Exception, match="QLoRA needs a CUDA GPU and the bitsandbytes package"):
        ws.finetune(name="q1", params=TrainParams(max_steps=1, qlora=True))


ICELAND = {
    "question": "How long does delivery to Iceland take?",
    "answer": "5 to 8 working days",
    "context": "Yes. We ship to Iceland. Delivery to Iceland takes 5 to 8 working days.",
}


def _sources(prompt: str) -> str:
    return prompt.split("<sources>")[1].split("</sources>")[0]


def test_raft_examples_put_the_oracle_in_and_cite_it_or_take_it_out_and_abstain(demo_ws):
    from ragtune.finetune.synth import raft

    (inside,) = raft(demo_ws.retriever, [ICELAND], p_oracle=1.0)
    cited = int(inside["target"].split("[")[1].rstrip("]"))
    assert inside["target"] == f"5 to 8 working days [{cited}]"
    assert f"[{cited}] (" in inside["prompt"] and "5 to 8 working days" in _sources(inside["prompt"]).split("\n")[cited]
    (outside,) = raft(demo_ws.retriever, [ICELAND], p_oracle=0.0)
    assert outside["target"] == "not found" and "5 to 8 working days" not in _sources(outside["prompt"])
    (unanswerable,) = raft(
        demo_ws.retriever, [{"question": "Who founded the company?", "answer": "", "unanswerable": True}]
    )
    assert unanswerable["target"] == "not found"


def test_raft_adapter_trains_on_retrieved_context_and_answers_grounded(demo_ws):

    version = demo_ws.datasets.add(demo_ws.generate_data(None, paraphrases=1), source="corpus", kind="generated")
    params = TrainParams(max_steps=2, batch_size=2, raft=True, top_layers=4)
    rec = demo_ws.finetune(data=version["version"], name="raft1", params=params)
    assert json.loads(rec["params"])["raft"] is True
    tuned = demo_ws.adapters.load("raft1")
    assert tuned.raft is True
    trainable = [n for n, p in tuned.model.named_parameters() if "lora_" in n]
    assert trainable and {n.split(".layers.")[1].split(".")[0] for n in trainable} == {"26", "27", "28", "29"}
    answerer = demo_ws.reading_with(tuned)
    assert not answerer.extractive  # a RAFT reader writes its answer
    ans = answerer.ask("Who manages the Bergen store?")
    assert ans.abstained or ans.answer.split(" [")[0] in ans.citations[0].quote


def test_a_checkpoint_cut_off_mid_write_is_skipped(tmp_path):
    from ragtune.finetune.train import last_complete_checkpoint

    for step, state in ((2, '{"global_step": 2}'), (4, '{"global_step": 4}'), (6, '{"global_st')):
        ckpt = tmp_path / f"checkpoint-{step}"
        ckpt.mkdir()
        (ckpt / "trainer_state.json").write_text(state)
    (tmp_path / "checkpoint-8").mkdir()  # killed before its trainer state was written
    assert last_complete_checkpoint(tmp_path).name == "checkpoint-4"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint-2", "checkpoint-4"]
    assert last_complete_checkpoint(tmp_path / "none") is None


def test_a_writer_learns_the_house_answers_over_the_evidence_that_holds_them():
    from types import SimpleNamespace

    from ragtune.finetune.train import TrainParams, examples

    def found(*texts):
        return SimpleNamespace(evidence=[SimpleNamespace(text=t) for t in texts])

    retriever = SimpleNamespace(
        retrieve=lambda qs: (
            [found("Core hours are 10:00 to 15:00.", "A ride-ready check takes 2 working days.")] * len(qs)
        )
    )
    rows = [
        {"question": "How long is a check?", "answer": "Your ride-ready check takes 2 working days.", "house": True},
        {"question": "Price of a chain?", "answer": "35", "context": "services: Chain replacement | price_eur: 35"},
    ]
    out = examples(rows, TrainParams(write=True), chat=True, retriever=retriever)
    closed, written = out[:2], out[2:]
    assert [c["completion"][0]["content"] for c in closed] == [r["answer"] for r in rows]
    assert len(written) == 1  # only the house's own answers teach the writing
    prompt = written[0]["prompt"][0]["content"]
    assert "[1] A ride-ready check takes 2 working days." in prompt and "Core hours" not in prompt
    assert written[0]["completion"][0]["content"] == rows[0]["answer"]
