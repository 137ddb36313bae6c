"""Watches: saved searches that report the articles that arrived since they last looked.

A watch is a search request stored in the catalog (table ``watches``). "Arrived" means imported or
updated into the index: the catalog's ``updated_at`` of an ``indexed`` article. A run asks the catalog
which articles arrived after the watch's horizon (``since``; an index makes this cheap however large the
archive), and only then the engine which of those match (``matching``: the embedded engine runs the
watch's search among them only, reading just the index segments that hold them, loading no hit and
scoring nothing beyond them). Only the matches' catalog rows are read. With nothing new, a run opens
no engine.

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
from typing import Any

from archive.errors import ArchiveError, BadQuery
from archive.search.request import SearchRequest
from archive.store import Catalog

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


def _item(row) -> dict[str, Any]:
    return {k: row[k] for k in ("id", "title", "published", "source", "url")}


def _by_arrival(rows) -> list:
    return sorted(rows, key=lambda r: (-r["updated_at"], r["id"]))


def run(
    home: Path,
    mark: bool = True,
    budget: float | None = None,
    catalog: Catalog | None = None,
    engine=None,
) -> list[dict[str, Any]]:
    """Every watch with the matches that arrived since its last run; ``mark`` moves each horizon on.

    A watch whose search no longer runs gets its ``error`` (and keeps its horizon); the others go on.

    :param budget: seconds each watch's search may take (default: the engine's whole-set budget).
    :param catalog: an open catalog (the site's), else the home's is opened.
    :param engine: an open search engine (the site's), else one is opened only if something arrived.
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
                    if engine is None:
                        from archive.home import Archive

                        engine = opened = Archive(home).reader(catalog=catalog, whole_set=True)
                        if budget:
                            engine.time_budget = budget
                    hits = engine.matching(req, [i for i, _ in fresh])
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
    from archive.home import Archive

    with Catalog(home) as catalog:
        found = watches(catalog)
        if not found:
            return []
        out = []
        engine = Archive(home).reader(catalog=catalog, whole_set=True)
        try:
            for watch in found:
                try:
                    count = len(engine.matching(watch.request(), ids))
                    out.append({"name": watch.name, "new": count})
                except BadQuery as exc:
                    out.append({"name": watch.name, "new": None, "error": str(exc)})
        finally:
            engine.close()
        return out


def latest(engine, catalog: Catalog, watch: Watch, limit: int) -> list[dict[str, Any]]:
    """The watch's ``limit`` latest-arrived matches (for its feed), each with ``updated`` (epoch seconds).

    :raises BadQuery: when the watch's search cannot run.
    """
    req = watch.request()
    total, ids = engine.ids(req, FEW_MATCHES)
    if total <= FEW_MATCHES:
        rows = _by_arrival(catalog.article_rows(i for i in ids if i).values())[:limit]
    else:
        rows, offset = [], 0
        while len(rows) < limit:
            chunk = catalog.arrivals(offset, ARRIVALS_CHUNK)
            if not chunk:
                break
            offset += len(chunk)
            hits = engine.matching(req, [r["id"] for r in chunk])
            rows.extend(r for r in chunk if r["id"] in hits)
        rows = list(catalog.article_rows(r["id"] for r in rows[:limit]).values())
        rows = _by_arrival(rows)
    return [{**_item(r), "updated": r["updated_at"]} for r in rows]


def iso(epoch: float) -> str:
    """An epoch time as an RFC 3339 / ISO 8601 UTC timestamp (Atom's date format)."""
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC).replace(microsecond=0).isoformat()
