"""Watches: saved searches that report the articles that arrived since they last looked.

A watch is a search request stored in the catalog (table ``watches``). "Arrived" means imported or
updated into the index: the catalog's ``updated_at`` of an ``indexed`` article. A run asks the catalog
which articles arrived after the watch's horizon (``since``; an index makes this cheap however large the
archive), and only then the engine which of those match: the arrivals are mapped to article ordinals by
their 64-bit article key once for all watches, and each watch's search runs among them only
(``select(among=...)``: only the index segments holding them are read, no hit is loaded, nothing is
scored beyond them). Only the matches' catalog rows are read. With nothing new, a run opens no index.

The horizon moves to ``ARRIVAL_MARGIN_SECONDS`` before the run (and never past an article still
``pending``): an import stamps its articles when it stages them and commits them a little later, so an
article stamped just before a run may become visible just after it. What a run looked at inside that
margin (reported or not) is remembered (``watch_seen``), so it is neither reported nor searched twice: a
run right after another opens no index.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.errors import ArchiveError, BadQuery
from archive.search.request import SearchRequest
from archive.store import Catalog

if TYPE_CHECKING:  # numpy is imported where a search runs: a run with nothing new needs none of it
    import numpy as np

#: Seconds before a run that its horizon stops at: longer than an import takes to stage one batch in
#: the catalog (10,000 articles stage in a few seconds), so no article stamped before a run but
#: committed after it is skipped.
ARRIVAL_MARGIN_SECONDS = 300.0
#: The horizon stays this far below the oldest pending article, so that article is still after it.
PENDING_GAP = 0.001
#: A watch's name is its address (``/watches/<name>.atom``) and its handle on the command line.
NAME_PATTERN = re.compile(r"^\w[\w.-]{0,63}$")
NAME_RULE = "1-64 letters, digits, '.', '-' or '_', starting with a letter or digit"
#: The search arguments a watch keeps (paging and sort are the reader's, not the watch's).
WATCH_ARGS = (
    "q",
    "person",
    "place",
    "from",
    "to",
    "mentioned_from",
    "mentioned_to",
    "source",
    "language",
    "mode",
)
#: Arrived articles mapped per round trip when looking for a watch's latest matches (the feed).
ARRIVALS_CHUNK = 2000
#: A watch matching at most this many articles finds its latest ones from the matches themselves;
#: a broader one from the latest arrivals (where its matches are then dense).
FEW_MATCHES = 2000


class WatchError(ArchiveError):
    """A watch that cannot be added, found or removed as asked."""


@dataclass
class Watch:
    name: str
    args: dict[str, Any]  # search arguments, as the query string spells them
    since: float  # arrival time up to which the watch has looked
    created: float
    created_by: str | None = None
    checked: float | None = None

    @property
    def query(self) -> str:
        return self.args.get("q", "")

    def request(self) -> SearchRequest:
        """The watch's search. :raises BadQuery: when it no longer validates."""
        return SearchRequest.from_args(self.args)

    def search_path(self) -> str:
        from urllib.parse import urlencode

        return "/search?" + urlencode(self.args, doseq=True) if self.args else "/search"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "query": self.query,
            "filters": {k: v for k, v in self.args.items() if k != "q"},
            "search": self.search_path(),
            "created": iso(self.created),
            "created_by": self.created_by,
            "checked": iso(self.checked) if self.checked else None,
        }

    @classmethod
    def from_row(cls, row) -> Watch:
        return cls(
            row["name"],
            json.loads(row["request"]),
            row["since"],
            row["created"],
            row["created_by"],
            row["checked"],
        )


def request_args(req: SearchRequest) -> dict[str, Any]:
    """The arguments of ``req`` a watch keeps."""
    return {k: v for k, v in req.to_args().items() if k in WATCH_ARGS}


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not NAME_PATTERN.match(name):
        raise WatchError(f"A watch name is {NAME_RULE}; got {name[:70]!r}.")
    return name


