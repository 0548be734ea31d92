"""What retrieval returns: passages with where they are from and how they scored, and document summaries."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Passage:
    """A retrieved chunk: where it is from, how it scored, and its text."""

    id: str
    doc_id: str
    source: str
    locator: str
    text: str
    score: float
    relevance: float  # cosine of question and chunk: an absolute scale, used to abstain
    heading: str = ""
    type: str = ""
    records: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class SearchResult:
    query: str
    passages: list[Passage]
    summaries: list[dict]
    evidence: list = field(default_factory=list)  # the passages' best sentences (retrieve/evidence.py), when asked

    def to_dict(self) -> dict:
        return {"query": self.query, "passages": [p.to_dict() for p in self.passages], "summaries": self.summaries}
