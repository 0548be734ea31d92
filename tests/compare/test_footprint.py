"""Each arm served alone: a fresh process answers one question and reports its own peak memory."""

from __future__ import annotations

import pytest

from ragtune.compare import footprint
from ragtune.errors import RagtuneError
from ragtune.generate.arms import READER, Arm


@pytest.mark.slow
def test_an_arm_served_alone_reports_its_own_memory_and_cold_start(demo_ws):
    demo_ws.tables.close()  # the child opens the table file (one process at a time); the fixture reopens it
    got = footprint.measure(demo_ws.settings, Arm("rag", True, READER), "What does the Fjellheim 4 tent cost?")
    assert 100 < got["peak_rss_mb"] < 1200 and got["cold_s"] > 0  # its own models (a forked peak would be more)


def test_an_arm_that_cannot_be_served_is_one_clear_error(tmp_path, demo_ws):
    settings = demo_ws.settings.model_copy(update={"store": tmp_path / "store"})
    with pytest.raises(RagtuneError, match=r"serving the ft arm alone failed: .*no-such-adapter"):
        footprint.measure(settings, Arm("ft", False, "no-such-adapter"), "What does it cost?")
