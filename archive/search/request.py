"""A validated search request: the one shape the web views, the JSON API and the CLI pass to the engine."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from archive.errors import BadQuery
from archive.search.fields import date_range

#: Longer queries are pasted documents, not searches; they also bound the parser's work.
MAX_QUERY_CHARS = 1000
#: A filter value longer than this is not a name, key or outlet.
MAX_FILTER_CHARS = 200
#: Repeated person/place filters beyond this are a mistake or an attack; each one costs a lookup.
MAX_FILTER_VALUES = 20
DEFAULT_PER_PAGE = 20
#: DESIGN 3.4: at most 100 results per page. A larger value is clamped, not refused: a script asking for
#: 1000 still gets a useful answer, and ``per_page`` in the response says what it got.
MAX_PER_PAGE = 100
#: Pages beyond this would only be reached by a crawler; the export streams whole result sets instead.
MAX_PAGE = 10_000
#: Person and place values listed per facet by default, and at most (``facet_size``: the "more" link).
DEFAULT_FACET_SIZE = 20
MAX_FACET_SIZE = 200
SORTS = ("relevance", "newest", "oldest")
MODES = ("normal", "exact")
#: The search's parameters (DESIGN 3.4 and its additions), in the order links spell them (stable, readable permalinks).
SEARCH_PARAMS = (
    "q",
    "person",
    "place",
    "source",
    "language",
    "from",
    "to",
    "mentioned_from",
    "mentioned_to",
    "sort",
    "mode",
    "collapse",
    "facet_size",
    "per_page",
    "page",
)
DATE_PATTERN = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
#: A language filter: an ISO 639 code ("ru"), matched in lowercase.
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}$")
#: Characters that no query needs and that break parsers, terminals or JSON consumers.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(value: str) -> str:
    """Drop NUL, other control characters and lone surrogates; keep tabs and newlines as spaces."""
    return _CONTROL.sub("", value).replace("\t", " ").replace("\r", " ").replace("\n", " ")


@dataclass
class SearchRequest:
    """What to search for, how to narrow it, and which page to return.

    ``date_from``/``date_to`` bound the publication date and ``mentioned_from``/``mentioned_to`` the dates
    mentioned in the text; each is ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` and inclusive (``to=2023-10``
    includes 31 October). ``sort`` is ``None`` until chosen: the engine then sorts by relevance when there
    is query text and newest first when there is none (a filters-only listing).
    """

    q: str = ""
    persons: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    date_from: str | None = None
    date_to: str | None = None
    mentioned_from: str | None = None
    mentioned_to: str | None = None
    source: str | None = None
    #: ISO 639-1 code of the articles' language ("ru")
    language: str | None = None
    sort: str | None = None
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    mode: str = "normal"
    facet_size: int = DEFAULT_FACET_SIZE
    #: one result per story (wire copies collapsed, each with its ``copies``); ``None``: the caller's
    #: default (the site collapses, the API and the CLI do not)
    collapse: bool | None = None

    def __post_init__(self) -> None:
        self.validate()

    @property
    def exact(self) -> bool:
        return self.mode == "exact"

    @property
    def effective_sort(self) -> str:
        """The sort actually used: relevance needs query text; without it, newest first."""
        if self.sort:
            return self.sort
        return "relevance" if self.q.strip() else "newest"

    def with_page(self, page: int) -> SearchRequest:
        return replace(self, page=page)

    def validate(self) -> None:
        """Normalise the fields and raise :class:`BadQuery` with a message that says how to fix them."""
        self.q = clean_text(self.q or "").strip()
        if len(self.q) > MAX_QUERY_CHARS:
            raise BadQuery(
                f"The query is {len(self.q)} characters long; shorten it to {MAX_QUERY_CHARS} or fewer."
            )
        self.persons = _values("person", self.persons)
        self.places = _values("place", self.places)
        for name in ("date_from", "date_to", "mentioned_from", "mentioned_to"):
            setattr(self, name, _date(name, getattr(self, name)))
        self.source = clean_text(self.source).strip() if self.source else None
        if self.source and len(self.source) > MAX_FILTER_CHARS:
            raise BadQuery(f"The source is too long; use at most {MAX_FILTER_CHARS} characters.")
        self.source = self.source or None
        self.language = clean_text(self.language).strip().lower() if self.language else None
        if self.language and not LANGUAGE_PATTERN.match(self.language):
            raise BadQuery(
                f"language must be an ISO 639-1 code (en, ru, uk, be, pl); got {self.language[:40]!r}."
            )
        self.language = self.language or None
        if self.sort is not None and self.sort not in SORTS:
            raise BadQuery(f"Unknown sort {self.sort!r}; use one of: {', '.join(SORTS)}.")
        if self.mode not in MODES:
            raise BadQuery(f"Unknown mode {self.mode!r}; use one of: {', '.join(MODES)}.")
        if not 1 <= self.page <= MAX_PAGE:
            raise BadQuery(f"page must be between 1 and {MAX_PAGE}; got {self.page}.")
        if self.per_page < 1:
            raise BadQuery(f"per_page must be at least 1; got {self.per_page}.")
        self.per_page = min(self.per_page, MAX_PER_PAGE)
        if not 1 <= self.facet_size <= MAX_FACET_SIZE:
            raise BadQuery(f"facet_size must be between 1 and {MAX_FACET_SIZE}; got {self.facet_size}.")
        for low, high, what in (
            (self.date_from, self.date_to, "from"),
            (self.mentioned_from, self.mentioned_to, "mentioned_from"),
        ):
            if low and high and date_range(low)[0] > date_range(high)[1]:
                raise BadQuery(f"The {what} date {low} is after the end date {high}; swap them.")

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> SearchRequest:
        """Build a request from query-string arguments (a Flask ``MultiDict`` or a plain mapping).

        Repeatable arguments (``person``, ``place``) are read with ``getlist`` when the mapping has it;
        in a plain mapping they may be a string or a list.

        :raises BadQuery: for a bad date, number, sort or mode, or a query that is too long.
        """
        return cls(
            q=_one(args, "q") or "",
            persons=_many(args, "person"),
            places=_many(args, "place"),
            date_from=_one(args, "from"),
            date_to=_one(args, "to"),
            mentioned_from=_one(args, "mentioned_from"),
            mentioned_to=_one(args, "mentioned_to"),
            source=_one(args, "source"),
            language=_one(args, "language"),
            sort=_one(args, "sort") or None,
            page=_int(args, "page", 1),
            per_page=_int(args, "per_page", DEFAULT_PER_PAGE),
            facet_size=_int(args, "facet_size", DEFAULT_FACET_SIZE),
            mode=_one(args, "mode") or "normal",
            collapse=_flag(args, "collapse"),
        )

    def to_args(self) -> dict[str, Any]:
        """The request as query-string arguments (lists for repeatable ones), defaults left out."""
        out: dict[str, Any] = {"q": self.q} if self.q else {}
        if self.persons:
            out["person"] = list(self.persons)
        if self.places:
            out["place"] = list(self.places)
        for key, value in (
            ("from", self.date_from),
            ("to", self.date_to),
            ("mentioned_from", self.mentioned_from),
            ("mentioned_to", self.mentioned_to),
            ("source", self.source),
            ("language", self.language),
            ("sort", self.sort),
        ):
            if value:
                out[key] = value
        if self.mode != "normal":
            out["mode"] = self.mode
        if self.page != 1:
            out["page"] = self.page
        if self.per_page != DEFAULT_PER_PAGE:
            out["per_page"] = self.per_page
        if self.facet_size != DEFAULT_FACET_SIZE:
            out["facet_size"] = self.facet_size
        if self.collapse is not None:
            out["collapse"] = "1" if self.collapse else "0"
        return out


def _one(args: Mapping[str, Any], name: str) -> str | None:
    value = args.get(name)
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if value is None:
        return None
    return str(value)


def _many(args: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(args, "getlist", None)
    if getlist is not None:
        return [str(v) for v in getlist(name)]
    value = args.get(name)
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def _int(args: Mapping[str, Any], name: str, default: int) -> int:
    value = _one(args, name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value.strip())
    except ValueError:
        raise BadQuery(f"{name} must be a whole number; got {value[:40]!r}.") from None


#: How ``collapse`` may be written in a URL.
FLAG_VALUES = {
    "1": True,
    "true": True,
    "yes": True,
    "on": True,
    "0": False,
    "false": False,
    "no": False,
    "off": False,
}


def _flag(args: Mapping[str, Any], name: str) -> bool | None:
    value = _one(args, name)
    if value is None or value.strip() == "":
        return None
    flag = FLAG_VALUES.get(value.strip().lower())
    if flag is None:
        raise BadQuery(f"{name} must be 1 or 0; got {value[:40]!r}.")
    return flag


def _values(name: str, values: list[str] | None) -> list[str]:
    cleaned = [clean_text(v).strip() for v in values or []]
    cleaned = list(dict.fromkeys(v for v in cleaned if v))
    if len(cleaned) > MAX_FILTER_VALUES:
        raise BadQuery(f"Too many {name} filters ({len(cleaned)}); use at most {MAX_FILTER_VALUES}.")
    for value in cleaned:
        if len(value) > MAX_FILTER_CHARS:
            raise BadQuery(f"The {name} filter is too long; use at most {MAX_FILTER_CHARS} characters.")
    return cleaned


def _date(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    value = clean_text(str(value)).strip()
    if not value:
        return None
    label = name.replace("date_", "")
    if not DATE_PATTERN.match(value) or date_range(value) is None:
        raise BadQuery(f"{label} must be a date written YYYY, YYYY-MM or YYYY-MM-DD; got {value[:40]!r}.")
    month = value[5:7]
    if month and not 1 <= int(month) <= 12:
        raise BadQuery(f"{label} has no month {month}; got {value!r}.")
    return value
