"""scripts/constraints.txt, the versions scripts/install.sh holds a fresh install to, must satisfy pyproject.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def pins(text: str) -> dict[str, Version]:
    """name → version of a constraints file's `name==version` lines."""
    out = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            out[canonicalize_name(name)] = Version(version)
    return out


def unmet(requirements: list[str], pinned: dict[str, Version]) -> list[str]:
    """The requirements (torch aside: install.sh installs its CPU wheel first) that no pin satisfies."""
    bad = []
    for spec in map(Requirement, requirements):
        name = canonicalize_name(spec.name)
        if name != "torch" and (name not in pinned or pinned[name] not in spec.specifier):
            bad.append(f"{spec} (pinned: {pinned.get(name, 'none')})")
    return bad


def requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]


def test_every_dependency_and_extra_is_pinned_within_its_range():
    pinned = pins((ROOT / "scripts" / "constraints.txt").read_text())
    assert not unmet(requirements(), pinned), "run: bash scripts/lock.sh"


@pytest.mark.parametrize(
    ("constraints", "problem"),
    [("lancedb==0.39.0\n", "lancedb<0.42,>=0.40 (pinned: 0.39.0)"), ("", "lancedb<0.42,>=0.40 (pinned: none)")],
)
def test_a_pin_outside_the_range_or_missing_is_named(constraints, problem):
    assert unmet(["lancedb>=0.40,<0.42"], pins(constraints)) == [problem]
