"""The audit log: one JSON line per request to `ragtune serve` (who, which route, what was asked, which documents
came back, or why it was refused), appended to `STORE/audit/audit.jsonl` and rotated by size. It never holds a key."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path

FILE = "audit.jsonl"


class Audit:
    """Appends records to `folder/audit.jsonl`; past `max_bytes` it moves to `.1` (… up to `backups`)."""

    def __init__(self, folder: Path, max_bytes: int = 10 << 20, backups: int = 5):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / FILE
        self.handler = RotatingFileHandler(self.path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
        self.handler.setFormatter(logging.Formatter("%(message)s"))
        self._lock = threading.Lock()

    def record(
        self,
        principal: str,
        route: str,
        question: str | None = None,
        documents: list[str] | None = None,
        refused: str | None = None,
    ) -> None:
        """One line: time, principal (a key's name, never the key), route, question, document ids, refusal."""
        entry = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"), "principal": principal, "route": route}
        if question is not None:
            entry["question"] = question
        if documents is not None:
            entry["documents"] = list(dict.fromkeys(documents))
        if refused is not None:
            entry["refused"] = refused
        line = logging.LogRecord(
            "ragtune.audit", logging.INFO, "", 0, json.dumps(entry, ensure_ascii=False), None, None
        )
        with self._lock:
            self.handler.emit(line)

    def close(self) -> None:
        self.handler.close()