def add(catalog: Catalog, name: str, req: SearchRequest, user: str | None = None) -> Watch:
    """Save ``req`` as watch ``name``; it reports what arrives from now on.

    :raises WatchError: for a bad or taken name, or a request with neither words nor filters.
    """
    name = check_name(name)
    args = request_args(req)
    if not set(args) - {"mode"}:
        raise WatchError("A watch needs words to search for or a filter (a person, place, date or source).")
    catalog.ensure_watches(arrivals_index=False)
    now = time.time()
    if not catalog.add_watch(name, json.dumps(args, ensure_ascii=False), now, user):
        raise WatchError(f"There is already a watch named {name!r}; remove it first or pick another name.")
    return Watch(name, args, now, now, user)


def remove(catalog: Catalog, name: str) -> None:
    if not catalog.remove_watch(name):
        raise WatchError(f"No watch named {name!r}. `archive watch list` shows them.")


def watches(catalog: Catalog) -> list[Watch]:
    return [Watch.from_row(r) for r in catalog.watch_rows()]


def get(catalog: Catalog, name: str) -> Watch | None:
    return next((w for w in watches(catalog) if w.name == name), None)


# -- matching ---------------------------------------------------------------------------------------


def matching(
    searcher, req: SearchRequest, ids: list[str], deadline: float, ordinals: np.ndarray | None = None
) -> set[str]:
    """Which of ``ids`` are in the result set of ``req``, without loading any hit.

    Only those articles are searched (``select(among=...)``): the index segments that hold them are
    read, however large the archive, and nothing is scored or ordered beyond them.

    :param ordinals: the ids' article ordinals (``cache.ordinals(ids)``), when known already.
    :raises BadQuery: when the search cannot run (including running past ``deadline``).
    """
    import numpy as np

    if not ids:
        return set()
    cache = searcher.cache
    ordinals = cache.ordinals(ids) if ordinals is None else ordinals
    known = ordinals[ordinals >= 0]
    if not len(known):
        return set()
    scope = np.zeros(cache.article_count, dtype=bool)
    scope[known] = True
    selected = searcher.select(req, deadline, limit=1, among=scope).selected
    return {i for i, o in zip(ids, ordinals.tolist(), strict=True) if o >= 0 and selected[o]}


def among(searcher, selected: np.ndarray, ids: list[str]) -> set[str]:
    """Which of ``ids`` are selected (``selected``: a bool per article ordinal, from ``select``)."""
    if not ids:
        return set()
    ordinals = searcher.cache.ordinals(ids)
    return {i for i, o in zip(ids, ordinals.tolist(), strict=True) if o >= 0 and selected[o]}


def _item(row) -> dict[str, Any]:
    return {k: row[k] for k in ("id", "title", "published", "source", "url")}


def _by_arrival(rows) -> list:
    return sorted(rows, key=lambda r: (-r["updated_at"], r["id"]))


