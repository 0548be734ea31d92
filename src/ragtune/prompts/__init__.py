"""Prompts are the `.txt` files beside this module; this only reads and fills them."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def template(name: str) -> str:
    return resources.files("ragtune.prompts").joinpath(f"{name}.txt").read_text()


def render(name: str, **fields: str) -> str:
    return template(name).format(**fields)
