"""Arms: one naming for the evaluation, the CLI and the server, and errors for what cannot run."""

from __future__ import annotations

import pytest

from ragtune.errors import RagtuneError
from ragtune.generate import arms
from ragtune.generate.arms import Arm


def test_evaluation_arms_name_their_evidence_and_model():
    got = {a.name: a for a in arms.parse("base,rag,ft,ft+rag,oracle", adapter="a1")}
    assert got["base"] == Arm("base", False) and got["rag"] == Arm("rag", True)
    assert got["ft"] == Arm("ft", False, "a1") and got["ft+rag"] == Arm("ft+rag", True, "a1")
    assert got["oracle"].gold and got["oracle"].model == arms.BASE
    assert [a.adapter for a in got.values()] == [None, None, "a1", "a1", None]


def test_ft_rag_without_an_adapter_reads_with_the_trained_reader():
    (arm,) = arms.parse(["ft+rag"], reader=True)
    assert arm == Arm("ft+rag", True, arms.READER) and arm.adapter is None


@pytest.mark.parametrize(
    ("names", "adapter", "reader", "message"),
    [
        ("rag,typo", None, False, "unknown arm(s) typo"),
        ("", None, False, "unknown arm(s) (none)"),
        ("ft", None, True, "the ft arm needs --adapter"),
        ("ft+rag", None, False, "no trained reader"),
    ],
)
def test_arms_that_cannot_run_are_one_clear_error(names, adapter, reader, message):
    with pytest.raises(RagtuneError, match=message.replace("(", r"\(").replace(")", r"\)")):
        arms.parse(names, adapter, reader)


def test_cli_modes_map_to_arms():
    assert arms.for_mode("rag") == Arm("rag", True, arms.READER)
    assert arms.for_mode("closed-book") == Arm("base", False)
    assert arms.for_mode("closed-book", "a2") == Arm("ft", False, "a2")
    assert arms.for_mode("ft+rag", "a2") == Arm("ft+rag", True, "a2")
    with pytest.raises(RagtuneError, match="needs --adapter"):
        arms.for_mode("ft+rag")


def test_every_served_model_name_maps_back_to_its_arm():
    names = arms.served_names(["a1", "a2"])
    assert names == [
        "ragtune-rag",
        "ragtune-base",
        "ragtune-ft:a1",
        "ragtune-ft-rag:a1",
        "ragtune-ft:a2",
        "ragtune-ft-rag:a2",
    ]
    served = [arms.served(n, ["a1", "a2"]) for n in names]
    assert [(a.retrieve, a.model) for a in served] == [
        (True, arms.READER),
        (False, arms.BASE),
        (False, "a1"),
        (True, "a1"),
        (False, "a2"),
        (True, "a2"),
    ]
    with pytest.raises(RagtuneError, match="unknown model"):
        arms.served("ragtune-ft:gone", ["a1"])
