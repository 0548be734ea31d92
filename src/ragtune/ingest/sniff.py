"""Does a file's content match its name? Checked before parsing, so a renamed binary or a zip bomb is
rejected with a reason instead of reaching a parser.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ragtune.errors import IngestError

ZIP, PDF, SQLITE = b"PK\x03\x04", b"%PDF-", b"SQLite format 3\x00"
BINARY = {ZIP: "a zip archive", PDF: "a PDF", SQLITE: "a SQLite database", b"\x7fELF": "a program", b"MZ": "a program"}
OFFICE = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
MAX_UNZIPPED = 1 << 30  # an Office file that inflates past 1 GiB, or 200× its size, is treated as a zip bomb
MAX_RATIO = 200


def check(path: Path, max_bytes: int | None = None) -> None:
    """IngestError naming the reason when `path` is over `max_bytes` or its bytes do not look like its suffix says."""
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise IngestError(f"refused: {size / 2**20:.0f} MiB is over the {max_bytes / 2**20:g} MiB limit per file")
    suffix = path.suffix.lower()
    with path.open("rb") as fh:
        head = fh.read(8192)
    if suffix == ".pdf":
        if PDF not in head[:1024]:
            raise IngestError("not a PDF (no %PDF- header)")
    elif suffix in OFFICE:
        _check_office(path, head, OFFICE[suffix])
    elif suffix in (".sqlite", ".sqlite3", ".db"):
        if not head.startswith(SQLITE):
            raise IngestError("not a SQLite database (no SQLite header)")
    else:
        check_text(head)


def _check_office(path: Path, head: bytes, member: str) -> None:
    if not head.startswith(ZIP):
        raise IngestError(f"not a {path.suffix.lower()[1:].upper()} file (not a zip container)")
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except zipfile.BadZipFile as exc:
        raise IngestError(f"damaged {path.suffix.lower()[1:].upper()} file ({exc})") from None
    names = {i.filename for i in infos}
    if member not in names:
        raise IngestError(f"not a {path.suffix.lower()[1:].upper()} file (no {member})")
    unzipped = sum(i.file_size for i in infos)
    if unzipped > MAX_UNZIPPED or unzipped > MAX_RATIO * max(path.stat().st_size, 1):
        raise IngestError(
            f"refused: inflates to {unzipped / 2**20:.0f} MiB from {path.stat().st_size} bytes (zip bomb?)"
        )


def check_text(head: bytes) -> None:
    for magic, what in BINARY.items():
        if head.startswith(magic):
            raise IngestError(f"binary content ({what}) in a text file")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text has NULs by nature
        return
    if b"\x00" in head:
        raise IngestError("binary content (NUL bytes) in a text file")
