"""The records that flow through the archive: what readers yield, what the pipeline builds, what is stored."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Record:
    """One input unit as a reader found it: a file, a JSON line or a WARC response.

    ``data`` holds the record's fields before cleaning (``text`` or ``html`` plus metadata, aliases not
    yet resolved); ``raw`` holds the original bytes, kept so the index can be rebuilt. When a reader
    cannot make a record of its input, ``error`` says why and ``data`` is ``None``.
    """

    source: str
    line: int | None = None
    data: dict[str, Any] | None = None
    raw: bytes = b""
    error: str | None = None
    #: the reader that made it ("text", "html", "jsonl", "warc"): how ``raw`` is read again on reindex
    kind: str = ""


@dataclass
class Passage:
    """A run of whole sentences, the unit of retrieval; offsets index into ``Article.text``."""

    n: int
    start: int
    end: int


@dataclass
class Mention:
    start: int
    end: int


@dataclass
class Person:
    """A person named in one article: one key for every spelling of them."""

    key: str
    name: str
    variants: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class Place:
    """A place named in one article, resolved to a canonical gazetteer entry.

    ``key`` is ``"XX"`` (ISO 3166 alpha-2) for a country, ``"XX/<geonameid>"`` for a city, so a country
    filter matches its cities by key prefix. ``country`` is the country's English name.
    """

    key: str
    name: str
    country: str
    lat: float | None = None
    lon: float | None = None
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class DateMention:
    """A date written in the text, normalised: ``value`` is ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""

    value: str
    precision: str  # "year" | "month" | "day"
    text: str
    start: int
    end: int


@dataclass
class Article:
    """A cleaned article with its passages and the entities found in it."""

    id: str
    title: str
    text: str
    captions: str = ""
    published: str | None = None  # ISO 8601, possibly partial ("2023", "2023-10")
    url: str | None = None
    author: list[str] = field(default_factory=list)
    source: str | None = None
    language: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    passages: list[Passage] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    #: hash of the cleaned content and metadata: equal hash = nothing to update
    content_hash: str = ""
    #: the story (wire copies of one text, :mod:`archive.copies`): the id of its first article
    story: str | None = None
    #: what the import should tell about this article (an unreadable date...); reported, not stored
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        del d["warnings"]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Article:
        d = dict(d)
        d.pop("warnings", None)
        d["passages"] = [Passage(**p) for p in d.get("passages", [])]
        d["persons"] = [
            Person(**{**p, "mentions": [Mention(**m) for m in p.get("mentions", [])]})
            for p in d.get("persons", [])
        ]
        d["places"] = [
            Place(**{**p, "mentions": [Mention(**m) for m in p.get("mentions", [])]})
            for p in d.get("places", [])
        ]
        d["dates"] = [DateMention(**x) for x in d.get("dates", [])]
        return cls(**d)

    def passage_text(self, passage: Passage) -> str:
        return self.text[passage.start : passage.end]


@dataclass
class ItemOutcome:
    source: str
    line: int | None
    id: str | None
    status: str  # imported | updated | duplicate | failed
    reason: str | None = None


@dataclass
class ImportWarning:
    """Something an import did with a record that the user should know, though the record imported."""

    source: str
    line: int | None
    id: str | None
    message: str


@dataclass
class ImportReport:
    """What an import did with every input: the ``--json`` report of DESIGN 3.3, plus ``warnings``."""

    items: list[ItemOutcome] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)

    @property
    def failed(self) -> list[ItemOutcome]:
        return [i for i in self.items if i.status == "failed"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "imported": self.count("imported"),
            "updated": self.count("updated"),
            "duplicates": self.count("duplicate"),
            "failed": [{"source": i.source, "line": i.line, "reason": i.reason} for i in self.failed],
            "items": [
                {"source": i.source, "line": i.line, "id": i.id, "status": i.status} for i in self.items
            ],
            "warnings": [asdict(w) for w in self.warnings],
        }
