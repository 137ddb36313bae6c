"""Request filters as a mask over articles, from the per-reader arrays (no Whoosh queries).

Whoosh's ``DateRange`` expands thousands of date terms per query (90-190 ms, DESIGN §5); comparing an
array of YYYYMMDD integers costs microseconds.
"""

from __future__ import annotations

import numpy as np

from archive.search.fields import date_range
from archive.search.request import SearchRequest
from archive.search.whoosh.cache import ReaderCache, ValueIndex
from archive.search.whoosh.names import Names


def has_filters(req: SearchRequest) -> bool:
    return bool(
        req.persons
        or req.places
        or req.date_from
        or req.date_to
        or req.mentioned_from
        or req.mentioned_to
        or req.source
        or req.language
    )


def article_mask(req: SearchRequest, cache: ReaderCache, names: Names) -> np.ndarray | None:
    """True for each article that passes every filter; ``None`` when the request has none.

    Each person or place value may name several keys (a surname shared by two people): an article
    passes that value if it carries any of them, and must pass every value.
    """
    if not has_filters(req):
        return None
    mask = np.ones(cache.article_count, dtype=bool)
    for value in req.persons:
        mask &= _any_key(cache.person, names.person_keys(value), cache.article_count)
    for value in req.places:
        mask &= _any_key(cache.place, names.place_keys(value), cache.article_count)
    if req.source:
        mask &= _any_key(cache.source, [req.source.strip().lower()], cache.article_count)
    if req.language:
        mask &= _any_key(cache.language, [req.language], cache.article_count)
    if req.date_from or req.date_to:
        low = date_range(req.date_from)[0] if req.date_from else 1
        high = date_range(req.date_to)[1] if req.date_to else 99991231
        mask &= (cache.published >= low) & (cache.published <= high)
    if req.mentioned_from or req.mentioned_to:
        low = date_range(req.mentioned_from)[0] if req.mentioned_from else 0
        high = date_range(req.mentioned_to)[1] if req.mentioned_to else 99991231
        overlapping = (cache.mentioned_start <= high) & (cache.mentioned_end >= low)
        mentioned = np.zeros(cache.article_count, dtype=bool)
        mentioned[cache.mentioned_article[overlapping]] = True
        mask &= mentioned
    return mask


def _any_key(index: ValueIndex, keys: list[str], count: int) -> np.ndarray:
    mask = np.zeros(count, dtype=bool)
    for key in keys:
        mask[index.articles(key)] = True
    return mask
