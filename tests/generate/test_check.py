"""The check: a second model's yes or no on whether the evidence answers exactly the question asked."""

from __future__ import annotations

import numpy as np
import pytest

from ragtune.config import Settings
from ragtune.errors import RagtuneError
from ragtune.generate.check import DEFAULT_THRESHOLD, EvidenceCheck, fitted_threshold
from tests.fakes import FakeSpanReader


class _Judge:
    """A check model that says "no" (doubt +4) to prompts holding `doubted`, else "yes" (doubt -4)."""

    name = "judge"

    def __init__(self, doubted: str):
        self.doubted, self.prompts = doubted, []

    def score(self, prompt: str, options: list[str], chat: bool = False) -> list[tuple[float, int]]:
        assert chat and options == ["yes", "Yes", "no", "No"]
        self.prompts.append(prompt)
        likely, unlikely = -1.0, -5.0
        yes, no = (unlikely, likely) if self.doubted in prompt else (likely, unlikely)
        return [(yes, 1), (yes, 1), (no, 1), (no, 1)]


def test_the_doubt_is_the_replys_no_over_its_yes_and_the_prompt_holds_both_texts():
    judge = _Judge("Oslo")
    check = EvidenceCheck(judge, threshold=0.0)
    assert check.doubt("Where is the shop?", "The shop is in Bergen.") == -4.0
    assert check.doubt("Where is the shop in Oslo?", "The shop is in Bergen.") == 4.0
    assert "The shop is in Bergen." in judge.prompts[0] and "Where is the shop?" in judge.prompts[0]
    assert check.why(-4.0) == "" and check.why(4.0).startswith("judge reads the evidence as not answering")


class _Chooser:
    """A model whose reply names `field` with log-probability `logp`, and any other field with -8."""

    name = "chooser"

    def __init__(self, field: str, logp: float):
        self.field, self.logp, self.calls = field, logp, []

    def score(self, prompt: str, options: list[str], chat: bool = False) -> list[tuple[float, int]]:
        self.calls.append((prompt, options))
        return [(self.logp if o == self.field else -8.0, 1) for o in options]


def test_the_chosen_field_is_the_likeliest_name_and_its_doubt_is_its_reply_probability():
    model = _Chooser("abv_pct", -0.1)
    check = EvidenceCheck(model, threshold=0.0)
    record = {"beer": "Night Heron", "style": "Stout", "abv_pct": 5.6, "notes": ""}
    assert check.choose("How strong is Night Heron?", "beers", record) == (0.1, "abv_pct")
    prompt, options = model.calls[0]
    assert options == ["beer", "style", "abv_pct"]  # an empty field is no choice
    assert 'table "beers"' in prompt and "abv_pct: 5.6" in prompt and "How strong is Night Heron?" in prompt
    unsure = EvidenceCheck(_Chooser("style", -1.5), threshold=0.0).choose("Is it vegan?", "beers", record)
    assert unsure == (1.5, "style") and unsure[0] > check.field_doubt  # under half its probability: unsure
    assert check.choose("Anything?", "beers", {"notes": ""}) is None


class _Adaptable(_Chooser):
    """A model whose view with the adapter is a `_Judge`; its own replies name `field`."""

    def __init__(self, doubted: str):
        super().__init__("abv_pct", -0.1)
        self.view, self.loaded = _Judge(doubted), []

    def adapted(self, folder: str, name: str):
        self.loaded.append((folder, name))
        return self.view


def test_with_an_adapter_the_yes_or_no_is_read_through_it_and_the_rest_through_the_model(tmp_path):
    model = _Adaptable("Oslo")
    check = EvidenceCheck(model, threshold=0.0, adapter=tmp_path / "check-x")
    assert model.loaded == [(str(tmp_path / "check-x"), "check")]
    assert check.doubt("Where is the shop in Oslo?", "The shop is in Bergen.") == 4.0 and model.view.prompts
    assert check.choose("How strong?", "beers", {"abv_pct": 5.6}) == (0.1, "abv_pct") and model.calls
    assert check.key == "chooser+check-x" and check.name == "chooser"  # a threshold fitted for this pair only
    assert EvidenceCheck(_Judge("x"), threshold=0.0).key == "judge"


def test_a_check_adapter_that_is_not_one_is_one_clear_error_before_any_model_loads(tmp_path, monkeypatch):
    from ragtune import Workspace
    from ragtune.models import factory

    (tmp_path / "empty").mkdir()
    ws = Workspace(Settings(store=tmp_path / "s", answer={"check": "x", "check_adapter": str(tmp_path / "empty")}))
    with pytest.raises(RagtuneError, match="is not a LoRA adapter folder"):
        _ = ws.checker
    (tmp_path / "empty" / "adapter_config.json").write_text("{}")
    monkeypatch.setattr(factory, "create_llm", lambda spec, settings, cpu_bf16=False: _Judge("x"))
    with pytest.raises(RagtuneError, match="cannot take a LoRA adapter; set it to none"):
        _ = Workspace(ws.settings).checker


