"""Facet counts over the whole result set, one count per article.

Counted from the per-reader (value, article) pairs, so a value's count is exactly the number of
matching articles that carry it: the total the search returns when that value is added as a filter.
"""

from __future__ import annotations

import numpy as np

from archive.languages import language_name
from archive.search.whoosh.cache import ReaderCache, ValueIndex
from archive.search.whoosh.names import Names

#: Values shown per person/place facet: the most frequent first, ties by key (stable between pages).
FACET_SIZE = 20
#: The publication-month facet lists every month with matches, oldest first, up to this many (the most
#: recent ones): 20 years of monthly bars.
MAX_MONTHS = 240


def top_values(index: ValueIndex, selected: np.ndarray, size: int = FACET_SIZE) -> list[tuple[str, int]]:
    """The ``size`` values carried by most selected articles, with their counts."""
    if not len(index.keys):
        return []
    counts = index.counts(selected)
    present = np.flatnonzero(counts)
    if not len(present):
        return []
    if len(present) > size:
        # exact cut with ties: everything at least as frequent as the size-th value, then sort
        threshold = np.partition(counts[present], len(present) - size)[len(present) - size]
        present = present[counts[present] >= threshold]
    keys = index.keys
    ordered = sorted(present.tolist(), key=lambda i: (-int(counts[i]), keys[i]))[:size]
    return [(keys[i], int(counts[i])) for i in ordered]


def person_facet(
    cache: ReaderCache, selected: np.ndarray, names: Names, size: int = FACET_SIZE
) -> list[dict]:
    return [
        {"key": key, "label": names.person_label(key), "count": count}
        for key, count in top_values(cache.person, selected, size)
    ]


def place_facet(cache: ReaderCache, selected: np.ndarray, names: Names, size: int = FACET_SIZE) -> list[dict]:
    out = []
    for key, count in top_values(cache.place, selected, size):
        entry = place_label(cache, names, key)
        out.append({"key": key, "label": entry["name"], "country": entry["country"], "count": count})
    return out


def place_label(cache: ReaderCache, names: Names, key: str) -> dict:
    """A place's name and country; a country key the gazetteer rows lack takes its name from a city."""
    entry = names.place_entry(key)
    if entry["country"] or "/" in key:
        return entry
    memo = cache.memo.setdefault("country_names", {})
    if key not in memo:
        memo[key] = ""
        prefix = key + "/"
        for city in cache.place.keys:
            if city.startswith(prefix):
                country = names.place_entry(city)["country"]
                if country:
                    memo[key] = country
                    break
    country = memo[key]
    if not country:
        return entry
    return {"name": entry["name"] if entry["name"] != key else country, "country": country}


def language_facet(cache: ReaderCache, selected: np.ndarray) -> list[dict]:
    """Articles per language (ISO 639-1 key, English name as label)."""
    return [
        {"key": key, "label": language_name(key), "count": count}
        for key, count in top_values(cache.language, selected)
    ]


def month_facet(cache: ReaderCache, selected: np.ndarray) -> list[dict]:
    if not cache.months:
        return []
    codes = cache.month[selected & (cache.month >= 0)]
    counts = np.bincount(codes, minlength=len(cache.months))
    present = np.flatnonzero(counts)[-MAX_MONTHS:]
    return [{"key": cache.months[i], "count": int(counts[i])} for i in present.tolist()]


def facets(
    cache: ReaderCache, selected: np.ndarray, names: Names, size: int = FACET_SIZE
) -> dict[str, list[dict]]:
    """Every facet for the selected articles (a boolean mask over article ordinals); ``size`` person
    and place values at most (``facet_size``)."""
    return {
        "person": person_facet(cache, selected, names, size),
        "place": place_facet(cache, selected, names, size),
        "published": month_facet(cache, selected),
        "language": language_facet(cache, selected),
    }
