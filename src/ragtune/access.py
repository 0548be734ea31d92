"""Who may see what: access groups on documents, principals that hold groups, and the rules file that gives a
corpus's folders their groups.

A document's groups are kept as one *label*: its groups sorted and joined by commas ("finance,hr"), or "" for a
public document. A document is visible to a principal holding any of its groups; a model trained on documents
may be used by a principal who may see every one of them. An admin (`groups` None) sees everything.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ragtune.errors import RagtuneError

RULES_FILE = ".ragtune-access"  # in a corpus folder: `pattern  group[, group…]` or `pattern  public` per line
PUBLIC = "public"
_GROUP = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def parse_groups(text: str | Iterable[str], where: str = "groups") -> tuple[str, ...]:
    """ "hr, Finance" (or a list) → ("finance", "hr"); "public" or "" → (). Raises naming `where` for a bad name."""
    items = text.split(",") if isinstance(text, str) else list(text)
    names = {g.strip().lower() for g in items if g.strip()}
    if names == {PUBLIC}:
        return ()
    for g in sorted(names):
        if g == PUBLIC or not _GROUP.match(g):
            raise RagtuneError(
                f"{where}: {g!r} is not a group name (letters, digits, '_', '-', '.'; 'public' only alone)"
            )
    return tuple(sorted(names))


def label(groups: Iterable[str]) -> str:
    """The stored form of a set of groups: sorted, comma-joined; "" is public."""
    return ",".join(sorted(set(groups)))


def groups_of(label_: str) -> frozenset[str]:
    return frozenset(g for g in label_.split(",") if g)


@dataclass(frozen=True)
class Principal:
    """A caller: a name and the groups it holds; `groups` None is the admin, who sees everything."""

    name: str
    groups: frozenset[str] | None = frozenset()

    @property
    def admin(self) -> bool:
        return self.groups is None

    def sees(self, label_: str) -> bool:
        """May it see a document with this label (public, or one of whose groups it holds)?"""
        return self.admin or not label_ or bool(groups_of(label_) & self.groups)

    def visible(self, labels: Iterable[str]) -> list[str] | None:
        """Of the labels a store holds, those it may see ("" always); None: no filter (the admin)."""
        if self.admin:
            return None
        return sorted({"", *(x for x in labels if self.sees(x))})

    def may_use(self, labels: Iterable[str]) -> bool:
        """May it use a model trained on documents with these labels (it may see each of them)?"""
        return all(self.sees(x) for x in labels)

    def describe(self) -> str:
        return "all documents (admin)" if self.admin else f"groups {', '.join(sorted(self.groups)) or '(none)'}"


ADMIN = Principal("admin", None)
ANONYMOUS = Principal("anonymous", frozenset())  # sees public documents only


def show_labels(labels: Iterable[str]) -> str:
    """Labels a model inherited, for people: "hr; exec or finance" (each part: a caller must hold one)."""
    parts = [" or ".join(sorted(groups_of(x))) for x in sorted(set(labels)) if x]
    return "; ".join(parts) or "public"


# -- API keys ---------------------------------------------------------------------------------------------------
KEY_PREFIX = "rt-"


def new_key() -> str:
    """A new API key (shown once; only its hash is kept)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    """What the catalogue keeps of a key: SHA-256 (keys are 256 random bits: no salt or stretching needed)."""
    return hashlib.sha256(key.encode()).hexdigest()


# -- the rules file ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    pattern: str
    groups: tuple[str, ...]


def read_rules(path: Path) -> list[Rule]:
    """`.ragtune-access`: one rule per line, `pattern  groups` (comma-separated, or `public`); `#` starts a comment.
    Raises RagtuneError naming the file and line of a bad one."""
    rules = []
    for n, raw in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(None, 1)
        if len(parts) != 2:
            raise RagtuneError(f"{path}:{n}: expected 'pattern  groups' (or 'pattern  public'), got {raw.strip()!r}")
        rules.append(Rule(parts[0].strip("/"), parse_groups(parts[1], f"{path}:{n}")))
    return rules


def matches(pattern: str, relative: str) -> bool:
    """A rule's pattern against a path relative to its rules file's folder: the path itself or any of its folders
    (`hr` covers `hr/pay/x.md`); a pattern without '/' also matches a name in any folder; `*` crosses folders."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    if any(fnmatch.fnmatchcase(p, pattern) for p in prefixes):
        return True
    return "/" not in pattern and any(fnmatch.fnmatchcase(part, pattern) for part in parts)


class Rules:
    """The groups that a corpus's rules files give its files: the rules files of the file's folder and every folder
    above it up to the ingested one apply, outer first; in each, the last matching line wins."""

    def __init__(self):
        self._cache: dict[Path, list[Rule] | RagtuneError] = {}

    def _rules(self, folder: Path) -> list[Rule]:
        if folder not in self._cache:
            path = folder / RULES_FILE
            try:
                self._cache[folder] = read_rules(path) if path.is_file() else []
            except RagtuneError as exc:
                self._cache[folder] = exc
            except OSError as exc:
                self._cache[folder] = RagtuneError(f"{path}: cannot read ({exc.strerror})")
        found = self._cache[folder]
        if isinstance(found, RagtuneError):
            raise found
        return found

    def groups(self, path: Path, root: Path | None) -> tuple[str, ...] | None:
        """The groups rules give `path` (found under `root`, or given alone), or None when no rule matches.
        Raises RagtuneError when a rules file that applies is malformed (its files are not ingested: fail closed)."""
        top = (root if root is not None else path.parent).absolute()
        path = path.absolute()
        parts = path.parent.relative_to(top).parts
        folders = [top, *(top.joinpath(*parts[: i + 1]) for i in range(len(parts)))]
        found = None
        for folder in folders:
            relative = path.relative_to(folder).as_posix()
            for rule in self._rules(folder):
                if matches(rule.pattern, relative):
                    found = rule.groups
        return found