def test_the_bundled_check_adapter_is_the_packages_folder_for_that_model_when_it_ships_one(tmp_path, monkeypatch):
    from ragtune import Workspace
    from ragtune.models import bundled

    monkeypatch.setattr(bundled, "READERS", tmp_path)
    ws = Workspace(Settings(store=tmp_path / "s", answer={"check": "qwen2.5-coder-1.5b"}))
    assert ws._check_adapter("qwen2.5-coder-1.5b") is None  # none ships: the model reads zero-shot
    folder = tmp_path / "check-qwen2.5-coder-1.5b"
    folder.mkdir()
    (folder / "adapter_config.json").write_text("{}")
    assert ws._check_adapter("qwen2.5-coder-1.5b") == folder
    assert ws._check_adapter("not-bundled") is None


def test_a_model_without_a_fitted_threshold_doubts_at_even_odds():
    assert fitted_threshold("no-such-model") == DEFAULT_THRESHOLD == 0.0
    assert EvidenceCheck(_Judge("x"), threshold=1.5).threshold == 1.5


def test_with_a_check_its_doubt_decides_in_place_of_the_readers_threshold(demo_ws):
    reader = FakeSpanReader("5 to 8 working days", score=5.0, null=20.0)  # the reader alone would withhold both
    reader.abstain_threshold = 2.0
    answerer = demo_ws.reading_with(reader)
    answerer.check = EvidenceCheck(_Judge("take by sea?"), threshold=0.0)
    sure, doubted = answerer.ask_many(
        ["How long does delivery to Iceland take?", "How long does delivery to Iceland take by sea?"]
    )
    assert not sure.abstained and "5 to 8 working days" in sure.answer and sure.coverage["doubt"] == -4.0
    assert doubted.abstained and doubted.withheld == "5 to 8 working days" and doubted.citations == []
    assert doubted.reason.startswith("judge reads the evidence as not answering this question (doubt 4.00 > 0.00)")


def test_a_check_by_a_model_that_cannot_score_is_one_clear_error(tmp_path):
    from ragtune import Workspace

    spec = "openai:m@http://127.0.0.1:9/v1"
    ws = Workspace(Settings(store=tmp_path / "s", answer={"check": spec}))
    assert Workspace(Settings(store=tmp_path / "t")).checker is None
    with pytest.raises(RagtuneError, match="cannot score a yes or no reply"):
        _ = ws.checker


@pytest.mark.parametrize(("precision", "bf16"), [("auto", True), ("float32", False)])
def test_the_check_model_is_made_in_the_precision_the_settings_name(tmp_path, monkeypatch, precision, bf16):
    from ragtune import Workspace
    from ragtune.models import factory

    made = {}
    monkeypatch.setattr(
        factory, "create_llm", lambda spec, settings, cpu_bf16=False: made.update(bf16=cpu_bf16) or _Judge("x")
    )
    answer = {"check": "qwen2.5-coder-1.5b", "check_precision": precision, "check_adapter": "none"}
    ws = Workspace(Settings(store=tmp_path / "s", answer=answer))
    assert ws.checker.name == "judge" and made == {"bf16": bf16}


class _Replier:
    """A model whose whole reply (ending in its end token) is `reply` with log-probability -0.2, else -3.0."""

    name = "replier"

    class tokenizer:
        eos_token = "<end>"

    def __init__(self, reply: str):
        self.reply, self.calls = reply, []

    def score(self, prompt: str, options: list[str], chat: bool = False) -> list[tuple[float, int]]:
        self.calls.append((prompt, options))
        return [(-0.2 if o == self.reply + "<end>" else -3.0, 1) for o in options]


def test_the_picked_span_is_the_likeliest_whole_reply_with_its_share_of_the_probability():
    model = _Replier("+31 10 555 0142")
    check = EvidenceCheck(model, threshold=0.0)
    text = "Customer service answers on +31 10 555 0142."
    share, best = check.pick("What is the phone number?", text, ["0142", "+31 10 555 0142"])
    assert best == 1 and share == pytest.approx(1 / (1 + np.exp(-2.8)), abs=1e-3)
    prompt, options = model.calls[0]
    assert options == ["0142<end>", "+31 10 555 0142<end>"]  # scored to the end of the reply: a part is not whole
    assert text in prompt and "What is the phone number?" in prompt
    assert check.pick("What is the phone number?", text, []) is None
