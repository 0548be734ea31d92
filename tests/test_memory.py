"""A process's peak memory, and starting it over."""

from __future__ import annotations

import sys

import pytest

from ragtune.memory import peak_rss_mb, reset_peak


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="VmHWM and clear_refs are Linux's")
def test_the_peak_holds_a_freed_allocation_until_it_is_reset():
    assert reset_peak()  # the peak starts from what is resident now, not from what earlier tests held
    before = peak_rss_mb()
    block = bytearray(300 * 2**20)  # zeroed: every page touched
    block[::4096] = b"x" * len(block[::4096])
    del block
    held = peak_rss_mb()
    assert held >= before + 250
    assert reset_peak()
    assert peak_rss_mb() < held - 250
