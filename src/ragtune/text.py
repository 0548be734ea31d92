"""Text helpers shared along the pipeline: word tokens, stop words, a crude stem."""

from __future__ import annotations

import re

STOPWORDS = frozenset(
    "a an the of in on at to for by with from and or is are was were be been being it its this that these those as "
    "which who whom what when where why how did do does has have had he she they them their his her him we our you "
    "your i me my there then than also not no nor but if so such into onto over under after before during while "
    "can will would could should might must about up out all any some more most other only very own same each "
    "both either neither".split()
)
TOKEN = re.compile(r"\w+(?:[.,]\d+)*", re.UNICODE)


def tokens(text: str) -> list[str]:
    return [t.lower() for t in TOKEN.findall(text)]


def content(words: list[str]) -> list[str]:
    return [w for w in words if w not in STOPWORDS]


_SUFFIX = re.compile(r"(ing|ed|es|s)$")


def stem(word: str) -> str:
    """Crude stem for matching question words: broadcasted ~ broadcast, meetings ~ meeting, gets ~ get."""
    word = word.lower()
    if len(word) > 3:
        word = _SUFFIX.sub("", word) or word
    return word[:6]
