"""Upload names: the last path component, plain characters, a supported type, shortened without losing it."""

from __future__ import annotations

import pytest

from ragtune.serve.uploads import MAX_NAME, UploadRejected, safe_name


def test_a_long_name_is_shortened_and_keeps_its_suffix():
    name = safe_name("a" * 300 + ".md")
    assert len(name) == MAX_NAME and name.endswith(".md")
    assert safe_name("b" * 195 + " .. .csv").endswith("b.csv")


def test_only_the_last_component_of_either_separator_is_kept():
    assert safe_name("../../etc/x.md") == "x.md" and safe_name("..\\..\\x.md") == "x.md"


@pytest.mark.parametrize(
    ("name", "says"),
    [("", "not a usable"), ("...", "not a usable"), ("noext", "not a usable"), ("x.exe", "unsupported")],
)
def test_unusable_names_are_refused_with_a_reason(name, says):
    with pytest.raises(UploadRejected, match=says):
        safe_name(name)