def run(
    home: Path,
    mark: bool = True,
    budget: float | None = None,
    catalog: Catalog | None = None,
    searcher=None,
) -> list[dict[str, Any]]:
    """Every watch with the matches that arrived since its last run; ``mark`` moves each horizon on.

    A watch whose search no longer runs gets its ``error`` (and keeps its horizon); the others go on.

    :param budget: seconds each watch's search may take (default: the engine's whole-set budget).
    :param catalog: an open catalog (the site's), else the home's is opened.
    :param searcher: an open searcher (the site's), else one is opened only if something arrived.
    :return: ``[{name, query, new: [{id, title, published, source, url}], error}]``, by name.
    """
    own_catalog = catalog is None
    catalog = catalog or Catalog(home)
    opened = None
    try:
        found = watches(catalog)
        if not found:
            return []
        # the catalog first: whatever it calls indexed is in every index opened after this read
        now = time.time()
        pending = catalog.oldest_pending()
        horizon = min(now - ARRIVAL_MARGIN_SECONDS, pending - PENDING_GAP if pending is not None else now)
        arrived = catalog.arrived_since(min(w.since for w in found))
        position = {r[0]: n for n, r in enumerate(arrived)}
        arrived_ordinals = None  # every arrival's article ordinal, mapped once for all watches
        out = []
        for watch in found:
            seen = catalog.watch_seen(watch.name)
            fresh = [(r[0], r[1]) for r in arrived if r[1] > watch.since and (r[0], r[1]) not in seen]
            entry: dict[str, Any] = {"name": watch.name, "query": watch.query, "new": [], "error": None}
            out.append(entry)
            try:
                req = watch.request()
                hits: set[str] = set()
                if fresh:  # the engine (and its imports) only when something arrived
                    from archive.search.whoosh.engine import WHOLE_SET_TIME_BUDGET_SECONDS, open_searcher

                    if searcher is None:
                        searcher = opened = open_searcher(home, catalog=catalog)
                    if arrived_ordinals is None:
                        arrived_ordinals = searcher.cache.ordinals([r[0] for r in arrived])
                    deadline = time.monotonic() + (budget or WHOLE_SET_TIME_BUDGET_SECONDS)
                    ids = [i for i, _ in fresh]
                    ordinals = arrived_ordinals[[position[i] for i in ids]]
                    hits = matching(searcher, req, ids, deadline, ordinals)
            except BadQuery as exc:
                entry["error"] = f"This watch's search no longer runs: {exc}"
                continue
            rows = catalog.article_rows(hits)
            entry["new"] = [_item(r) for r in _by_arrival(rows.values())]
            if mark:  # what it looked at past the horizon, matching or not, is not searched again
                catalog.mark_watch(watch.name, horizon, [(i, t) for i, t in fresh if t > horizon])
        return out
    finally:
        if opened is not None:
            opened.close()
        if own_catalog:
            catalog.close()


def batch_matches(home: Path, ids: list[str]) -> list[dict[str, Any]]:
    """Per watch, how many of ``ids`` (an import's new and updated articles) it matches; nothing marked.

    :return: ``[{name, new}]`` (``new`` is ``None`` and ``error`` says why for a watch that cannot run).
    """
    from archive.search.whoosh.engine import WHOLE_SET_TIME_BUDGET_SECONDS, open_searcher

    with Catalog(home) as catalog:
        found = watches(catalog)
        if not found:
            return []
        out = []
        with open_searcher(home, catalog=catalog) as searcher:
            ordinals = searcher.cache.ordinals(ids)
            for watch in found:
                try:
                    deadline = time.monotonic() + WHOLE_SET_TIME_BUDGET_SECONDS
                    count = len(matching(searcher, watch.request(), ids, deadline, ordinals))
                    out.append({"name": watch.name, "new": count})
                except BadQuery as exc:
                    out.append({"name": watch.name, "new": None, "error": str(exc)})
        return out


def latest(searcher, catalog: Catalog, watch: Watch, limit: int, deadline: float) -> list[dict[str, Any]]:
    """The watch's ``limit`` latest-arrived matches (for its feed), each with ``updated`` (epoch seconds).

    :raises BadQuery: when the watch's search cannot run.
    """
    import numpy as np

    sel = searcher.select(watch.request(), deadline, limit=1)
    cache = searcher.cache
    if sel.total <= FEW_MATCHES:
        ordinals = np.flatnonzero(sel.selected & (cache.article_doc >= 0))
        reader = searcher.searcher
        ids = [reader.stored_fields(int(cache.article_doc[o])).get("article_id") for o in ordinals.tolist()]
        rows = _by_arrival(catalog.article_rows(i for i in ids if i).values())[:limit]
    else:
        rows, offset = [], 0
        while len(rows) < limit:
            chunk = catalog.arrivals(offset, ARRIVALS_CHUNK)
            if not chunk:
                break
            offset += len(chunk)
            hits = among(searcher, sel.selected, [r["id"] for r in chunk])
            rows.extend(r for r in chunk if r["id"] in hits)
        rows = list(catalog.article_rows(r["id"] for r in rows[:limit]).values())
        rows = _by_arrival(rows)
    return [{**_item(r), "updated": r["updated_at"]} for r in rows]


def iso(epoch: float) -> str:
    """An epoch time as an RFC 3339 / ISO 8601 UTC timestamp (Atom's date format)."""
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC).replace(microsecond=0).isoformat()
