"""This process's resident memory: its peak, and a reset of that peak so one step of a run can be measured."""

from __future__ import annotations

import resource
import sys
from pathlib import Path

_STATUS, _CLEAR = Path("/proc/self/status"), Path("/proc/self/clear_refs")


def peak_rss_mb() -> float:
    """The peak resident memory since the program started or since `reset_peak`. Linux's `VmHWM`: `ru_maxrss`
    also keeps the peak of the process this one was forked from (a child of a 3 GB parent reports 3 GB)."""
    try:
        status = _STATUS.read_text()
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # where there is no /proc: bytes on macOS
        return round(peak / 1024 / (1024 if sys.platform == "darwin" else 1), 1)
    return round(next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024, 1)


def reset_peak() -> bool:
    """Start the peak over from the memory resident now (Linux 4.0+); False where this cannot be done."""
    try:
        _CLEAR.write_text("5")
    except OSError:
        return False
    return True
