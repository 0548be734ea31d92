"""The store's locks: one writing process (a second is refused, naming the first), readers vs a write batch."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from ragtune.lock import ReadWriteLock, write_lock


def _other_process_takes(store) -> subprocess.CompletedProcess:
    code = "from pathlib import Path\nfrom ragtune.lock import write_lock\n"
    code += f"with write_lock(Path({str(store)!r}), 'serve'): pass"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_a_second_process_is_refused_with_the_holders_name(tmp_path):
    with write_lock(tmp_path, "ingest"), write_lock(tmp_path, "ingest again"):  # the same process may re-enter
        refused = _other_process_takes(tmp_path)
    assert refused.returncode != 0 and "is being written by ingest (pid" in refused.stderr
    assert _other_process_takes(tmp_path).returncode == 0  # released: free again


def test_a_writer_waits_for_readers_and_nested_reads():
    lock, order = ReadWriteLock(), []

    def write() -> None:
        with lock.write():
            order.append("write")

    with lock.read(), lock.read():  # nested reads in one thread
        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(0.1)
        order.append("read done")
    writer.join(5)
    assert order == ["read done", "write"]


def test_reads_inside_ones_own_write_do_not_deadlock():
    lock = ReadWriteLock()
    with lock.write(), lock.read(), lock.write():
        pass
