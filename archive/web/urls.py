"""Links that change the current search: every facet, chip, sort and page link is built here.

All state lives in the query string, so a link is the search with a few arguments changed. Changing
anything but ``page`` drops ``page``: a new filter starts again at the first page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from archive.search.request import DEFAULT_FACET_SIZE, SEARCH_PARAMS

#: Parameters that may appear more than once (all must match).
REPEATABLE = frozenset({"person", "place"})
#: Values that are the defaults: left out of links so equal searches have equal URLs.
DEFAULTS = {"mode": "normal", "page": "1", "facet_size": str(DEFAULT_FACET_SIZE)}


class SearchArgs(MultiDict):
    """Search parameters already cleaned by :func:`search_args` (links skip cleaning them again)."""


def search_args(args: Mapping) -> SearchArgs:
    """The known search parameters of a request, empty values and defaults dropped, duplicates removed."""
    return SearchArgs([(k, v) for k, values in _clean(args).items() for v in values])


def url_with_args(
    path: str,
    args: Mapping,
    *,
    add: Iterable[tuple[str, str]] = (),
    remove: Iterable[tuple[str, str | None]] = (),
    **changes: str | int | None,
) -> str:
    """``path`` with the search ``args`` changed.

    :param add: ``(key, value)`` pairs to add (a repeatable filter gains a value; others are replaced).
    :param remove: ``(key, value)`` pairs to remove; ``(key, None)`` removes every value of ``key``.
    :param changes: ``key=value`` replaces every value of ``key``; ``key=None`` removes it.
    """
    if isinstance(args, SearchArgs):  # a page builds hundreds of links from one request: clean it once
        current = {key: args.getlist(key) for key in args}
    else:
        current = _clean(args)
    touched = False
    for key, value in remove:
        current[key] = [] if value is None else [v for v in current.get(key, ()) if v != value]
        touched = True
    for key, value in add:
        if key in REPEATABLE:
            current[key] = [*current.get(key, ()), value]
        else:
            current[key] = [value]
        touched = True
    for key, value in changes.items():
        current[key] = [] if value is None else [str(value)]
        touched = touched or key != "page"
    if touched and "page" not in changes:
        current.pop("page", None)
    query = "&".join(_pair(k, v) for k, values in _clean(current).items() for v in values)
    return f"{path}?{query}" if query else path


@lru_cache(maxsize=4096)
def _pair(key: str, value: str) -> str:
    """``key=value`` URL-encoded; memoised because a page repeats the same query in every link."""
    return urlencode([(key, value)])


def _clean(args: Mapping) -> dict[str, list[str]]:
    """Known keys in canonical order; values stripped, empty and default ones dropped, each kept once."""
    if isinstance(args, dict) and not hasattr(args, "getlist"):
        items = {k: _as_list(v) for k, v in args.items() if k in SEARCH_PARAMS}
    else:
        items = {k: args.getlist(k) for k in SEARCH_PARAMS if k in args}
    out: dict[str, list[str]] = {}
    for key in SEARCH_PARAMS:
        values: list[str] = []
        for value in items.get(key, ()):
            value = (value or "").strip()
            if value and value not in values and DEFAULTS.get(key) != value:
                values.append(value)
                if key not in REPEATABLE:
                    break
        if values:
            out[key] = values
    return out


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]
