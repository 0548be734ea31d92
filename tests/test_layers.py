"""The package's layering: no import cycle, no upward import, and every subpackage importable on its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SUBPACKAGES = [
    "tables",
    "catalog",
    "ingest",
    "index",
    "retrieve",
    "models",
    "generate",
    "finetune",
    "evaluate",
    "workspace",
    "serve",
    "demo",
    "cli",
]


def test_the_layer_contracts_hold():
    """import-linter checks pyproject.toml's contracts: layers, shared helpers, no cycles (type-only imports too)."""
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "BROKEN" not in done.stdout and done.stdout.count("KEPT") == 3


def test_an_upward_import_breaks_the_layers(tmp_path):
    """The check can fail: a config that puts the composition root below the retriever is broken."""
    config = (ROOT / "pyproject.toml").read_text()
    start = config.index("[tool.importlinter]")
    broken = (
        config[start:]
        .replace('    "ragtune.workspace",\n', "")
        .replace('    "ragtune.tables",\n]', '    "ragtune.tables",\n    "ragtune.workspace",\n]', 1)
    )
    cfg = tmp_path / "contracts.toml"
    cfg.write_text(broken)
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--config", str(cfg)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "ragtune.workspace" in done.stdout


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_each_subpackage_imports_alone(name):
    """In a fresh interpreter, so that no other test's imports hide a missing one."""
    done = subprocess.run([sys.executable, "-c", f"import ragtune.{name}"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_only_the_catalogue_holds_the_manifest_connection():
    """No module but catalog.py reaches for a `.con` attribute (the catalogue's SQLite connection)."""
    import ast

    src = ROOT / "src" / "ragtune"
    users = [
        f"{path.relative_to(src)}:{node.lineno}"
        for path in src.rglob("*.py")
        if path.name != "catalog.py"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute) and node.attr == "con"
    ]
    assert users == []
