"""Shape a search result for the results page: filter chips, places by country, page links.

Pure functions over the ``/api/search`` dict and the request's arguments, so they are tested without an
archive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

from werkzeug.datastructures import MultiDict

from archive.web.urls import url_with_args

SEARCH_PATH = "/search"

#: How each filter reads on its chip.
CHIP_LABELS = {
    "person": "Person",
    "place": "Place",
    "source": "Source",
    "language": "Language",
    "from": "Published from",
    "to": "Published to",
    "mentioned_from": "Mentions dates from",
    "mentioned_to": "Mentions dates to",
    "mode": "Mode",
}
#: Page links shown on each side of the current page.
PAGE_WINDOW = 2


@dataclass
class Chip:
    param: str  # the URL parameter ("person")
    kind: str  # how it reads ("Person")
    label: str
    value: str
    remove_url: str


@dataclass
class PlaceGroup:
    country: str
    key: str | None  # the country's key ("BY"): a link to the whole country, cities included
    count: int | None
    places: list[dict] = field(default_factory=list)


def entity_labels(result: dict) -> dict[tuple[str, str], str]:
    """Display names for person/place keys found anywhere in a result (facets and hits)."""
    labels: dict[tuple[str, str], str] = {}
    for hit in result.get("results", []):
        for p in hit.get("persons", []):
            labels[("person", p["key"])] = p["name"]
        for p in hit.get("places", []):
            labels[("place", p["key"])] = p["name"]
    for kind in ("person", "place"):
        for item in result.get("facets", {}).get(kind, []):
            labels[(kind, item["key"])] = item["label"]
    return labels


def chips(args: MultiDict, result: dict | None) -> list[Chip]:
    """One removable chip per active filter value."""
    labels = entity_labels(result or {})
    out = []
    for kind, title in CHIP_LABELS.items():
        for value in args.getlist(kind):
            label = labels.get((kind, value), value)
            out.append(
                Chip(kind, title, label, value, url_with_args(SEARCH_PATH, args, remove=[(kind, value)]))
            )
    return out


def place_groups(places: list[dict]) -> list[PlaceGroup]:
    """The place facet grouped by country, countries in order of their best count.

    A country's own entry (key without "/") counts articles naming it or any of its cities; it heads
    the group and is not repeated among the cities.
    """
    groups: dict[str, PlaceGroup] = {}
    for item in places:
        key = item["key"]
        country = item.get("country") or item["label"]
        group = groups.setdefault(country, PlaceGroup(country=country, key=key.split("/", 1)[0], count=None))
        if "/" not in key:
            group.key, group.count = key, item["count"]
        else:
            group.places.append(item)
    best = {name: max([g.count or 0] + [p["count"] for p in g.places]) for name, g in groups.items()}
    return sorted(groups.values(), key=lambda g: (-best[g.country], g.country))


@dataclass
class PageLink:
    number: int | None  # None: a gap ("...")
    url: str | None
    current: bool = False


def page_links(args: MultiDict, total: int, page: int, per_page: int) -> list[PageLink]:
    """First, last and a window around the current page, with gaps between."""
    last = max(1, ceil(total / per_page)) if per_page else 1
    wanted = {1, last, *range(page - PAGE_WINDOW, page + PAGE_WINDOW + 1)}
    numbers = sorted(n for n in wanted if 1 <= n <= last)
    out: list[PageLink] = []
    previous = 0
    for n in numbers:
        if n - previous > 1:
            out.append(PageLink(None, None))
        out.append(PageLink(n, url_with_args(SEARCH_PATH, args, page=n), n == page))
        previous = n
    return out


def last_page(total: int, per_page: int) -> int:
    return max(1, ceil(total / per_page)) if per_page else 1
